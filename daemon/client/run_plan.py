"""Which cells `nbdesk run` executes, and which may raise: nbclient's rules, as data.

A code cell runs unless it is empty (whitespace only) or tagged `skip-execution`; a cell
may raise without stopping the run when it is tagged `raises-exception` or the run was
asked to go on after errors. This module does not talk to the daemon.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

SKIP_TAG = "skip-execution"
RAISES_TAG = "raises-exception"


class CellPlan(StrEnum):
    RUN = "run"
    NOT_CODE = "not code"
    EMPTY = "empty, not run"
    SKIPPED = f"skipped ({SKIP_TAG})"


def tags(cell: Mapping[str, Any]) -> list[str]:
    found = cell.get("metadata", {}).get("tags", [])
    return [str(tag) for tag in found] if isinstance(found, list) else []


def plan(cell: Mapping[str, Any]) -> CellPlan:
    if cell.get("cell_type") != "code":
        return CellPlan.NOT_CODE
    if not str(cell.get("source", "")).strip():
        return CellPlan.EMPTY
    if SKIP_TAG in tags(cell):
        return CellPlan.SKIPPED
    return CellPlan.RUN


def may_raise(cell: Mapping[str, Any], allow_errors: bool) -> bool:
    return allow_errors or RAISES_TAG in tags(cell)
