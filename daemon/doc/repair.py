"""Notebooks nbformat reads but does not validate, made valid nbformat 4.5.

Real files carry what tools wrote: cell ids in a 4.4 file, keys a newer or older tool
added, a missing `outputs` or `metadata`, a malformed output or metadata value. Refusing
them would lock the user out of their own work, so what can be repaired is, and every
repair is described in words for the warning the user sees. Only a structure no repair
can make sense of (cells that are not a list) is refused. Reading JSON and deciding to
repair at all is `ipynb`'s business.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from nbformat.validator import iter_validate

CELL_KEYS = {
    "code": {"id", "cell_type", "metadata", "source", "outputs", "execution_count"},
    "markdown": {"id", "cell_type", "metadata", "source", "attachments"},
    "raw": {"id", "cell_type", "metadata", "source", "attachments"},
}
NOTEBOOK_KEYS = {"cells", "metadata", "nbformat", "nbformat_minor"}
CELL_ID = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")
ROUNDS = 20  # each round removes at least one invalid value; a cap against surprises


class Unrepairable(ValueError):
    """Nothing sensible can be made of this notebook's structure."""


def repair(nb: dict[str, Any]) -> list[str]:
    """Make `nb` (a v4 notebook of any minor, as read) valid 4.5 in place; the repairs made.

    Cells without an id keep none (importing mints them, and an external edit is matched
    by content and position instead); every other problem is fixed or removed.
    """
    notes: list[str] = []
    extra = sorted(set(nb) - NOTEBOOK_KEYS)
    for key in extra:
        del nb[key]
    if extra:
        notes.append(f"removed unknown notebook keys: {', '.join(extra)}")
    if not isinstance(nb.get("metadata"), dict):
        nb["metadata"] = {}
        notes.append("replaced the notebook metadata, which was not a mapping")
    cells = nb.get("cells")
    if not isinstance(cells, list):
        raise Unrepairable("its cells are not a list")
    nb["nbformat_minor"] = 5
    kept = [cell for cell in cells if isinstance(cell, dict)]
    if len(kept) < len(cells):
        notes.append(f"removed {len(cells) - len(kept)} cells that were not objects")
    nb["cells"] = kept
    dropped: Counter[str] = Counter()
    seen_ids: set[str] = set()
    for cell in kept:
        notes.extend(_repair_cell(cell, dropped, seen_ids))
    if dropped:
        listed = ", ".join(f"{key} ({count}x)" for key, count in sorted(dropped.items()))
        notes.append(f"removed unknown cell keys: {listed}")
    notes.extend(_remove_invalid_values(nb))
    return notes


def _repair_cell(cell: dict[str, Any], dropped: Counter[str], seen_ids: set[str]) -> list[str]:
    notes = []
    if cell.get("cell_type") not in CELL_KEYS:
        notes.append(f"made a cell of unknown type {cell.get('cell_type')!r} a raw cell")
        cell["cell_type"] = "raw"
    cell_type = cell["cell_type"]
    for key in set(cell) - CELL_KEYS[cell_type]:
        dropped[key] += 1
        del cell[key]
    cell_id = cell.get("id")
    if "id" in cell and not (
        isinstance(cell_id, str) and CELL_ID.match(cell_id) and cell_id not in seen_ids
    ):
        notes.append(f"gave a new id to a cell whose id {cell_id!r} was malformed or repeated")
        del cell["id"]
    elif isinstance(cell_id, str):
        seen_ids.add(cell_id)
    if not isinstance(cell.get("metadata"), dict):
        cell["metadata"] = {}
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        source = "".join(source)
    if not isinstance(source, str):
        notes.append("turned a cell source that was not text into text")
        source = json.dumps(source)
    cell["source"] = source
    if cell_type == "code":
        if not isinstance(cell.get("outputs"), list):
            cell["outputs"] = []
        count = cell.get("execution_count")
        if not (count is None or (isinstance(count, int) and count >= 0)):
            cell["execution_count"] = None
    return notes


def _remove_invalid_values(nb: dict[str, Any]) -> list[str]:
    """What the schema still rejects: an invalid output is removed, an invalid metadata
    value is removed; anything else cannot be repaired."""
    notes: list[str] = []
    for _ in range(ROUNDS):
        errors = [e for e in iter_validate(nb) if not _missing_id(e)]
        if not errors:
            return notes
        error = errors[0]
        path = list(error.absolute_path)
        notes.append(_remove_at(nb, path, error.message))
    raise Unrepairable("it has more invalid values than nbdesk repairs")


def _missing_id(error: Any) -> bool:
    return error.validator == "required" and "'id'" in error.message


def _remove_at(nb: dict[str, Any], path: list[Any], problem: str) -> str:
    if len(path) >= 4 and path[0] == "cells" and path[2] == "outputs":
        del nb["cells"][path[1]]["outputs"][path[3]]
        return f"removed an invalid output of cell {path[1] + 1} ({problem})"
    if "metadata" in path[:-1]:
        at = path.index("metadata")
        container = nb
        for step in path[: at + 1]:
            container = container[step]
        key = path[at + 1]
        del container[key]
        where = "notebook" if at == 0 else f"cell {path[1] + 1}"
        return f"removed the invalid {where} metadata {key!r} ({problem})"
    if path and path[-1] == "metadata":
        target = nb if len(path) == 1 else nb["cells"][path[1]]
        target["metadata"] = {}
        return f"cleared invalid metadata ({problem})"
    raise Unrepairable(problem)
