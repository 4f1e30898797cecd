"""The cell-aware diff on its own: matching by id and, without ids, by content and place;
moved cells; removed cells placed after the cell they followed; outputs and metadata."""

from __future__ import annotations

from nbdesk.daemon.doc.cell_diff import SideCell, diff_cells


def describe(key: str) -> list[str]:
    return [f"output {key}"]


def cell(cell_id: str | None, source: str, **fields: object) -> SideCell:
    return SideCell(cell_id, "code", source, **fields)  # type: ignore[arg-type]


def summary(left: list[SideCell], right: list[SideCell]) -> list[tuple[str, str]]:
    return [(str(d.status), d.cell_id) for d in diff_cells(left, right, describe, describe)]


def test_cells_match_by_id_and_moves_are_found() -> None:
    left = [cell("a", "1"), cell("b", "2"), cell("c", "3"), cell("d", "4")]
    right = [cell("b", "2"), cell("c", "3"), cell("a", "1"), cell("d", "4")]
    assert summary(left, right) == [
        ("unchanged", "b"),
        ("unchanged", "c"),
        ("moved", "a"),
        ("unchanged", "d"),
    ]


def test_a_removed_cell_stays_where_it_was() -> None:
    left = [cell("a", "1"), cell("b", "2"), cell("c", "3")]
    right = [cell("a", "1"), cell("c", "3"), cell("n", "new")]
    assert summary(left, right) == [
        ("unchanged", "a"),
        ("removed", "b"),
        ("unchanged", "c"),
        ("added", "n"),
    ]


def test_cells_without_ids_match_by_content_then_place() -> None:
    left = [cell(None, "import x"), cell(None, "x.run(1)"), cell(None, "done()")]
    right = [cell("i", "import x"), cell("r", "x.run(2)"), cell("d", "done()")]
    diffs = diff_cells(left, right, describe, describe)
    assert [str(d.status) for d in diffs] == ["unchanged", "modified", "unchanged"]
    assert [(str(x.op), x.text) for x in diffs[1].source_lines] == [
        ("-", "x.run(1)"),
        ("+", "x.run(2)"),
    ]


def test_two_different_ids_are_two_cells_even_with_the_same_source() -> None:
    assert summary([cell("a", "same")], [cell("b", "same")]) == [("removed", "a"), ("added", "b")]


def test_outputs_and_metadata_changes_are_reported() -> None:
    left = [cell("a", "plot()", outputs=("o1",), metadata={"tags": ["x"], "keep": 1})]
    right = [cell("a", "plot()", outputs=("o2",), metadata={"keep": 1, "new": True})]
    (diff,) = diff_cells(left, right, describe, describe)
    assert str(diff.status) == "modified" and diff.source_lines == []
    assert diff.outputs_changed and (diff.left_outputs, diff.right_outputs) == (["o1"], ["o2"])
    assert [(str(x.op), x.text) for x in diff.output_lines] == [
        ("-", "output o1"),
        ("+", "output o2"),
    ]
    assert diff.metadata_changed == ["new", "tags"]
