"""A room's kernel and its execution queue: cells in, outputs and counts into the document.

One execution runs at a time. Its IOPub messages (matched by parent msg_id) update an
OutputArea, which is written to the document in batches (every few tens of ms, and at
the end), so a flood of prints makes a bounded number of document changes. A cell is
done when both its execute_reply and its `idle` status arrived; `execution_done` is
broadcast after the outputs are in the document, carrying the heads that include them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from nbdesk.daemon.doc.dependencies import dependency_diff, notebook_dependencies
from nbdesk.daemon.kernels.comms import WidgetComms
from nbdesk.daemon.kernels.host import KernelEnv, KernelHost, KernelTarget
from nbdesk.daemon.kernels.interface import Session
from nbdesk.daemon.kernels.outputs import (
    OUTPUT_MSG_TYPES,
    OutputArea,
    apply_iopub,
    update_display,
)
from nbdesk.daemon.kernels.remote_session import RemoteKernelSession
from nbdesk.daemon.kernels.session import KernelSession
from nbdesk.daemon.kernels.stdin import PendingInput
from nbdesk.daemon.wire.broadcasts import (
    EnvProgress,
    EnvSyncState,
    ExecutionDone,
    ExecutionStarted,
    KernelErrorEvent,
    KernelLocation,
    KernelStatusChanged,
    QueueChanged,
)
from nbdesk.daemon.wire.enums import (
    CellType,
    EnvKind,
    EnvPhase,
    ExecutionStatus,
    HistoryAuthor,
    KernelChoiceKind,
    KernelPhase,
    KernelStatus,
    ResolutionSource,
)
from nbdesk.daemon.wire.errors import (
    DocumentError,
    EnvError,
    ErrorCode,
    KernelError,
    MissingIpykernel,
    MissingKernelspec,
    NbdeskError,
)
from nbdesk.daemon.wire.ids import CellId, ExecutionId

log = logging.getLogger(__name__)
FLUSH_INTERVAL = 0.03
NEVER_WRITTEN = -1  # no execution count is ever -1


@dataclass
class Execution:
    cell_id: CellId
    code: str
    id: ExecutionId = field(default_factory=lambda: ExecutionId(uuid.uuid4().hex[:12]))
    msg_id: str | None = None
    allow_stdin: bool = True
    area: OutputArea = field(default_factory=OutputArea)
    count: int | None = None
    reply: dict[str, Any] | None = None
    idle: bool = False
    written: tuple[str, ...] | None = None
    written_count: int | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def __repr__(self) -> str:
        return f"Execution({self.id}, cell={self.cell_id}, msg={self.msg_id}, outputs={len(self.area.outputs)})"


class RoomKernel:
    def __init__(self, host: KernelHost) -> None:
        self.host = host
        self.session: Session | None = None
        self.status = KernelStatus.NOT_STARTED
        self.queue: deque[Execution] = deque()
        self.running: Execution | None = None
        self._by_msg: dict[str, Execution] = {}
        self._wakeup = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None
        self._starting: asyncio.Task[None] | None = None
        self._flush_handle: asyncio.TimerHandle | None = None
        self.display_cells: dict[str, set[str]] = {}
        self.widgets = WidgetComms(host, lambda: self.session.comm_msg if self.session else None)
        self.env: KernelEnv | None = None
        self.env_deps: tuple[str, ...] = ()
        self._sync_state: tuple[bool, tuple[str, ...], tuple[str, ...]] = (True, (), ())
        self._launching = asyncio.Lock()
        self.target: KernelTarget | None = None
        self.location: KernelLocation | None = None
        self.input = PendingInput(host.broadcast)

    def __repr__(self) -> str:
        return f"RoomKernel({self.host.id}, {self.status}, queued={len(self.queue)}, running={self.running})"

    # -- lifecycle ---------------------------------------------------------------------

    def _set_status(self, status: KernelStatus) -> None:
        if status != self.status:
            self.status = status
            self.host.broadcast(KernelStatusChanged(status=status))

    async def launch(
        self,
        python: str | None = None,
        kernelspec: str | None = None,
        *,
        target: KernelTarget | None = None,
    ) -> None:
        """Start a kernel (replacing any running one) and wait until it answers.

        `python` is an interpreter path, "uv" or "conda" (an environment from that pool);
        `kernelspec` an installed kernelspec; `target` a place resolved before (a restart).
        None of them: the resolution order decides (`nbdesk.daemon.envs.resolution`).
        Launches are serialised: a launch asked for while another starts (launch_kernel
        right after a new notebook) replaces it once up."""
        async with self._launching:
            await self._stop_session()
            self._set_status(KernelStatus.STARTING)
            try:
                await self._start_session(python, kernelspec, target)
            except NbdeskError as exc:
                self._set_status(KernelStatus.DEAD)
                self._locate(KernelPhase.ERROR, reason=exc.message, error=exc)
                self.host.broadcast(KernelErrorEvent(message=exc.message))
                raise
            self._set_status(KernelStatus.IDLE)
            self._locate(KernelPhase.READY)
        self.check_env_sync()
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._run_queue(), name=f"queue {self.host.id}")

    async def _resolve(
        self, python: str | None, kernelspec: str | None, target: KernelTarget | None
    ) -> KernelTarget:
        resolver = self.host.environments.resolver
        owner, folder = self.host.id, self.host.project_folder
        if target is not None:
            return target
        if kernelspec is not None:
            pick = (KernelChoiceKind.KERNELSPEC, kernelspec)
            return await resolver.chosen(owner, pick, folder, self.on_build_line)
        if python in ("uv", "conda"):
            return await resolver.pool(python, owner)
        if python is not None:
            pick = (KernelChoiceKind.PYTHON, python)
            return await resolver.chosen(owner, pick, folder, self.on_build_line)
        return await resolver.resolve(
            owner,
            folder=folder,
            get_metadata=self.host.doc.get_metadata,
            chosen=self.host.kernel_choice,
            deps=self.notebook_deps(),
            on_progress=self._on_env_progress,
            on_line=self.on_build_line,
        )

    async def _start_session(
        self, python: str | None, kernelspec: str | None, target: KernelTarget | None
    ) -> None:
        self._locate(KernelPhase.RESOLVING)
        self.target = target = await self._resolve(python, kernelspec, target)
        self.env, self.env_deps = target.env, target.deps
        self._locate(KernelPhase.STARTING)
        cwd = self.host.kernel_cwd
        if target.hot is not None:
            hot = target.hot.session
            self.session = hot
            hot.rebind(self._on_iopub, self._on_death)
            hot.on_stdin = self._on_stdin
            if hot.cwd != cwd:
                await hot.chdir(cwd)
            return
        session = self._new_session(target)
        session.on_stdin = self._on_stdin
        self.session = session
        try:
            await session.start()
        except NbdeskError:
            self.session = None
            await session.shutdown()
            raise
        if target.remote is not None:  # the server knows what its kernelspec is called
            target.display_name, target.language = session.display_name, session.language

    def _new_session(self, target: KernelTarget) -> Session:
        if target.remote is not None:
            return RemoteKernelSession(
                target.remote.server,
                target.remote.kernelspec,
                on_iopub=self._on_iopub,
                on_death=self._on_death,
                ready_timeout=self.host.kernel_ready_timeout,
            )
        return KernelSession(
            python=target.python,
            kernelspec=target.kernelspec,
            cwd=self.host.kernel_cwd,
            runtime_dir=self.host.kernel_runtime_dir,
            on_iopub=self._on_iopub,
            on_death=self._on_death,
            ready_timeout=self.host.kernel_ready_timeout,
        )

    # -- where the kernel runs, for the status line -----------------------------------------

    def _locate(
        self, phase: KernelPhase, *, reason: str | None = None, error: NbdeskError | None = None
    ) -> None:
        target = self.target
        self.location = KernelLocation(
            display_name=target.display_name if target else "",
            language=target.language if target else "",
            env=target.env_label if target else "",
            source=target.source if target else ResolutionSource.DEFAULT,
            phase=phase,
            reason=reason,
            python=target.python if target else None,
            kernelspec=target.kernelspec_name if target else None,
            needs_ipykernel=error.python if isinstance(error, MissingIpykernel) else None,
            missing_kernelspec=(
                error.kernelspec_name
                if isinstance(error, MissingKernelspec)
                else target.missing_kernelspec
                if target
                else None
            ),
        )
        self.host.broadcast(self.location)

    def _on_env_progress(self, event: EnvProgress) -> None:
        self.host.broadcast(event)
        if event.phase == EnvPhase.BUILDING:
            self._locate(KernelPhase.BUILDING, reason=event.message)

    def on_build_line(self, line: str) -> None:
        """An installer's own output while the notebook's environment is prepared."""
        self.host.broadcast(EnvProgress(kind=EnvKind.DEPS, phase=EnvPhase.BUILDING, message=line))
        if self.location is None or self.location.phase != KernelPhase.BUILDING:
            self._locate(KernelPhase.BUILDING, reason=line)

    def notebook_deps(self) -> tuple[str, ...]:
        return notebook_dependencies(self.host.doc.get_metadata)

    def check_env_sync(self) -> None:
        """Tell the peers when the notebook's dependencies stop (or start again) matching
        the running kernel's environment."""
        if self.session is None:
            return
        try:
            deps = self.notebook_deps()
        except EnvError:
            return
        added, removed = dependency_diff(deps, self.env_deps)
        state = (not added and not removed, tuple(added), tuple(removed))
        if state != self._sync_state:
            self._sync_state = state
            self.host.broadcast(EnvSyncState(in_sync=state[0], added=added, removed=removed))

    def launch_in_background(self, python: str | None = None) -> None:
        self._starting = asyncio.create_task(
            self._launch_logged(python), name=f"launch {self.host.id}"
        )

    async def _launch_logged(self, python: str | None) -> None:
        try:
            await self.launch(python)
        except NbdeskError as exc:
            log.error("%r: %s", self, exc)

    async def ready(self) -> Session:
        """The running kernel; waits for one that is starting, starts one if none ever ran."""
        if self._starting is not None and not self._starting.done():
            await asyncio.shield(self._starting)
        if self.status == KernelStatus.NOT_STARTED:
            await self.launch()
        if self.session is None or self.status in (KernelStatus.DEAD, KernelStatus.SHUTDOWN):
            raise KernelError(
                "no kernel is running: restart the kernel to run cells", code=ErrorCode.NO_KERNEL
            )
        return self.session

    async def _stop_session(self) -> None:
        session, self.session = self.session, None
        self._wake_running()
        if session is not None:
            await session.shutdown()
        if self.env is not None:
            self.env.touch()  # its unused age counts from now

    async def shutdown(self) -> None:
        self._abort_queued("the kernel was shut down")
        await self._stop_session()
        if self.status != KernelStatus.NOT_STARTED:
            self._set_status(KernelStatus.SHUTDOWN)
            self._locate(KernelPhase.STOPPED)
        self._forget_comms()

    async def restart(self) -> None:
        """Restart in the same place, unless the notebook's dependencies changed (then on
        an environment that has them), it never resolved, or it runs in a project (resolve
        again: a restart is how an edited pyproject.toml or environment.yml applies)."""
        target = self.target.for_restart() if self.target else None
        if self.notebook_deps() != self.env_deps:  # an unusable list is the user's to fix
            target = None
        if target is not None and target.source == ResolutionSource.PROJECT:
            target = None
        self._abort_queued("the kernel was restarted")
        await self.launch(target=target)
        self._forget_comms()

    def _forget_comms(self) -> None:
        """A kernel that stops sends no comm_close: its widgets leave the document here."""
        self.widgets.reset()
        if self.host.doc.get_comms():
            self.host.doc.clear_comms()
            self.host.local_change()

    async def interrupt(self) -> None:
        self._abort_queued("interrupted")
        self.input.end()
        if self.session is not None:
            await self.session.interrupt()

    async def close(self) -> None:
        await self.shutdown()
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker

    def _on_death(self, reason: str) -> None:
        self._set_status(KernelStatus.DEAD)
        self._locate(KernelPhase.ERROR, reason=f"{reason}: restart the kernel")
        self.host.broadcast(KernelErrorEvent(message=reason))
        self.input.end()
        self._abort_queued(reason)
        self.session = None
        self._wake_running()
        self._forget_comms()

    # -- the queue -------------------------------------------------------------------

    async def execute_cell(self, cell_id: CellId, *, allow_stdin: bool = True) -> Execution:
        cell = self.host.doc.cell(cell_id)
        if cell.cell_type != CellType.CODE:
            raise NbdeskError(f"cell {cell_id!r} is not a code cell", code=ErrorCode.NOT_CODE)
        await self.ready()
        execution = Execution(cell_id=cell_id, code=cell.source, allow_stdin=allow_stdin)
        self.queue.append(execution)
        self._queue_changed()
        self._wakeup.set()
        return execution

    async def run_all(self, cell_ids: Sequence[CellId] | None = None) -> list[Execution]:
        """Queue every code cell, or those of `cell_ids` in that order (an unknown id
        raises before anything is queued; cells that are not code are skipped)."""
        for cell_id in cell_ids or ():
            self.host.doc.cell(cell_id)
        await self.ready()
        doc = self.host.doc
        cells = doc.cells() if cell_ids is None else [doc.cell(cell_id) for cell_id in cell_ids]
        executions = [
            Execution(cell_id=cell.id, code=cell.source)
            for cell in cells
            if cell.cell_type == CellType.CODE
        ]
        self.queue.extend(executions)
        self._queue_changed()
        self._wakeup.set()
        return executions

    def queue_event(self) -> QueueChanged:
        return QueueChanged(
            running=self.running.cell_id if self.running else None,
            queued=[e.cell_id for e in self.queue],
        )

    def _queue_changed(self) -> None:
        self.host.broadcast(self.queue_event())

    async def _run_queue(self) -> None:
        while True:
            while not self.queue:
                self._wakeup.clear()
                await self._wakeup.wait()
            execution = self.queue.popleft()
            self.running = execution
            self._queue_changed()
            try:
                await self._run(execution)
            except Exception:
                log.exception("%r failed", execution)
                self._finish(execution, ExecutionStatus.ERROR)
            self.running = None
            self._queue_changed()

    async def _run(self, execution: Execution) -> None:
        session = self.session
        if session is None:
            self._finish(execution, ExecutionStatus.ABORTED)
            return
        self.host.broadcast(ExecutionStarted(cell_id=execution.cell_id, execution_id=execution.id))
        # Nothing is written yet: the first flush (at most FLUSH_INTERVAL away, or at the
        # end) replaces the old outputs and count, so a quick cell is one document change.
        execution.written, execution.written_count = None, NEVER_WRITTEN
        self._schedule_flush()
        execution.msg_id = session.execute(execution.code, allow_stdin=execution.allow_stdin)
        self._by_msg[execution.msg_id] = execution
        try:
            execution.reply = await session.request(execution.msg_id)
        except KernelError:
            self._finish(execution, ExecutionStatus.ERROR)
            return
        await self._until_idle(execution, session)
        content = execution.reply["content"]
        execution.count = content.get("execution_count", execution.count)
        status = ExecutionStatus.OK if content.get("status") == "ok" else ExecutionStatus.ERROR
        self._finish(execution, status)
        if status == "error":
            self._abort_queued("a cell failed")

    async def _until_idle(self, execution: Execution, session: Session) -> None:
        """Outputs may follow the reply on IOPub (a flood, a slow socket): the cell is done
        at `idle`, however late, unless its kernel died or was replaced meanwhile."""
        while not execution.idle and self.session is session:
            await execution.done.wait()
            execution.done.clear()

    def _wake_running(self) -> None:
        """The running execution's kernel went away: stop waiting for its `idle`."""
        if self.running is not None:
            self.running.done.set()

    def _finish(self, execution: Execution, status: ExecutionStatus) -> None:
        if self.input.request is not None and self.input.request.execution_id == execution.id:
            self.input.end()
        if execution.msg_id is not None:
            self._by_msg.pop(execution.msg_id, None)
            self._flush(execution)
        self.host.broadcast(
            ExecutionDone(
                cell_id=execution.cell_id,
                execution_id=execution.id,
                status=status,
                execution_count=execution.count,
                heads=self.host.doc.heads_hex(),
            )
        )

    def _abort_queued(self, reason: str) -> None:
        aborted, self.queue = list(self.queue), deque()
        for execution in aborted:
            self._finish(execution, ExecutionStatus.ABORTED)
        if aborted:
            log.info("%r: dropped %d queued cells (%s)", self, len(aborted), reason)
            self._queue_changed()

    # -- stdin -------------------------------------------------------------------------

    def _on_stdin(self, msg: dict[str, Any]) -> None:
        execution = self._by_msg.get(msg["parent_header"].get("msg_id", ""))
        if msg["msg_type"] != "input_request" or execution is None:
            return
        if not execution.allow_stdin and self.session is not None:
            # Asked although told not to (IRkernel ignores allow_stdin): an empty line, as
            # R's readline() reads outside an interactive session, rather than a cell
            # that waits for an answer nobody was asked for.
            self.session.input_reply("")
            return
        self.input.asked(execution.cell_id, execution.id, msg["content"])

    def answer_input(self, execution_id: ExecutionId, value: str) -> None:
        session = self.session
        if session is None:
            raise KernelError("no kernel is running", code=ErrorCode.NO_KERNEL)
        self.input.answer(execution_id, session.input_reply, value)

    # -- IOPub into the document ------------------------------------------------------------

    def _on_iopub(self, msg: dict[str, Any]) -> None:
        msg_type = msg["msg_type"]
        content = msg["content"]
        parent_id = msg["parent_header"].get("msg_id", "")
        execution = self._by_msg.get(parent_id)
        if msg_type == "status":
            state = content.get("execution_state")
            if state in ("busy", "idle") and self.status in (KernelStatus.IDLE, KernelStatus.BUSY):
                self._set_status(KernelStatus(state))
            if state == "idle":
                self.widgets.on_idle(parent_id)
                if execution is not None:
                    execution.idle = True
                    execution.done.set()
            return
        if msg_type == "update_display_data":
            self._update_displays(content)
            return
        if self.widgets.handle_iopub(msg) or execution is None:
            return
        if msg_type == "execute_input":
            execution.count = content.get("execution_count")
            self._schedule_flush()
        elif msg_type in OUTPUT_MSG_TYPES and apply_iopub(execution.area, msg_type, content):
            self._schedule_flush()

    def _schedule_flush(self) -> None:
        if self._flush_handle is None:
            self._flush_handle = asyncio.get_running_loop().call_later(
                FLUSH_INTERVAL, self._flush_running
            )

    def _flush_running(self) -> None:
        self._flush_handle = None
        if self.running is not None:
            self._flush(self.running)

    def _flush(self, execution: Execution) -> None:
        """Write the execution's outputs and count into the document if they changed."""
        hashes = tuple(self.host.outputs.store_output(output) for output in execution.area.outputs)
        if hashes == execution.written and execution.count == execution.written_count:
            return
        try:
            with self.host.doc.change(author=HistoryAuthor.KERNEL):
                if hashes != execution.written:
                    self.host.doc.set_outputs(execution.cell_id, hashes)
                if execution.count != execution.written_count:
                    self.host.doc.set_execution_count(execution.cell_id, execution.count)
        except DocumentError as exc:
            log.info("%r: not writing outputs (%s)", execution, exc)
            return
        execution.written, execution.written_count = hashes, execution.count
        for output in execution.area.outputs:
            display_id = (output.get("transient") or {}).get("display_id")
            if display_id:
                self.display_cells.setdefault(display_id, set()).add(execution.cell_id)
        self.host.local_change()

    def _update_displays(self, content: dict[str, Any]) -> None:
        """update_display_data: every output with that display id, in any cell."""
        display_id = (content.get("transient") or {}).get("display_id")
        if not display_id:
            return
        self.widgets.update_displays(display_id, content)
        if self.running is not None and update_display(self.running.area, display_id, content):
            self._schedule_flush()
        for cell_id in list(self.display_cells.get(display_id, ())):
            if self.running is not None and cell_id == self.running.cell_id:
                continue
            self._update_stored_display(cell_id, display_id, content)

    def _update_stored_display(
        self, cell_id: str, display_id: str, content: dict[str, Any]
    ) -> None:
        outputs = self.host.outputs
        try:
            hashes: list[str] = list(self.host.doc.outputs(cell_id))
        except DocumentError:
            return
        changed = False
        for index, manifest_hash in enumerate(hashes):
            if outputs.display_id(manifest_hash) != display_id:
                continue
            area = OutputArea(outputs=[outputs.load_output(manifest_hash, keep_transient=True)])
            if update_display(area, display_id, content):
                hashes[index] = outputs.store_output(area.outputs[0])
                changed = True
        if changed:
            with self.host.doc.change(author=HistoryAuthor.KERNEL):
                self.host.doc.set_outputs(cell_id, hashes)
            self.host.local_change()
