"""The client for scripts and the REPL: blocking calls over the async client.

    with nbdesk.sync.open("a.ipynb") as nb:
        print(nb.run("1 + 1").outputs)

Every call is handed to one private event loop running in a daemon thread (shared by
all sync clients of the process) and waits for its result, so it works the same in a
script, the REPL and a Jupyter kernel that runs a loop of its own. The replica is only
ever touched on that thread. This module adds no behaviour of its own: each method is
the `NotebookClient` method of the same name.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import nbformat

from nbdesk.daemon.client.connection import HomeLike
from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.client.opening import Opening
from nbdesk.daemon.client.results import ExecutionResult
from nbdesk.daemon.doc.notebook_doc import Cell
from nbdesk.daemon.wire.responses import Completion, Inspection

T = TypeVar("T")


class _LoopThread:
    """One event loop in a daemon thread, started on first use."""

    _lock = threading.Lock()
    _shared: _LoopThread | None = None

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="nbdesk-sync-loop", daemon=True
        )
        self.thread.start()

    @classmethod
    def shared(cls) -> _LoopThread:
        with cls._lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        if threading.current_thread() is self.thread:
            coroutine.close()
            raise RuntimeError("a sync nbdesk call cannot be made from the client's own loop")
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result()
        except KeyboardInterrupt:
            future.cancel()  # Ctrl-C in the REPL stops waiting and cancels the call
            raise

    def call(self, function: Callable[..., T], *args: Any) -> T:
        """Run a plain function on the loop thread (it touches the replica)."""

        async def on_loop() -> T:
            return function(*args)

        return self.run(on_loop())


class SyncNotebook:
    """A `NotebookClient` behind blocking calls; a context manager that closes it."""

    def __init__(self, client: NotebookClient, loop: _LoopThread) -> None:
        self.aclient = client  # the async client, for use on the loop thread only
        self._loop = loop

    def __repr__(self) -> str:
        return f"Sync{self.aclient!r}"

    def __enter__(self) -> SyncNotebook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def notebook_id(self) -> str:
        return self.aclient.notebook_id

    @property
    def path(self) -> str | None:
        return self.aclient.path

    @property
    def kernel_status(self) -> str:
        return self.aclient.kernel_status

    def cells(self) -> list[Cell]:
        return self._loop.call(self.aclient.doc.cells)

    def add_cell(self, source: str = "", cell_type: str = "code", index: int | None = None) -> str:
        return self._loop.call(self.aclient.add_cell, source, cell_type, index)

    def set_source(self, cell_id: str, source: str) -> None:
        self._loop.call(self.aclient.set_source, cell_id, source)

    def confirm_sync(self) -> None:
        self._loop.run(self.aclient.confirm_sync())

    def execute(self, cell_id: str, timeout: float | None = None) -> ExecutionResult:
        return self._loop.run(self.aclient.execute(cell_id, timeout))

    def run(self, source: str, timeout: float | None = None) -> ExecutionResult:
        return self._loop.run(self.aclient.run(source, timeout))

    def run_all(self, timeout: float | None = None) -> list[ExecutionResult]:
        return self._loop.run(self.aclient.run_all(timeout))

    def outputs(self, cell_id: str) -> list[nbformat.NotebookNode]:
        return self._loop.run(self.aclient.outputs(cell_id))

    def complete(self, code: str, cursor_pos: int | None = None) -> Completion:
        return self._loop.run(self.aclient.complete(code, cursor_pos))

    def inspect(
        self, code: str, cursor_pos: int | None = None, detail_level: int = 0
    ) -> Inspection:
        return self._loop.run(self.aclient.inspect(code, cursor_pos, detail_level))

    def interrupt(self) -> None:
        self._loop.run(self.aclient.interrupt())

    def restart(self) -> None:
        self._loop.run(self.aclient.restart())

    def shutdown_kernel(self) -> None:
        self._loop.run(self.aclient.shutdown_kernel())

    def save(self, path: str | Path | None = None) -> str:
        return self._loop.run(self.aclient.save(path))

    def close(self) -> None:
        self._loop.run(self.aclient.close())


def _connect(opening: Opening[NotebookClient]) -> SyncNotebook:
    loop = _LoopThread.shared()

    async def connect() -> NotebookClient:
        return await opening

    return SyncNotebook(loop.run(connect()), loop)


def open(path: str | Path, home: HomeLike = None) -> SyncNotebook:
    """The notebook file at `path`, blocking until this replica is in sync."""
    return _connect(NotebookClient.open(path, home))


def create(home: HomeLike = None) -> SyncNotebook:
    """A new untitled notebook."""
    return _connect(NotebookClient.create(home))


def join(notebook_id: str, home: HomeLike = None) -> SyncNotebook:
    """A notebook already open in the daemon, by its id."""
    return _connect(NotebookClient.join(notebook_id, home))
