"""The notebook document: schema, every operation, migration, sync and convergence."""

from __future__ import annotations

import json

import pytest
from automerge import core

from nbdesk.daemon.doc.notebook_doc import SCHEMA_VERSION, NotebookDoc, SyncPeer
from nbdesk.daemon.wire.enums import CellType
from nbdesk.daemon.wire.errors import DocumentError
from nbdesk.daemon.wire.ids import NotebookId


def new_doc() -> NotebookDoc:
    return NotebookDoc.create(NotebookId("nb-1"))


def sync_pair(a: NotebookDoc, b: NotebookDoc, rounds: int = 50) -> int:
    """Exchange messages until both sides have nothing to say; returns messages sent."""
    pa, pb = SyncPeer("b-at-a"), SyncPeer("a-at-b")
    return sync_with(a, pa, b, pb, rounds)


def sync_with(a: NotebookDoc, pa: SyncPeer, b: NotebookDoc, pb: SyncPeer, rounds: int = 50) -> int:
    sent = 0
    for _ in range(rounds):
        ma = a.generate_sync_message(pa)
        if ma is not None:
            b.receive_sync_message(pb, ma)
            sent += 1
        mb = b.generate_sync_message(pb)
        if mb is not None:
            a.receive_sync_message(pa, mb)
            sent += 1
        if ma is None and mb is None:
            return sent
    raise AssertionError("sync did not settle")


def test_create_has_schema_v3_root() -> None:
    doc = new_doc()
    assert doc.schema_version == SCHEMA_VERSION == 3
    assert doc.notebook_id == "nb-1"
    assert doc.cells() == []
    assert doc.metadata_keys() == []
    assert doc.get_comms() == []
    raw = core.Document.load(doc.save())
    assert sorted(raw.keys(core.ROOT)) == [
        "cells",
        "comms",
        "metadata",
        "notebook_id",
        "schema_version",
    ]
    assert raw.get(core.ROOT, "schema_version")[0] == (core.ScalarType.Uint, 3)


def test_save_load_round_trip_keeps_everything() -> None:
    doc = new_doc()
    a = doc.insert_cell(
        0, "code", "x = 1", metadata={"tags": ["t"]}, execution_count=4, outputs=["h1", "h2"]
    )
    b = doc.insert_cell(1, "markdown", "# hi 😀", attachments={"a.png": {"image/png": "AAAA"}})
    doc.set_metadata("kernelspec", json.dumps({"name": "python3"}))
    doc.put_comm(
        "c1", "jupyter.widget", "@jupyter-widgets/controls", "IntSliderModel", '{"value": 3}'
    )
    loaded = NotebookDoc.load(doc.save())
    assert loaded.cells() == doc.cells()
    assert [c.id for c in loaded.cells()] == [a, b]
    cell = loaded.cell(a)
    assert (cell.source, cell.execution_count, cell.outputs) == ("x = 1", 4, ("h1", "h2"))
    assert cell.metadata == {"tags": ["t"]}
    assert loaded.cell(b).attachments == {"a.png": {"image/png": "AAAA"}}
    assert json.loads(loaded.get_metadata("kernelspec") or "") == {"name": "python3"}
    assert loaded.get_comms() == doc.get_comms()


def test_insert_at_positions_orders_cells() -> None:
    doc = new_doc()
    first = doc.insert_cell(0, source="first")
    last = doc.insert_cell(1, source="last")
    middle = doc.insert_cell(1, source="middle")
    top = doc.insert_cell(0, source="top")
    end = doc.insert_cell(99, source="end")
    assert doc.cell_ids() == [top, first, middle, last, end]
    positions = [c.position for c in doc.cells()]
    assert positions == sorted(positions) and len(set(positions)) == 5


def test_insert_rejects_duplicate_id_and_needs_synced_replica() -> None:
    doc = new_doc()
    doc.insert_cell(0, cell_id="same")
    with pytest.raises(DocumentError, match="already exists"):
        doc.insert_cell(0, cell_id="same")
    with pytest.raises(DocumentError, match="sync before editing") as info:
        NotebookDoc.empty().insert_cell(0)
    assert info.value.code == "not_synced"


def test_delete_and_move() -> None:
    doc = new_doc()
    ids = [doc.insert_cell(i, source=str(i)) for i in range(5)]
    doc.move_cell(ids[0], 4)
    assert doc.cell_ids() == [*ids[1:], ids[0]]
    doc.move_cell(ids[0], 0)
    assert doc.cell_ids() == ids
    doc.move_cell(ids[3], 1)
    assert doc.cell_ids() == [ids[0], ids[3], ids[1], ids[2], ids[4]]
    doc.delete_cell(ids[3])
    assert doc.cell_ids() == [ids[0], ids[1], ids[2], ids[4]]
    with pytest.raises(DocumentError) as info:
        doc.delete_cell(ids[3])
    assert info.value.code == "no_such_cell"


def test_move_rewrites_only_position() -> None:
    doc = new_doc()
    a = doc.insert_cell(0, source="a", outputs=["h"], execution_count=1)
    doc.insert_cell(1, source="b")
    before = doc.cell(a)
    doc.move_cell(a, 2)
    after = doc.cell(a)
    assert after.position != before.position
    assert (after.source, after.outputs, after.execution_count) == ("a", ("h",), 1)


def test_set_type_clears_outputs_of_non_code() -> None:
    doc = new_doc()
    a = doc.insert_cell(0, "code", "x", outputs=["h"], execution_count=2)
    doc.set_cell_type(a, CellType.MARKDOWN)
    cell = doc.cell(a)
    assert cell.cell_type == "markdown" and cell.outputs == () and cell.execution_count is None
    doc.set_cell_type(a, "raw")
    assert doc.cell(a).cell_type == CellType.RAW
    with pytest.raises(ValueError):
        doc.set_cell_type(a, "python")


def test_splice_and_replace_source_in_code_points() -> None:
    doc = new_doc()
    a = doc.insert_cell(0, source="hé😀x")
    doc.splice_source(a, 3, 0, "y")
    assert doc.source(a) == "hé😀yx"
    doc.splice_source(a, 0, 2, "")
    assert doc.source(a) == "😀yx"
    with pytest.raises(DocumentError) as info:
        doc.splice_source(a, 2, 5, "")
    assert info.value.code == "bad_splice"
    doc.replace_source(a, "😀 new yx")
    assert doc.source(a) == "😀 new yx"
    doc.replace_source(a, "")
    assert doc.source(a) == ""


def test_replace_source_is_minimal_so_concurrent_edits_survive() -> None:
    base = new_doc()
    a = base.insert_cell(0, source="alpha beta gamma")
    other = base.fork()
    base.replace_source(a, "alpha BETA gamma")
    other.splice_source(a, len("alpha beta gamma"), 0, " delta")
    sync_pair(base, other)
    assert base.source(a) == other.source(a) == "alpha BETA gamma delta"


def test_execution_count_and_outputs() -> None:
    doc = new_doc()
    a = doc.insert_cell(0)
    doc.set_execution_count(a, 7)
    assert doc.cell(a).execution_count == 7
    doc.set_execution_count(a, None)
    assert doc.cell(a).execution_count is None
    doc.set_outputs(a, ["z1", "z2", "z3"])
    assert doc.outputs(a) == ("z1", "z2", "z3")
    doc.clear_outputs(a)
    assert doc.outputs(a) == ()


def test_cell_metadata_and_notebook_metadata() -> None:
    doc = new_doc()
    a = doc.insert_cell(0)
    doc.set_cell_metadata(a, {"collapsed": True, "tags": ["x"]})
    assert doc.cell(a).metadata == {"collapsed": True, "tags": ["x"]}
    doc.set_metadata("language_info", '{"name": "python"}')
    assert doc.get_metadata("language_info") == '{"name": "python"}'
    assert doc.get_metadata("missing") is None
    with pytest.raises(DocumentError) as info:
        doc.set_metadata("bad", "{not json")
    assert info.value.code == "bad_json"
    assert doc.metadata() == {"language_info": {"name": "python"}}
    doc.delete_metadata("language_info")
    assert doc.metadata_keys() == []


def test_comms_operations() -> None:
    doc = new_doc()
    doc.put_comm(
        "s", "jupyter.widget", "@jupyter-widgets/controls", "IntSliderModel", '{"value": 1}'
    )
    doc.put_comm("o", "jupyter.widget", "@jupyter-widgets/output", "OutputModel", '{"msg_id": ""}')
    doc.put_comm("l", "jupyter.widget", "@jupyter-widgets/base", "LayoutModel", "{}", seq=10)
    assert [c.comm_id for c in doc.get_comms()] == ["s", "o", "l"]
    assert [c.seq for c in doc.get_comms()] == [0, 1, 10]
    doc.update_comm_state("s", '{"value": 5}')
    assert doc.get_comm("s").state == {"value": 5}
    doc.set_comm_outputs("o", ["m1", "m2"])
    assert doc.get_comm("o").outputs == ("m1", "m2")
    doc.set_comm_outputs("o", [])
    assert doc.get_comm("o").outputs == ()
    doc.remove_comm("s")
    assert not doc.has_comm("s") and doc.has_comm("o")
    with pytest.raises(DocumentError) as info:
        doc.update_comm_state("s", "{}")
    assert info.value.code == "no_such_comm"
    doc.put_comm("n", "jupyter.widget", "m", "M", "{}")
    assert doc.get_comm("n").seq == 11
    doc.clear_comms()
    assert doc.get_comms() == []


def test_change_groups_writes_into_one_change() -> None:
    doc = new_doc()
    heads_before = doc.heads()
    with doc.change():
        a = doc.insert_cell(0, source="a")
        doc.splice_source(a, 1, 0, "b")
        doc.set_execution_count(a, 1)
        assert doc.source(a) == "ab"
    assert len(doc._doc.get_changes(heads_before)) == 1


def test_failed_change_rolls_back() -> None:
    doc = new_doc()
    a = doc.insert_cell(0, source="keep")
    with pytest.raises(DocumentError), doc.change():
        doc.splice_source(a, 0, 0, "lost ")
        doc.delete_cell("missing")
    assert doc.source(a) == "keep"


def v2_document() -> bytes:
    """A document as schema v2 wrote it: no comms map."""
    raw = core.Document()
    with raw.transaction() as tx:
        tx.put(core.ROOT, "schema_version", core.ScalarType.Uint, 2)
        tx.put(core.ROOT, "notebook_id", core.ScalarType.Str, "old")
        cells = tx.put_object(core.ROOT, "cells", core.ObjType.Map)
        tx.put_object(core.ROOT, "metadata", core.ObjType.Map)
        cell = tx.put_object(cells, "c1", core.ObjType.Map)
        tx.put(cell, "id", core.ScalarType.Str, "c1")
        tx.put(cell, "cell_type", core.ScalarType.Str, "code")
        tx.put(cell, "position", core.ScalarType.Str, "a0")
        text = tx.put_object(cell, "source", core.ObjType.Text)
        tx.splice_text(text, 0, 0, "print(1)")
        tx.put(cell, "execution_count", core.ScalarType.Null, None)
        tx.put_object(cell, "outputs", core.ObjType.List)
        tx.put(cell, "metadata", core.ScalarType.Str, "{}")
    return bytes(raw.save())


def test_migrate_v2_to_v3() -> None:
    old = NotebookDoc.load(v2_document(), migrate=False)
    assert old.schema_version == 2
    assert old.migrate_v2_to_v3() is True
    assert old.schema_version == 3
    assert old.get_comms() == []
    old.put_comm("c", "t", "m", "M", "{}")
    assert old.migrate_v2_to_v3() is False
    migrated = NotebookDoc.load(v2_document())
    assert migrated.schema_version == 3 and migrated.source("c1") == "print(1)"
    assert NotebookDoc.load(migrated.save()).schema_version == 3


def test_future_version_is_refused_not_rewritten() -> None:
    raw = core.Document()
    with raw.transaction() as tx:
        tx.put(core.ROOT, "schema_version", core.ScalarType.Uint, 4)
        tx.put_object(core.ROOT, "cells", core.ObjType.Map)
    data = bytes(raw.save())
    with pytest.raises(DocumentError, match="newer than this nbdesk") as info:
        NotebookDoc.load(data)
    assert info.value.code == "future_schema"


def test_garbage_and_non_notebook_documents_are_refused() -> None:
    with pytest.raises(DocumentError, match="loading the document"):
        NotebookDoc.load(b"not automerge at all")
    with pytest.raises(DocumentError, match="no schema_version"):
        NotebookDoc.load(bytes(core.Document().save()))


def test_wrongly_typed_fields_give_clear_errors() -> None:
    doc = new_doc()
    a = doc.insert_cell(0)
    with doc._doc.transaction() as tx:
        cells = doc._doc.get(core.ROOT, "cells")[1]
        cell = doc._doc.get(cells, a)[1]
        tx.put(cell, "cell_type", core.ScalarType.Str, "python")
        tx.put_object(cell, "metadata", core.ObjType.List)
    with pytest.raises(DocumentError):
        doc.cell(a)


def test_sync_from_empty_replica_and_back() -> None:
    daemon = new_doc()
    a = daemon.insert_cell(0, source="x = 'ü'")
    client = NotebookDoc.empty()
    assert not client.is_synced() and client.cells() == []
    sync_pair(daemon, client)
    assert client.is_synced()
    assert client.cells() == daemon.cells()
    client.splice_source(a, 0, 0, "# client\n")
    sync_pair(daemon, client)
    assert daemon.source(a) == "# client\nx = 'ü'"
    assert daemon.heads_hex() == client.heads_hex()


def test_receive_reports_change_by_heads() -> None:
    daemon = new_doc()
    client = NotebookDoc.empty()
    pd, pc = SyncPeer(), SyncPeer()
    first = daemon.generate_sync_message(pd)
    assert first is not None
    assert client.receive_sync_message(pc, first) is False
    sync_with(daemon, pd, client, pc)
    daemon.insert_cell(0)
    message = daemon.generate_sync_message(pd)
    assert message is not None and client.receive_sync_message(pc, message) is True


def test_receive_of_garbage_is_a_clear_error() -> None:
    doc = new_doc()
    with pytest.raises(DocumentError, match="decoding a sync message"):
        doc.receive_sync_message(SyncPeer(), b"\x00\x01garbage")
    assert doc.cells() == []


def test_contains_heads() -> None:
    daemon = new_doc()
    client = NotebookDoc.empty()
    sync_pair(daemon, client)
    client.insert_cell(0)
    wanted = client.heads_hex()
    assert not daemon.contains_heads(wanted)
    sync_pair(daemon, client)
    assert daemon.contains_heads(wanted)
    daemon.insert_cell(0)
    assert daemon.contains_heads(wanted)
    assert daemon.contains_heads([])
    with pytest.raises(DocumentError):
        daemon.contains_heads(["zz"])


def test_concurrent_inserts_between_same_neighbours_converge_deterministically() -> None:
    base = new_doc()
    left = base.insert_cell(0, source="left")
    right = base.insert_cell(1, source="right")
    a, b = base.fork(), base.fork()
    ca = a.insert_cell(1, source="from a", cell_id="aaaa")
    cb = b.insert_cell(1, source="from b", cell_id="bbbb")
    assert a.cell(ca).position == b.cell(cb).position
    sync_pair(a, b)
    assert a.cell_ids() == b.cell_ids() == [left, ca, cb, right]
    between = a.insert_cell(2, source="between the tie")
    assert a.cell_ids() == [left, ca, between, cb, right]
    sync_pair(a, b)
    assert b.cell_ids() == a.cell_ids()


def test_concurrent_edits_of_every_kind_converge() -> None:
    base = new_doc()
    cells = [base.insert_cell(i, source=f"cell {i}") for i in range(4)]
    a, b = base.fork(), base.fork()
    a.splice_source(cells[0], 0, 0, "A:")
    b.splice_source(cells[0], 6, 0, ":B")
    a.move_cell(cells[3], 0)
    b.delete_cell(cells[2])
    a.set_execution_count(cells[1], 5)
    b.set_outputs(cells[1], ["out"])
    a.set_metadata("k", '"a"')
    b.put_comm("w", "jupyter.widget", "m", "M", '{"v": 1}')
    sync_pair(a, b)
    assert a.heads_hex() == b.heads_hex()
    assert a.cells() == b.cells()
    assert a.source(cells[0]) == "A:cell 0:B"
    assert a.cell_ids() == [cells[3], cells[0], cells[1]]
    assert a.cell(cells[1]).execution_count == 5 and a.outputs(cells[1]) == ("out",)
    assert b.get_metadata("k") == '"a"' and a.get_comm("w").state == {"v": 1}
