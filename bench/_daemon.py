"""Shared bench helpers: a real daemon on a throwaway home, child processes, RSS.

`BenchDaemon` is a context manager: it makes a short temp home (Unix socket paths are
limited to 108 bytes), starts `python -m daemon --quiet` on it with the default
settings (the benches measure what a user gets; pass env overrides to change that),
waits for the socket, and on exit stops the daemon with SIGTERM (SIGKILL if it does
not stop within 20 s) and removes the home, also when the bench failed or was
interrupted (Ctrl-C, or SIGTERM under `run_main`). `spawn` starts the other child
processes the same way (own session, repository root), `rss_kib`/`hwm_kib` read
/proc/<pid>/status.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import NoReturn

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nbdesk.daemon.client.daemon_cli import wait_until_serving  # noqa: E402
from nbdesk.daemon.home.config import Home  # noqa: E402


def rss_kib(pid: int) -> int:
    """VmRSS of a live process, in KiB (Linux /proc)."""
    return _status_kib(pid, "VmRSS")


def hwm_kib(pid: int) -> int:
    """VmHWM (peak RSS) of a live process, in KiB (Linux /proc)."""
    return _status_kib(pid, "VmHWM")


def _status_kib(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


def spawn(
    *args: str, env: dict[str, str] | None = None, stdout: int = subprocess.PIPE
) -> subprocess.Popen[bytes]:
    """`python *args` from the repository root, in its own session: a Ctrl-C in the
    terminal reaches only the bench, which then stops its children itself."""
    return subprocess.Popen(
        [sys.executable, *args], cwd=ROOT, env=env, stdout=stdout, start_new_session=True
    )


def run_main(main: Callable[[], int]) -> NoReturn:
    """Run a bench's `main`, treating SIGTERM like Ctrl-C: either one cancels the run
    (asyncio.run cancels its task), the cleanup runs, and the exit status is 130."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda _signum, _frame: signal.raise_signal(signal.SIGINT))
    try:
        status = main()
    except KeyboardInterrupt:
        print("interrupted; the daemon is stopped and the temporary files removed", file=sys.stderr)
        status = 130
    sys.exit(status)


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """SIGTERM a process this bench started; SIGKILL it if it does not exit in time."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


class BenchDaemon:
    """A real daemon on a temporary home, always stopped and cleaned up on exit."""

    def __init__(self, **env: str) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="nbd-"))
        self.home = Home(self.root)
        self.env = {**os.environ, "NBDESK_HOME": str(self.root), "RUST_BACKTRACE": "0", **env}
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None, "the daemon is not started"
        return self.proc.pid

    def start(self, timeout: float = 20) -> BenchDaemon:
        self.proc = spawn("-m", "nbdesk.daemon", "--quiet", env=self.env, stdout=subprocess.DEVNULL)
        wait_until_serving(self.home, self.proc, timeout)
        return self

    def log(self) -> str:
        try:
            return self.home.log_file.read_text()
        except OSError:
            return ""

    def rss_kib(self) -> int:
        return rss_kib(self.pid)

    def hwm_kib(self) -> int:
        return hwm_kib(self.pid)

    def stop(self) -> None:
        try:
            if self.proc is not None:
                stop_process(self.proc)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> BenchDaemon:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with contextlib.suppress(Exception):
            self.stop()
