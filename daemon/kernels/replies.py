"""The shell replies a kernel session waits for, by the msg_id of the request.

One table for the local and the remote session: a reply is expected right after its
request is sent (so one that comes back at once is not missed), handed over when it
arrives, and every wait fails with the same error when the kernel goes away."""

from __future__ import annotations

import asyncio
from typing import Any

from nbdesk.daemon.wire.errors import ErrorCode, KernelError


class ShellReplies:
    def __init__(self) -> None:
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}

    def expect(self, msg_id: str) -> asyncio.Future[dict[str, Any]]:
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[msg_id] = future
        return future

    async def wait(self, msg_id: str, timeout: float | None = None) -> dict[str, Any]:
        """The reply to `msg_id` (expected now if it was not already)."""
        future = self._waiting.get(msg_id) or self.expect(msg_id)
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self._waiting.pop(msg_id, None)

    def arrived(self, msg: dict[str, Any]) -> None:
        """A shell (or control) message: the reply someone waits for, or nothing."""
        future = self._waiting.get(msg["parent_header"].get("msg_id", ""))
        if future is not None and not future.done():
            future.set_result(msg)

    def fail_all(self, reason: str) -> None:
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(KernelError(reason, code=ErrorCode.KERNEL_DEAD))
        self._waiting.clear()
