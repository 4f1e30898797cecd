"""What the client's calls return: typed results, built from the daemon's replies here only.

Outputs are `nbformat.NotebookNode`s (attribute and key access, as nbclient and
nbformat users expect). This module does not talk to the daemon.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import nbformat

ExecutionStatus = Literal["ok", "error", "aborted"]


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


@dataclass(frozen=True, slots=True)
class Completion:
    matches: list[str]
    cursor_start: int
    cursor_end: int
    metadata: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Pong:
    daemon_version: str


@dataclass(frozen=True, slots=True)
class DaemonStatus:
    pid: int
    version: str
    socket: str
    home: str
    blob_url: str | None
    uptime: float
    rss_bytes: int | None
    kernels_rss_bytes: int | None
    rooms: list[dict[str, Any]]
    pools: dict[str, Any]
    connections: int


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


def completion(reply: dict[str, Any]) -> Completion:
    return Completion(
        matches=list(reply.get("matches", [])),
        cursor_start=reply["cursor_start"],
        cursor_end=reply["cursor_end"],
        metadata=dict(reply.get("metadata") or {}),
    )


def pong(reply: dict[str, Any]) -> Pong:
    return Pong(daemon_version=reply["daemon_version"])


def daemon_status(reply: dict[str, Any]) -> DaemonStatus:
    return DaemonStatus(
        pid=reply["pid"],
        version=reply["version"],
        socket=reply["socket"],
        home=reply["home"],
        blob_url=reply.get("blob_url"),
        uptime=reply["uptime"],
        rss_bytes=reply.get("rss_bytes"),
        kernels_rss_bytes=reply.get("kernels_rss_bytes"),
        rooms=list(reply.get("rooms") or []),
        pools=dict(reply.get("pools") or {}),
        connections=reply.get("connections", 0),
    )
