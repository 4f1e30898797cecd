"""What a cell's execution returns: an `execution_done` broadcast joined with the outputs.

Replies to requests are the wire's result structs (`nbdesk.daemon.wire.responses`).

Outputs are `nbformat.NotebookNode`s (attribute and key access, as nbclient and
nbformat users expect). This module does not talk to the daemon.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import nbformat

from nbdesk.daemon.wire.enums import ExecutionStatus


@dataclass(frozen=True, slots=True)
class ExecutionResult:
    """One finished execution of a cell."""

    cell_id: str
    execution_id: str
    status: ExecutionStatus
    execution_count: int | None
    outputs: list[nbformat.NotebookNode] = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"ExecutionResult({self.cell_id}, {self.status}, "
            f"count={self.execution_count}, outputs={len(self.outputs)})"
        )

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def error(self) -> nbformat.NotebookNode | None:
        """The `error` output (ename, evalue, traceback), if the cell raised."""
        return next((o for o in self.outputs if o.get("output_type") == "error"), None)

    @property
    def text(self) -> str:
        """Everything printed to stdout/stderr plus plain-text results, concatenated."""
        parts: list[str] = []
        for output in self.outputs:
            if output.get("output_type") == "stream":
                parts.append(output.get("text", ""))
            elif "data" in output:
                parts.append(str(output["data"].get("text/plain", "")))
        return "".join(parts)


def nodes(outputs: Sequence[Mapping[str, Any]]) -> list[nbformat.NotebookNode]:
    return [nbformat.from_dict(output) for output in outputs]


def execution_result(
    done: Mapping[str, Any], outputs: Sequence[Mapping[str, Any]]
) -> ExecutionResult:
    """From an `execution_done` broadcast and the cell's outputs once they arrived."""
    return ExecutionResult(
        cell_id=done["cell_id"],
        execution_id=done["execution_id"],
        status=done["status"],
        execution_count=done.get("execution_count"),
        outputs=nodes(outputs),
    )
