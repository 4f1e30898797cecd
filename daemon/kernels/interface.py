"""What a room's kernel queue, widgets and handlers use of a running kernel, whichever
way it is reached: a local process over ZeroMQ (`session.KernelSession`) or a kernel of
a Jupyter server over its REST API and channels WebSocket
(`remote_session.RemoteKernelSession`).

Both deliver the kernel's messages as jupyter_client's dicts (header, parent_header,
metadata, content, buffers, msg_id, msg_type): IOPub to the `on_iopub` callback, stdin
to `on_stdin`, shell replies to whoever `request()`s them by msg_id, and a death once to
`on_death`. One suite of kernel tests runs over both (tests/daemon/kernels).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class Session(Protocol):
    python: str | None  # the interpreter ipykernel runs from, when nbdesk knows it
    kernel_info: dict[str, Any]  # the kernel's kernel_info reply content
    on_stdin: Callable[[dict[str, Any]], None]

    @property
    def display_name(self) -> str: ...

    @property
    def language(self) -> str: ...

    @property
    def pid(self) -> int | None:
        """The kernel's process here; None for a kernel on another machine."""

    async def start(self) -> dict[str, Any]:
        """Start the kernel; its kernel_info reply once it answers and IOPub delivers."""

    async def request(self, msg_id: str, timeout: float | None = None) -> dict[str, Any]:
        """The shell reply to `msg_id`; a KernelError if the kernel dies first."""

    def execute(self, code: str, *, allow_stdin: bool = False) -> str: ...

    def input_reply(self, value: str) -> None: ...

    async def complete(self, code: str, cursor_pos: int) -> dict[str, Any]: ...

    async def inspect(self, code: str, cursor_pos: int, detail_level: int) -> dict[str, Any]:
        """The kernel's `inspect_reply` content."""

    def comm_msg(
        self, comm_id: str, data: dict[str, Any], buffers: list[bytes] | None = None
    ) -> str: ...

    async def interrupt(self) -> None: ...

    async def shutdown(self) -> None:
        """Stop the kernel and release it; safe to call twice."""
