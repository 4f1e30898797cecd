"""The `input()` a running cell waits on: shown in every window, answered by any one.

A kernel asks on its stdin channel (`input_request`, parented to the execution); the
room broadcasts `input_request` and the first `input_reply` goes to the kernel. Whatever
ends the wait (an answer, an interrupt, the cell finishing, the kernel dying) broadcasts
`input_answered`, so no window keeps a stale prompt.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from nbdesk.daemon.wire.broadcasts import InputAnswered, InputRequested
from nbdesk.daemon.wire.errors import ErrorCode, NbdeskError
from nbdesk.daemon.wire.ids import CellId, ExecutionId


class PendingInput:
    def __init__(self, broadcast: Callable[[msgspec.Struct], None]) -> None:
        self._broadcast = broadcast
        self.request: InputRequested | None = None

    def asked(self, cell_id: CellId, execution_id: ExecutionId, content: dict[str, Any]) -> None:
        self.request = InputRequested(
            cell_id=cell_id,
            execution_id=execution_id,
            prompt=str(content.get("prompt", "")),
            password=bool(content.get("password", False)),
        )
        self._broadcast(self.request)

    def answer(self, execution_id: ExecutionId, send: Callable[[str], None], value: str) -> None:
        """Hand `value` to the kernel if that execution is still waiting."""
        if self.request is None or self.request.execution_id != execution_id:
            raise NbdeskError(
                "that cell is no longer waiting for input", code=ErrorCode.NO_INPUT_PENDING
            )
        send(value)
        self.end()

    def end(self) -> None:
        """The wait is over, answered or not: windows drop their prompt."""
        if self.request is not None:
            execution_id, self.request = self.request.execution_id, None
            self._broadcast(InputAnswered(execution_id=execution_id))
