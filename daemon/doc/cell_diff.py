"""The one cell-aware notebook diff: which cells were added, removed, moved or modified,
a line diff of each changed source, whether outputs changed (with a diff of their text
summaries) and which metadata keys changed.

Cells are matched by id; cells without one (nbformat < 4.5 files) by type and source in
order, an edited cell keeping its place. A matched cell is "moved" when it is not on the
longest run of cells that kept their relative order. Pure: the sides come in as
`SideCell`s (from the document at any heads, a file, a git revision) and outputs as
opaque keys plus a `describe` function that summarises one (see
`nbdesk.daemon.blobs.output_summary`). Used by the daemon's `compare` and `nbdesk diff`.
"""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from nbdesk.daemon.wire.enums import CellChange, DiffOp
from nbdesk.daemon.wire.responses import CellDiff, DiffLine

Describe = Callable[[str], list[str]]


@dataclass(frozen=True, slots=True)
class SideCell:
    """One cell of one side; `outputs` are keys equal exactly when outputs are equal
    (manifest hashes, or hashes of the output JSON)."""

    id: str | None
    cell_type: str
    source: str
    metadata: dict[str, Any] = field(default_factory=dict)
    outputs: tuple[str, ...] = ()


def notebook_cells(
    nb: dict[str, Any], output_key: Callable[[dict[str, Any]], str]
) -> list[SideCell]:
    """The cells of an nbformat notebook (a file's), each output keyed by `output_key`
    (which may store it, as the daemon does, or just hash it)."""
    cells = []
    for cell in nb.get("cells", []):
        text = cell.get("source", "")
        cells.append(
            SideCell(
                cell.get("id"),
                str(cell["cell_type"]),
                "".join(text) if isinstance(text, list) else text,
                dict(cell.get("metadata", {})),
                tuple(output_key(dict(o)) for o in cell.get("outputs", [])),
            )
        )
    return cells


def line_diff(old: str, new: str) -> list[DiffLine]:
    """Every line of `old` and `new`, kept, removed or added (a unified diff with all
    its context)."""
    a, b = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            lines.extend(DiffLine(op=DiffOp.SAME, text=t) for t in a[a0:a1])
            continue
        lines.extend(DiffLine(op=DiffOp.REMOVED, text=t) for t in a[a0:a1])
        lines.extend(DiffLine(op=DiffOp.ADDED, text=t) for t in b[b0:b1])
    return lines


def _match(left: Sequence[SideCell], right: Sequence[SideCell]) -> dict[int, int]:
    """right index -> left index of the same cell."""
    by_id = {cell.id: i for i, cell in enumerate(left) if cell.id is not None}
    pairs: dict[int, int] = {}
    for j, cell in enumerate(right):
        if cell.id is not None and cell.id in by_id:
            pairs[j] = by_id.pop(cell.id)
    taken = set(pairs.values())
    loose_left = [i for i in range(len(left)) if i not in taken]
    loose_right = [j for j in range(len(right)) if j not in pairs]
    if not loose_left or not loose_right:
        return pairs
    old = [(left[i].cell_type, left[i].source) for i in loose_left]
    new = [(right[j].cell_type, right[j].source) for j in loose_right]
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag not in ("equal", "replace"):
            continue
        for offset in range(min(a1 - a0, b1 - b0)):
            i, j = loose_left[a0 + offset], loose_right[b0 + offset]
            if left[i].id is None or right[j].id is None:  # two ids that differ: two cells
                pairs[j] = i
    return pairs


def _kept_order(pairs: dict[int, int]) -> set[int]:
    """The right indices on the longest run whose left indices also increase."""
    rights = sorted(pairs)
    tails: list[int] = []  # smallest left index ending a run of each length
    tail_at: list[int] = []  # position in `rights` of that tail
    previous = [-1] * len(rights)
    for position, j in enumerate(rights):
        i = pairs[j]
        length = bisect.bisect_left(tails, i)
        if length == len(tails):
            tails.append(i)
            tail_at.append(position)
        else:
            tails[length] = i
            tail_at[length] = position
        previous[position] = tail_at[length - 1] if length else -1
    kept: set[int] = set()
    position = tail_at[-1] if tail_at else -1
    while position >= 0:
        kept.add(rights[position])
        position = previous[position]
    return kept


def diff_cells(
    left: Sequence[SideCell],
    right: Sequence[SideCell],
    describe_left: Describe,
    describe_right: Describe,
) -> list[CellDiff]:
    """The cell-aware diff from `left` to `right`, in the right side's order with each
    removed cell after the cell it followed."""
    pairs = _match(left, right)
    kept = _kept_order(pairs)
    placed: list[tuple[tuple[int, int, int], CellDiff]] = []
    for j, cell in enumerate(right):
        i = pairs.get(j)
        if i is None:
            placed.append(((j, 0, 0), _one_side(cell, None, j, describe_right, added=True)))
        else:
            status = CellChange.UNCHANGED if j in kept else CellChange.MOVED
            placed.append(
                ((j, 0, 0), _pair(left[i], cell, i, j, status, describe_left, describe_right))
            )
    right_of_kept = {pairs[j]: j for j in kept}
    for i, cell in enumerate(left):
        if i in pairs.values():
            continue
        before = max((k for k in right_of_kept if k < i), default=None)
        anchor = right_of_kept[before] if before is not None else -1
        placed.append(((anchor, 1, i), _one_side(cell, i, None, describe_left, added=False)))
    placed.sort(key=lambda entry: entry[0])
    return [entry for _, entry in placed]


def _one_side(
    cell: SideCell,
    left_index: int | None,
    right_index: int | None,
    describe: Describe,
    *,
    added: bool,
) -> CellDiff:
    op = DiffOp.ADDED if added else DiffOp.REMOVED
    summary = [DiffLine(op=op, text=t) for key in cell.outputs for t in describe(key)]
    return CellDiff(
        status=CellChange.ADDED if added else CellChange.REMOVED,
        cell_id=cell.id or "",
        cell_type=cell.cell_type,
        left_index=left_index,
        right_index=right_index,
        source_lines=[DiffLine(op=op, text=t) for t in cell.source.splitlines()],
        outputs_changed=bool(cell.outputs),
        left_outputs=[] if added else list(cell.outputs),
        right_outputs=list(cell.outputs) if added else [],
        output_lines=summary,
        metadata_changed=[],
    )


def _pair(
    old: SideCell,
    new: SideCell,
    i: int,
    j: int,
    status: CellChange,
    describe_left: Describe,
    describe_right: Describe,
) -> CellDiff:
    source_changed = old.source != new.source
    outputs_changed = old.outputs != new.outputs
    metadata_changed = sorted(
        key
        for key in set(old.metadata) | set(new.metadata)
        if old.metadata.get(key) != new.metadata.get(key)
    )
    changed = source_changed or outputs_changed or metadata_changed
    if status == CellChange.UNCHANGED and (changed or old.cell_type != new.cell_type):
        status = CellChange.MODIFIED
    output_lines: list[DiffLine] = []
    if outputs_changed:
        before = [t for key in old.outputs for t in describe_left(key)]
        after = [t for key in new.outputs for t in describe_right(key)]
        output_lines = line_diff("\n".join(before), "\n".join(after))
    return CellDiff(
        status=status,
        cell_id=new.id or old.id or "",
        cell_type=new.cell_type,
        left_index=i,
        right_index=j,
        source_lines=line_diff(old.source, new.source) if source_changed else [],
        outputs_changed=outputs_changed,
        left_outputs=list(old.outputs),
        right_outputs=list(new.outputs),
        output_lines=output_lines,
        metadata_changed=metadata_changed,
    )
