"""One running kernel: start, readiness, shell replies, IOPub and stdin delivery, death,
shutdown.

The kernel is either ipykernel run from a given Python (argv[0] is its absolute path) or
any installed kernelspec (R, Julia, ...), in its own process group over IPC sockets in
the daemon's runtime directory. Readiness is the daemon's own
`kernel_info` round trip. Shell replies are matched to requests by parent msg_id; every
IOPub message goes to one callback. Death is noticed by polling the process. Shutdown
kills the whole group, so children the kernel started do not outlive it. What the
messages mean for the document is the caller's business (`nbdesk.daemon.kernels.executions`).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import queue
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

from nbdesk.daemon.home import frozen
from nbdesk.daemon.home.private import private_dir
from nbdesk.daemon.kernels.replies import ShellReplies
from nbdesk.daemon.wire.errors import ErrorCode, KernelError

log = logging.getLogger(__name__)
READY_TIMEOUT = 60.0
DEATH_POLL = 0.2
RECEIVE_POLL = 0.1
DEATH_DRAIN = 0.2  # after a kernel dies, IOPub is read until this long passes quietly
IOPUB_LIVE_POLL = 0.1  # re-ask kernel_info this often until IOPub delivers its status
INTERRUPT_WAIT = 1.0  # at shutdown, a busy kernel has this long to answer an interrupt
_kernel_numbers = itertools.count(1)


class _OneSpec(KernelSpecManager):
    """A kernelspec manager that knows exactly one in-memory spec (no kernel.json)."""

    def __init__(self, spec: KernelSpec, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._spec = spec

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return self._spec

    def find_kernel_specs(self) -> dict[str, str]:
        return {"nbdesk": ""}


PIP_MAGICS = Path(__file__).with_name("kernel_pip_magics.py")


def kernel_spec(python: str, *, shared: bool = False) -> KernelSpec:
    """ipykernel on `python`, with nbdesk's `%pip` and `%uv` (`kernel_pip_magics.py`):
    they install into `python`'s environment, or refuse when it is `shared` (the
    daemon's own interpreter)."""
    python = os.path.abspath(python)
    env_bin = os.path.dirname(python)
    argv = frozen.kernel_argv(python)
    if argv[1:2] != ["kernel"]:  # the frozen app's own kernel has no `python -m pip` to fix
        argv.append(f"--IPKernelApp.exec_files={json.dumps([str(PIP_MAGICS)])}")
    return KernelSpec(
        argv=argv,
        display_name="Python 3 (ipykernel)",
        language="python",
        interrupt_mode="signal",
        env={
            "PATH": env_bin + os.pathsep + os.environ.get("PATH", ""),
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            "RUST_BACKTRACE": "0",
            "NBDESK_UV": frozen.uv_binary(),
            "NBDESK_PIP_SHARED": "1" if shared else "0",
            **frozen.kernel_env(python),
        },
    )


class KernelSession:
    """`kernelspec` (an installed spec, any language) wins over `python` (ipykernel from
    that interpreter; None: the daemon's own)."""

    def __init__(
        self,
        *,
        python: str | None,
        cwd: Path,
        runtime_dir: Path,
        on_iopub: Callable[[dict[str, Any]], None],
        on_death: Callable[[str], None],
        kernelspec: KernelSpec | None = None,
        ready_timeout: float = READY_TIMEOUT,
    ) -> None:
        # the interpreter ipykernel runs from; None for another kernelspec's kernel
        self.python: str | None = None if kernelspec else python or sys.executable
        self.spec = kernelspec or kernel_spec(python or sys.executable, shared=python is None)
        self.cwd = cwd
        self.number = next(_kernel_numbers)
        self.ready_timeout = ready_timeout
        self.on_stdin: Callable[[dict[str, Any]], None] = _unowned
        self._runtime_dir = runtime_dir
        self._on_iopub = on_iopub
        self._on_death = on_death
        self._died: asyncio.Future[str] | None = None
        self._iopub_reader: asyncio.Task[None] | None = None
        self.kernel_info: dict[str, Any] = {}  # the kernel's kernel_info reply content
        self._km: AsyncKernelManager | None = None
        self._kc: Any = None
        self._replies = ShellReplies()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self._iopub_live = asyncio.Event()
        self.pgid: int | None = None

    def __repr__(self) -> str:
        return f"KernelSession({self.number}, pid={self.pid}, {self.spec.display_name!r})"

    @property
    def display_name(self) -> str:
        return str(self.spec.display_name)

    @property
    def language(self) -> str:
        return str(self.spec.language)

    @property
    def pid(self) -> int | None:
        provisioner = self._km.provisioner if self._km else None
        process = getattr(provisioner, "process", None)
        return process.pid if process is not None else None

    def rebind(
        self, on_iopub: Callable[[dict[str, Any]], None], on_death: Callable[[str], None]
    ) -> None:
        """Hand a started kernel (a hot one from the pool) to its new owner."""
        self._on_iopub = on_iopub
        self._on_death = on_death

    async def run_silently(self, code: str) -> None:
        """Run `code` without a count, history or outputs (a hot kernel's housekeeping)."""
        msg_id = self._kc.execute(code, silent=True, store_history=False)
        await self.request(msg_id, timeout=10)

    async def chdir(self, cwd: Path) -> None:
        """Move a started kernel to `cwd` (a hot kernel started elsewhere), unrecorded."""
        await self.run_silently(
            f"import os as _nbdesk_os; _nbdesk_os.chdir({str(cwd)!r}); del _nbdesk_os"
        )
        self.cwd = cwd

    async def start(self) -> dict[str, Any]:
        """Launch the kernel and return its kernel_info reply once it answers."""
        private_dir(self._runtime_dir)
        name = f"k{os.getpid()}-{self.number}"
        self._died = asyncio.get_running_loop().create_future()
        self._km = AsyncKernelManager(
            kernel_name="nbdesk",
            kernel_spec_manager=_OneSpec(self.spec),
            transport="ipc",
            ip=str(self._runtime_dir / name),
            connection_file=str(self._runtime_dir / f"{name}.json"),
        )
        self._km.shutdown_wait_time = 1.0
        try:
            await self._km.start_kernel(cwd=str(self.cwd))
        except FileNotFoundError as exc:
            raise KernelError(
                f"cannot start {self.spec.display_name}: its program {self.spec.argv[0]!r} "
                "was not found; reinstall that kernel or choose another one",
                code=ErrorCode.KERNEL_START,
            ) from exc
        except Exception as exc:
            raise KernelError(
                f"cannot start {self.spec.display_name}: {exc}", code=ErrorCode.KERNEL_START
            ) from exc
        self.pgid = self.pid
        self._kc = self._km.client()
        self._kc.start_channels()
        self._iopub_reader = asyncio.create_task(
            self._read_iopub(), name=f"kernel-{self.number}-iopub"
        )
        self._tasks = [
            asyncio.create_task(self._read_shell(), name=f"kernel-{self.number}-shell"),
            self._iopub_reader,
            asyncio.create_task(self._read_stdin(), name=f"kernel-{self.number}-stdin"),
            asyncio.create_task(self._watch_process(), name=f"kernel-{self.number}-watch"),
        ]
        reply = await self.wait_ready()
        self.kernel_info = reply.get("content", {})
        return reply

    async def wait_ready(self) -> dict[str, Any]:
        """A kernel_info reply on shell *and* IOPub delivering: until the subscription is
        live, IOPub drops messages, so a first cell could lose its outputs."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.ready_timeout
        while loop.time() < deadline:
            try:
                reply = await self._before_death(
                    self.request(self._kc.kernel_info(), timeout=deadline - loop.time())
                )
                await asyncio.wait_for(self._iopub_live.wait(), IOPUB_LIVE_POLL)
                return reply
            except TimeoutError:
                continue
        raise KernelError(
            f"{self.spec.display_name} did not answer within {self.ready_timeout:g} s; "
            "restart it or choose another kernel",
            code=ErrorCode.KERNEL_START,
        )

    async def _before_death(self, waiting: Any) -> dict[str, Any]:
        """`waiting`'s result, or a KernelError as soon as the process exits first."""
        assert self._died is not None
        task = asyncio.ensure_future(waiting)
        done, _ = await asyncio.wait({task, self._died}, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            return task.result()
        task.cancel()
        raise KernelError(
            f"{self.spec.display_name} exited while starting ({self._died.result()}); "
            "see the daemon log (nbdesk daemon logs) for its output",
            code=ErrorCode.KERNEL_START,
        )

    def expect_reply(self, msg_id: str) -> asyncio.Future[dict[str, Any]]:
        return self._replies.expect(msg_id)

    async def request(self, msg_id: str, timeout: float | None = None) -> dict[str, Any]:
        """Wait for the shell reply to `msg_id` (registered right after sending)."""
        return await self._replies.wait(msg_id, timeout)

    def execute(self, code: str, *, allow_stdin: bool = False) -> str:
        msg_id: str = self._kc.execute(
            code, silent=False, store_history=True, allow_stdin=allow_stdin, stop_on_error=True
        )
        self.expect_reply(msg_id)
        return msg_id

    def input_reply(self, value: str) -> None:
        """Answer the kernel's pending `input_request`."""
        self._kc.input(value)

    async def complete(self, code: str, cursor_pos: int) -> dict[str, Any]:
        reply = await self.request(self._kc.complete(code, cursor_pos), timeout=10)
        return reply["content"]

    async def inspect(self, code: str, cursor_pos: int, detail_level: int) -> dict[str, Any]:
        msg_id = self._kc.inspect(code, cursor_pos, detail_level)
        reply = await self.request(msg_id, timeout=10)
        return dict(reply["content"])

    def comm_msg(
        self, comm_id: str, data: dict[str, Any], buffers: list[bytes] | None = None
    ) -> str:
        """Send a comm message as a frontend would; returns its msg_id (IOPub replies carry it
        as their parent)."""
        msg = self._kc.session.msg("comm_msg", {"comm_id": comm_id, "data": data})
        self._kc.session.send(self._kc.shell_channel.socket, msg, buffers=buffers or None)
        return str(msg["header"]["msg_id"])

    async def _receive(self, get: Callable[..., Any]) -> dict[str, Any]:
        """The next message from a channel. Waits in short polls: ZeroMQ's edge-triggered
        notifications can be missed when one task sends on a socket another is reading,
        and a poll with a timeout re-checks the socket instead of sleeping forever."""
        while True:
            try:
                return await get(timeout=RECEIVE_POLL)
            except queue.Empty:
                continue

    async def _read_shell(self) -> None:
        while True:
            msg = await self._receive(self._kc.get_shell_msg)
            self._replies.arrived(msg)

    async def _read_iopub(self) -> None:
        while True:
            self._deliver_iopub(await self._receive(self._kc.get_iopub_msg))

    def _deliver_iopub(self, msg: dict[str, Any]) -> None:
        self._iopub_live.set()
        try:
            self._on_iopub(msg)
        except Exception:
            log.exception("handling IOPub %s failed", msg.get("msg_type"))

    async def _read_stdin(self) -> None:
        while True:
            msg = await self._receive(self._kc.get_stdin_msg)
            try:
                self.on_stdin(msg)
            except Exception:
                log.exception("handling stdin %s failed", msg.get("msg_type"))

    async def _watch_process(self) -> None:
        assert self._km is not None
        while await self._km.is_alive():
            await asyncio.sleep(DEATH_POLL)
        if self._stopping:
            return
        code = await self._km.provisioner.poll() if self._km.provisioner else None
        reason = f"the kernel died (exit code {code})"
        log.warning("%r: %s", self, reason)
        await self._drain_iopub()
        if self._died is not None and not self._died.done():
            self._died.set_result(reason)
        self._replies.fail_all(reason)
        self._on_death(reason)

    async def _drain_iopub(self) -> None:
        """Deliver what the kernel published before it died (a cell's execute_input, its
        last output), which the reader may not have reached yet, before anyone is told:
        otherwise a cell that kills its kernel loses its execution count under load."""
        if self._iopub_reader is not None:
            self._iopub_reader.cancel()
            await asyncio.gather(self._iopub_reader, return_exceptions=True)
        while self._kc is not None:
            try:
                msg = await self._kc.get_iopub_msg(timeout=DEATH_DRAIN)
            except queue.Empty:
                return
            self._deliver_iopub(msg)

    async def interrupt(self) -> None:
        if self._km is not None:
            await self._km.interrupt_kernel()

    async def shutdown(self) -> None:
        """Stop the kernel and kill its process group; safe to call twice.

        A busy kernel is interrupted first and its pending replies awaited: asked to shut
        down mid-cell, ipykernel answers the interrupted cell on sockets its shutdown has
        already closed (a ZMQError traceback from its message handler). One that does not
        answer the interrupt in time cannot stop cleanly, and is killed without asking.
        """
        self._stopping = True
        graceful = await self._settle()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        self._replies.fail_all("the kernel was shut down")
        if self._kc is not None:
            self._kc.stop_channels()
        if self._km is not None:
            if graceful:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self._km.shutdown_kernel(now=False), 5)
            with contextlib.suppress(Exception):
                await self._km.shutdown_kernel(now=True)
        if self.pgid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pgid, signal.SIGKILL)
        self._km = None
        self._kc = None

    async def _settle(self) -> bool:
        """Interrupt a busy kernel and wait for its pending replies (the readers still
        running); False when some did not come in time."""
        pending = self._replies.pending()
        if not pending or self._km is None or not self._tasks:
            return True
        try:
            await self._km.interrupt_kernel()
        except Exception as exc:
            log.warning("%r: cannot interrupt it before shutting it down: %s", self, exc)
            return False
        _, late = await asyncio.wait(pending, timeout=INTERRUPT_WAIT)
        if late:
            log.warning(
                "%r did not answer an interrupt within %g s: killing it", self, INTERRUPT_WAIT
            )
        return not late


def hot_session(
    python: str | None, on_death: Callable[[str], None], *, cwd: Path, runtime_dir: Path
) -> KernelSession:
    """A kernel nobody owns yet, for the hot pool: its owner rebinds IOPub and death later."""
    return KernelSession(
        python=python, cwd=cwd, runtime_dir=runtime_dir, on_iopub=_unowned, on_death=on_death
    )


def _unowned(msg: dict[str, Any]) -> None:
    """IOPub of a kernel nobody owns yet (its startup status messages), or stdin nobody
    listens to."""
