"""Python daemon replica <-> JS (Automerge 3.5 WASM) replica: sync, schema and concurrency.

The JS side is web/dist/interop-peer.mjs, built from web/src and driven over stdin/stdout
with the daemon's framing (see tests/js_peer.py). Python indices are code points, JS
indices UTF-16 code units; both sides must agree on the document and the cell order.
"""

from __future__ import annotations

import random
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import msgpack
import pytest
from js_peer import JsPeer, JsPeerError, PeerUnavailable, ensure_peer_built, python_cells

from nbdesk.daemon.wire.errors import DocumentError
from nbdesk.daemon.wire.framing import FrameType, encode_frame
from nbdesk.daemon.wire.ids import NotebookId
from nbdesk.daemon.doc.notebook_doc import Cell, NotebookDoc

EMOJI_SOURCE = "héllo 😀 wörld"
StartPeer = Callable[[NotebookDoc], Awaitable[JsPeer]]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.fixture(scope="session")
def peer_script() -> Path:
    try:
        return ensure_peer_built()
    except PeerUnavailable as exc:
        pytest.fail(f"{exc}: `make test` installs node and builds it", pytrace=False)


@pytest.fixture
async def start_peer(peer_script: Path) -> AsyncIterator[StartPeer]:
    """Start JS peers synced with a given Python doc; all are shut down afterwards."""
    peers: list[JsPeer] = []

    async def start(doc: NotebookDoc) -> JsPeer:
        peer = await JsPeer.start(peer_script, doc)
        peers.append(peer)
        return peer

    yield start
    for peer in peers:
        await peer.close()


def two_cell_doc() -> NotebookDoc:
    doc = NotebookDoc.create(NotebookId("nb-interop"))
    doc.insert_cell(
        0,
        "code",
        EMOJI_SOURCE,
        cell_id="cell-emoji",
        execution_count=7,
        outputs=["sha256-0a1b", "sha256-2c3d"],
        metadata={"tags": ["naïve"], "collapsed": False},
    )
    doc.insert_cell(1, "markdown", "# Title\n\n*ünïcode* 🎉", cell_id="cell-md")
    return doc


async def synced_pair(start_peer: StartPeer) -> tuple[NotebookDoc, JsPeer]:
    doc = two_cell_doc()
    js = await start_peer(doc)
    await js.converge()
    return doc, js


def ids(cells: list[dict[str, Any]]) -> list[str]:
    return [cell["id"] for cell in cells]


async def test_empty_js_peer_receives_the_python_document(start_peer: StartPeer) -> None:
    doc = two_cell_doc()
    js = await start_peer(doc)

    snapshot = await js.converge()

    assert snapshot["heads"] == doc.heads_hex()
    first, second = snapshot["cells"]
    assert first == {
        "id": "cell-emoji",
        "cell_type": "code",
        "position": doc.cell("cell-emoji").position,
        "source": EMOJI_SOURCE,
        "execution_count": 7,
        "outputs": ["sha256-0a1b", "sha256-2c3d"],
        "metadata": '{"collapsed":false,"tags":["naïve"]}',
    }
    assert second["source"] == "# Title\n\n*ünïcode* 🎉"
    assert second["cell_type"] == "markdown"


async def test_concurrent_splices_and_inserts_converge(start_peer: StartPeer) -> None:
    doc, js = await synced_pair(start_peer)
    after_emoji = utf16_len("héllo 😀")
    assert after_emoji == 8

    async with js.offline():
        doc.splice_source("cell-emoji", 0, 0, "PY")
        await js.request("splice", cell_id="cell-emoji", index=after_emoji, delete=0, text="JS")
        await js.request("insert_cell", index=1, cell_id="js-new", cell_type="code", source="1+1")
        doc.insert_cell(1, "markdown", "py *new*", cell_id="py-new")
    snapshot = await js.converge()

    assert doc.source("cell-emoji") == "PYhéllo 😀JS wörld"
    assert snapshot["cells"][0]["source"] == "PYhéllo 😀JS wörld"
    assert ids(snapshot["cells"])[0] == "cell-emoji"
    assert set(ids(snapshot["cells"])[1:3]) == {"js-new", "py-new"}
    assert ids(snapshot["cells"])[3] == "cell-md"


async def test_concurrent_inserts_between_the_same_neighbours_order_deterministically(
    start_peer: StartPeer,
) -> None:
    doc, js = await synced_pair(start_peer)

    async with js.offline():
        await js.request("insert_cell", index=1, cell_id="j-1", cell_type="code", source="js")
        doc.insert_cell(1, "code", "py", cell_id="p-1")
    snapshot = await js.converge()

    tied = {cell["id"]: cell["position"] for cell in snapshot["cells"][1:3]}
    assert tied["j-1"] == tied["p-1"], "both sides pick the same key between the same neighbours"
    assert ids(snapshot["cells"]) == ["cell-emoji", "j-1", "p-1", "cell-md"]
    assert doc.cell_ids() == ["cell-emoji", "j-1", "p-1", "cell-md"]

    await js.request("insert_cell", index=2, cell_id="j-2", cell_type="raw", source="")
    await js.converge()
    doc.insert_cell(2, "code", "", cell_id="p-2")
    snapshot = await js.converge()

    expected = ["cell-emoji", "j-1", "p-2", "j-2", "p-1", "cell-md"]
    assert ids(snapshot["cells"]) == expected
    assert doc.cell_ids() == expected
    positions = [cell["position"] for cell in snapshot["cells"]]
    assert positions == sorted(set(positions)), "the tie was respaced into distinct keys"


def read_cells_or_document_error(doc: NotebookDoc) -> list[Cell] | DocumentError:
    """doc.cells(), or the DocumentError it raised; anything else (a panic) fails the test."""
    try:
        return doc.cells()
    except DocumentError as exc:
        return exc


@pytest.mark.parametrize("key", ["visits", "execution_count", "position"])
async def test_a_counter_from_js_does_not_break_the_python_replica(
    start_peer: StartPeer, key: str
) -> None:
    doc, js = await synced_pair(start_peer)

    await js.request("put_counter", key=key)
    await js.converge(check_cells=False)

    listed = read_cells_or_document_error(doc)
    if isinstance(listed, DocumentError):
        assert listed.code == "unsupported_value"
        with pytest.raises(DocumentError):
            doc.cell("cell-emoji")
    else:
        assert sorted(cell.id for cell in listed) == ["cell-emoji", "cell-md"]
    assert doc.cell("cell-md").source == "# Title\n\n*ünïcode* 🎉"
    assert doc.source("cell-emoji") == EMOJI_SOURCE

    reloaded = NotebookDoc.load(doc.save())
    assert reloaded.heads_hex() == doc.heads_hex()
    assert reloaded.cell("cell-md").cell_type == "markdown"

    doc.splice_source("cell-md", 0, 0, "py:")
    await js.request("splice", cell_id="cell-md", index=0, delete=0, text="js:")
    snapshot = await js.converge(check_cells=False)
    assert doc.source("cell-md") in {
        "py:js:# Title\n\n*ünïcode* 🎉",
        "js:py:# Title\n\n*ünïcode* 🎉",
    }
    assert snapshot["cells"][-1]["source"] == doc.source("cell-md")


async def test_a_counter_over_the_schema_version_is_refused_on_load_not_crashed(
    start_peer: StartPeer,
) -> None:
    doc, js = await synced_pair(start_peer)
    await js.request("put_counter", key="schema_version")
    await js.converge(check_cells=False)

    assert [cell.id for cell in doc.cells()] == ["cell-emoji", "cell-md"]
    with pytest.raises(DocumentError):
        NotebookDoc.load(doc.save())


async def test_a_python_write_over_the_counter_makes_the_cell_readable_again(
    start_peer: StartPeer,
) -> None:
    doc, js = await synced_pair(start_peer)
    await js.request("put_counter", key="execution_count")
    await js.converge(check_cells=False)

    doc.set_execution_count("cell-emoji", 3)
    snapshot = await js.converge()

    assert snapshot["cells"][0]["execution_count"] == 3
    assert python_cells(doc)[0]["execution_count"] == 3


def random_insert(rng: random.Random) -> str:
    return "".join(rng.choice(["a", "Z", " ", "é", "😀", "\n", "世", "🎉"]) for _ in range(3))


def python_random_edit(doc: NotebookDoc, cell_id: str, rng: random.Random) -> None:
    text = doc.source(cell_id)
    pos = rng.randint(0, len(text))
    delete = rng.randint(0, min(2, len(text) - pos))
    doc.splice_source(cell_id, pos, delete, random_insert(rng) if rng.random() < 0.8 else "")


async def js_random_edit(js: JsPeer, cell_id: str, rng: random.Random) -> None:
    """Pick code-point positions in JS's current text, then send them as UTF-16 offsets."""
    cells = (await js.snapshot())["cells"]
    text = next(cell["source"] for cell in cells if cell["id"] == cell_id)
    pos = rng.randint(0, len(text))
    delete = rng.randint(0, min(2, len(text) - pos))
    await js.request(
        "splice",
        cell_id=cell_id,
        index=utf16_len(text[:pos]),
        delete=utf16_len(text[pos : pos + delete]),
        text=random_insert(rng) if rng.random() < 0.8 else "",
    )


async def test_two_hundred_interleaved_random_edits_converge(start_peer: StartPeer) -> None:
    doc, js = await synced_pair(start_peer)
    rng = random.Random(20240611)
    targets = ["cell-emoji", "cell-md"]

    for block in range(20):
        async with js.offline():
            for step in range(10):
                cell_id = rng.choice(targets)
                if (block * 10 + step) % 2 == 0:
                    python_random_edit(doc, cell_id, rng)
                else:
                    await js_random_edit(js, cell_id, rng)
    snapshot = await js.converge()

    for cell in snapshot["cells"]:
        assert cell["source"] == doc.source(cell["id"])


async def test_js_edits_are_checked_before_they_reach_the_document(
    start_peer: StartPeer,
) -> None:
    doc = two_cell_doc()
    js = await start_peer(doc)
    with pytest.raises(JsPeerError, match="not_synced"):
        await js.request("insert_cell", index=0, cell_id="early", cell_type="code", source="")
    await js.converge()

    emoji_middle = utf16_len("héllo ") + 1
    bad_requests: list[tuple[str, dict[str, Any]]] = [
        ("bad_splice", {"op": "splice", "cell_id": "cell-emoji", "index": 99, "delete": 0}),
        (
            "bad_splice",
            {"op": "splice", "cell_id": "cell-emoji", "index": emoji_middle, "delete": 0},
        ),
        ("no_such_cell", {"op": "delete_cell", "cell_id": "nope"}),
        ("duplicate_cell", {"op": "insert_cell", "index": 0, "cell_id": "cell-md"}),
        ("bad_cell_type", {"op": "insert_cell", "index": 0, "cell_id": "x", "cell_type": "sql"}),
        ("bad_request", {"op": "splice", "cell_id": "cell-emoji", "index": "0", "delete": 0}),
        ("unknown_op", {"op": "launch"}),
    ]
    for code, fields in bad_requests:
        with pytest.raises(JsPeerError) as raised:
            await js.request(**fields)
        assert raised.value.code == code, fields
    assert (await js.converge())["heads"] == doc.heads_hex()


async def test_js_delete_and_cell_type_changes_reach_python(start_peer: StartPeer) -> None:
    doc, js = await synced_pair(start_peer)

    await js.request("set_cell_type", cell_id="cell-emoji", cell_type="markdown")
    await js.request("delete_cell", cell_id="cell-md")
    await js.converge()

    (cell,) = doc.cells()
    assert (cell.cell_type, cell.outputs, cell.execution_count) == ("markdown", (), None)


async def test_js_peer_skips_unknown_frames_and_rejects_oversized_ones(
    start_peer: StartPeer,
) -> None:
    doc, js = await synced_pair(start_peer)

    await js.write_raw(struct.pack(">IB", 4, 0x7F) + b"???")
    assert (await js.snapshot())["heads"] == doc.heads_hex()

    too_long = 16 * 1024 * 1024 + 2
    await js.write_raw(struct.pack(">IB", too_long, FrameType.REQUEST))
    assert await js.wait_exit() != 0
    assert "frame_too_large" in js.stderr or "over its cap" in js.stderr


async def test_js_peer_reassembles_a_frame_written_byte_by_byte(start_peer: StartPeer) -> None:
    doc, js = await synced_pair(start_peer)
    reply = await js.request("splice", chunk_size=1, cell_id="cell-md", index=0, delete=0, text="é")
    await js.converge()
    assert reply["heads"] == doc.heads_hex()
    assert doc.source("cell-md").startswith("é# Title")


async def test_js_peer_rejects_a_zero_length_frame(start_peer: StartPeer) -> None:
    _, js = await synced_pair(start_peer)
    await js.write_raw(b"\x00\x00\x00\x00")
    assert await js.wait_exit() != 0
    assert "zero-length frame" in js.stderr


async def test_exit_request_ends_the_peer_cleanly(start_peer: StartPeer) -> None:
    _, js = await synced_pair(start_peer)
    payload = msgpack.packb({"id": 1, "op": "exit"})
    await js.write_raw(encode_frame(FrameType.REQUEST, payload))
    assert await js.wait_exit() == 0


def incompressible_text(seed: int, length: int) -> str:
    rng = random.Random(seed)
    alphabet = "abcdefghijklmnopqrstuvwxyzéüß世界😀🎉🐍\n "
    return "".join(rng.choice(alphabet) for _ in range(length))


async def test_large_frames_cross_both_ways(start_peer: StartPeer) -> None:
    """Frames far larger than a pipe buffer: exercises chunked decoding and drain."""
    doc = two_cell_doc()
    big_python = incompressible_text(1, 200_000)
    doc.insert_cell(2, "code", big_python, cell_id="big-py")
    js = await start_peer(doc)
    await js.converge()

    big_js = incompressible_text(2, 200_000)
    await js.request("insert_cell", index=3, cell_id="big-js", cell_type="code", source=big_js)
    snapshot = await js.converge()

    assert doc.source("big-js") == big_js
    assert snapshot["cells"][2]["source"] == big_python
