"""Timeline points from a document and its history log: grouping by author and time,
sessions at long gaps, marks on the point holding their heads, labels by author."""

from __future__ import annotations

from nbdesk.daemon.doc.history_log import HistoryLog
from nbdesk.daemon.doc.notebook_doc import NotebookDoc
from nbdesk.daemon.doc.timeline import SESSION_GAP_SECONDS, timeline
from nbdesk.daemon.wire.enums import HistoryAuthor, HistoryMark
from nbdesk.daemon.wire.ids import NotebookId

T0 = 1_800_000_000.0


def stamp(doc: NotebookDoc, log: HistoryLog, when: float) -> None:
    """Observe the changes made since the last stamp, as if they arrived at `when`."""
    before = set(log.times)
    log.observe(doc, HistoryAuthor.DAEMON)
    for change_hash in set(log.times) - before:
        log.times[change_hash] = when


def test_changes_fold_into_points_and_sessions() -> None:
    doc = NotebookDoc.create(NotebookId("n"))
    log = HistoryLog.start(doc)
    stamp(doc, log, T0)
    cell = doc.insert_cell(0, cell_type="code", source="a")
    stamp(doc, log, T0 + 1)
    for second in range(2, 5):  # typing: one change a second, one point
        doc.splice_source(cell, second - 1, 0, "b")
        stamp(doc, log, T0 + second)
    with doc.change(author=HistoryAuthor.KERNEL):
        doc.set_outputs(cell, ["0" * 64])
    stamp(doc, log, T0 + 5)
    log.mark(HistoryMark.EXECUTION, doc.heads_hex())
    doc.replace_source(cell, "after lunch")
    stamp(doc, log, T0 + 5 + SESSION_GAP_SECONDS)
    points = timeline(doc, log)
    assert [p.author for p in points] == ["daemon", "kernel", "daemon"]
    assert [p.changes for p in points] == [5, 1, 1]
    assert [p.session for p in points] == [0, 0, 1]
    assert [p.time for p in points] == [T0 + 4, T0 + 5, T0 + 5 + SESSION_GAP_SECONDS]
    assert points[1].marks == ["execution"] and points[1].author_label == "the kernel's outputs"
    assert points[-1].heads == doc.heads_hex()
    assert doc.at(points[1].heads).source(cell) == "abbb"


def test_a_new_point_starts_after_a_pause_and_at_a_mark() -> None:
    doc = NotebookDoc.create(NotebookId("n"))
    log = HistoryLog.start(doc)
    stamp(doc, log, T0)
    cell = doc.insert_cell(0, cell_type="code", source="")
    stamp(doc, log, T0 + 1)
    log.mark(HistoryMark.SAVE, doc.heads_hex())
    doc.replace_source(cell, "x")
    stamp(doc, log, T0 + 2)
    doc.replace_source(cell, "xy")
    stamp(doc, log, T0 + 60)
    points = timeline(doc, log)
    assert [p.changes for p in points] == [2, 1, 1]
    assert points[0].marks == ["save"]


def test_a_log_survives_json_and_skips_what_it_does_not_know() -> None:
    doc = NotebookDoc.create(NotebookId("n"))
    log = HistoryLog.start(doc)
    log.mark(HistoryMark.SAVE, doc.heads_hex())
    raw = log.to_json()
    raw["actors"]["ff" * 16] = "martian"
    raw["marks"].append(["teleport", [], 1.0])
    again = HistoryLog.from_json(raw)
    assert again.actors == log.actors and again.marks == log.marks


def test_an_older_document_without_a_log_leaves_its_past_unlabelled() -> None:
    old = NotebookDoc.create(NotebookId("n"))
    old.insert_cell(0, cell_type="code", source="from before")
    loaded = NotebookDoc.load(old.save())
    log = HistoryLog.start(loaded)
    assert log.seen == loaded.heads_hex()
    points = timeline(loaded, log)
    assert [p.author for p in points] == ["daemon"]
