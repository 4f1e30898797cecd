"""A live daemon against bad peers: each bad input costs only the connection that sent it.

Every test connects a well-behaved NotebookClient first, then a raw socket peer sends one
kind of bad input. The bad connection must see EOF (or an error response, then EOF), the
daemon must log why and stay alive, and the good client must still edit, confirm its sync
and be seen by a fresh client joining the same notebook.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from raw_peer import (
    CLOSE_WITHIN,
    MiB,
    RawPeer,
    assert_good_client_works,
    expect_eof,
    expect_error_then_eof,
    good_client,
    raw_header,
    request_frame,
    rss_bytes,
    wait_for_log,
)

from nbdesk.daemon.client.control_client import ControlClient
from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.wire.errors import NbdeskError
from nbdesk.daemon.wire.framing import PREAMBLE, FrameType, encode_frame

__all__ = ["good_client"]  # a fixture

# -- the preamble ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preamble", "code"),
    [
        (b"HTTP/1.1 GET / \r\n\r\n", "bad_magic"),
        (b"\x00\x00\x00\x00\x00", "bad_magic"),
        (b"NBDK\x09", "bad_version"),
        (b"NBDK\x00", "bad_version"),
    ],
)
async def test_bad_preamble_gets_an_error_then_eof(
    daemon: Any, good_client: NotebookClient, preamble: bytes, code: str
) -> None:
    peer = await RawPeer.connect(daemon)
    await peer.send(preamble)
    await expect_error_then_eof(peer, code)
    await wait_for_log(daemon, "bad magic" if code == "bad_magic" else "protocol version")
    await assert_good_client_works(daemon, good_client)


async def test_silent_client_is_closed_by_the_handshake_timeout(
    daemon: Any, good_client: NotebookClient
) -> None:
    peer = await RawPeer.connect(daemon)
    started = time.monotonic()
    await expect_error_then_eof(peer, "handshake_timeout")
    assert 1.5 < time.monotonic() - started < CLOSE_WITHIN
    await wait_for_log(daemon, "no handshake within")
    await assert_good_client_works(daemon, good_client)


async def test_preamble_then_silence_is_closed_by_the_handshake_timeout(
    daemon: Any, good_client: NotebookClient
) -> None:
    peer = await RawPeer.connect(daemon)
    await peer.send(PREAMBLE)
    await expect_error_then_eof(peer, "handshake_timeout")
    await assert_good_client_works(daemon, good_client)


# -- oversized, truncated and empty frames ---------------------------------------------


@pytest.mark.parametrize("type_byte", [FrameType.DOC_SYNC, FrameType.REQUEST, 0x7F])
async def test_huge_length_prefix_is_refused_without_allocating(
    daemon: Any, good_client: NotebookClient, type_byte: int
) -> None:
    peer = await RawPeer.joined(daemon, good_client.notebook_id)
    rss_before = rss_bytes(daemon.pid)
    await peer.send(raw_header(1_150_000_000, type_byte))
    await expect_error_then_eof(peer, "frame_too_large")
    growth = rss_bytes(daemon.pid) - rss_before
    assert growth < 100 * MiB, f"daemon RSS grew by {growth / MiB:.0f} MiB"
    await wait_for_log(daemon, "declares 1150000000 bytes")
    await assert_good_client_works(daemon, good_client)


@pytest.mark.parametrize("after_handshake", [False, True], ids=["before", "after"])
async def test_frame_cut_off_mid_payload(
    daemon: Any, good_client: NotebookClient, after_handshake: bool
) -> None:
    if after_handshake:
        peer = await RawPeer.joined(daemon, good_client.notebook_id)
        await peer.send(raw_header(1000, FrameType.DOC_SYNC) + b"x" * 10)
    else:
        peer = await RawPeer.connect(daemon)
        await peer.send(PREAMBLE + raw_header(1000, FrameType.REQUEST) + b"x" * 10)
    await peer.close()
    # A room peer may hear its sync frames fail first (broken pipe): it then "went away".
    reasons = ["connection closed inside a frame (10 of 999 bytes read)"]
    await wait_for_log(daemon, *reasons, *(["went away"] if after_handshake else []))
    await assert_good_client_works(daemon, good_client)


@pytest.mark.parametrize("after_handshake", [False, True], ids=["before", "after"])
async def test_zero_length_frame(
    daemon: Any, good_client: NotebookClient, after_handshake: bool
) -> None:
    if after_handshake:
        peer = await RawPeer.joined(daemon, good_client.notebook_id)
    else:
        peer = await RawPeer.connect(daemon)
        await peer.send(PREAMBLE)
    await peer.send(b"\x00\x00\x00\x00")
    await expect_error_then_eof(peer, "bad_frame")
    await wait_for_log(daemon, "zero-length frame")
    await assert_good_client_works(daemon, good_client)


# -- bad payloads after a valid handshake ----------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [b"\xc1", b"\x82\xa2id", b"\x93\x01\x02\x03", b"not msgpack at all \xff\xfe"],
    ids=["reserved-byte", "truncated-map", "array-not-map", "text"],
)
async def test_invalid_msgpack_request_closes_the_connection(
    daemon: Any, good_client: NotebookClient, payload: bytes
) -> None:
    peer = await RawPeer.joined(daemon, good_client.notebook_id)
    await peer.send(encode_frame(FrameType.REQUEST, payload))
    await expect_error_then_eof(peer, "bad_msgpack")
    await wait_for_log(daemon, "msgpack")
    await assert_good_client_works(daemon, good_client)


async def test_deeply_nested_msgpack_closes_the_connection(
    daemon: Any, good_client: NotebookClient
) -> None:
    peer = await RawPeer.joined(daemon, good_client.notebook_id)
    await peer.send(encode_frame(FrameType.REQUEST, b"\x91" * 100_000))
    await expect_eof(peer)
    await assert_good_client_works(daemon, good_client)


async def test_deeply_nested_msgpack_gets_a_bad_msgpack_error(
    daemon: Any, good_client: NotebookClient
) -> None:
    peer = await RawPeer.joined(daemon, good_client.notebook_id)
    await peer.send(encode_frame(FrameType.REQUEST, b"\x91" * 100_000))
    await expect_error_then_eof(peer, "bad_msgpack")
    assert "unexpected error" not in daemon.log()


@pytest.mark.parametrize(
    ("bad_request", "code"),
    [
        ({"id": 5, "op": "frobnicate"}, "unknown_op"),
        ({"id": 5, "op": "ping"}, "unknown_op"),  # a control op, on a room connection
        ({"id": 5, "op": "get_raw_metadata"}, "bad_request"),
        ({"id": 5, "op": "get_raw_metadata", "key": 7}, "bad_request"),
        ({"id": 5, "op": "sync_barrier", "required_heads": ["zz"]}, "bad_heads"),
    ],
    ids=["unknown-op", "control-op", "missing-key", "key-not-str", "bad-heads"],
)
async def test_bad_room_request_gets_an_error_and_the_connection_stays(
    daemon: Any, good_client: NotebookClient, bad_request: dict[str, Any], code: str
) -> None:
    peer = await RawPeer.joined(daemon, good_client.notebook_id)
    response = await peer.request(bad_request)
    assert response["ok"] is False, response
    assert (response["id"], response["error"]["code"]) == (5, code), response
    follow_up = await peer.request({"id": 6, "op": "get_raw_metadata", "key": "x"})
    assert follow_up == {"id": 6, "ok": True, "value": None}
    await peer.close()
    await assert_good_client_works(daemon, good_client)


@pytest.mark.parametrize(
    ("bad_request", "code"),
    [
        ({"id": 5, "op": "frobnicate"}, "unknown_op"),
        ({"id": 5, "op": "get_raw_metadata", "key": "x"}, "unknown_op"),
        ({"id": "five", "op": "ping"}, "bad_request"),
    ],
    ids=["unknown-op", "room-op", "id-not-int"],
)
async def test_bad_control_request_gets_an_error_and_the_connection_stays(
    daemon: Any, good_client: NotebookClient, bad_request: dict[str, Any], code: str
) -> None:
    peer = await RawPeer.control(daemon)
    response = await peer.request(bad_request)
    assert response["ok"] is False, response
    assert response["error"]["code"] == code, response
    assert response["id"] == (5 if isinstance(bad_request["id"], int) else None)
    assert (await peer.request({"id": 6, "op": "ping"}))["pong"] is True
    await peer.close()
    await assert_good_client_works(daemon, good_client)


@pytest.mark.parametrize(
    "payload",
    [
        b"not an automerge sync message",
        b"\x42" + bytes(range(256)),
        b"\x42\x01\x00\x00",
        b"",
    ],
    ids=["text", "sync-type-byte-then-junk", "head-cut-off", "empty"],
)
async def test_doc_sync_that_is_not_automerge_closes_the_connection(
    daemon: Any, good_client: NotebookClient, payload: bytes
) -> None:
    peer = await RawPeer.joined(daemon, good_client.notebook_id)
    await peer.send(encode_frame(FrameType.DOC_SYNC, payload))
    await expect_error_then_eof(peer, "bad_sync")
    await wait_for_log(daemon, "bad sync message")
    await assert_good_client_works(daemon, good_client)


@pytest.mark.parametrize(
    "payload",
    [b"\x42\x00\x00\x00\x00\x00\x00\xff\xff", b"\x42\x00\x00\x00\x00\x01\x05hello"],
    ids=["empty-message-then-trailing-bytes", "junk-change"],
)
async def test_decodable_sync_message_with_junk_is_harmless(
    daemon: Any, good_client: NotebookClient, payload: bytes
) -> None:
    """Automerge decodes these (it ignores trailing bytes and junk changes): no harm done."""
    peer = await RawPeer.joined(daemon, good_client.notebook_id)
    await peer.send(encode_frame(FrameType.DOC_SYNC, payload))
    still_open = await peer.request({"id": 2, "op": "get_raw_metadata", "key": "x"})
    assert still_open == {"id": 2, "ok": True, "value": None}
    await peer.close()
    await assert_good_client_works(daemon, good_client)


# -- a peer that dies mid-frame ---------------------------------------------------------

KILLED_PEER_SCRIPT = """
import os, socket, struct, sys, time
sock = socket.socket(socket.AF_UNIX)
sock.connect(sys.argv[1])
sock.sendall(bytes.fromhex(sys.argv[2]))
sock.recv(1)  # the handshake response has started: the peer is in the room
size = int(sys.argv[3])
sock.sendall(struct.pack(">IB", size + 1, 0) + b"\\0" * (size // 2))
if sys.argv[4] == "exit":
    os._exit(1)
print("half sent", flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("death", ["exit", "sigkill"])
async def test_peer_killed_mid_frame(daemon: Any, good_client: NotebookClient, death: str) -> None:
    handshake = PREAMBLE + request_frame(
        {"id": 1, "op": "join", "notebook_id": good_client.notebook_id}
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        KILLED_PEER_SCRIPT,
        str(daemon.home.socket),
        handshake.hex(),
        str(32 * MiB),
        death,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        if death == "sigkill":
            assert await asyncio.wait_for(proc.stdout.readline(), 20) == b"half sent\n"
            proc.kill()
        await asyncio.wait_for(proc.wait(), 20)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    # Unread sync frames in the dead peer's socket make the kernel reset the connection, so
    # the daemon may hear a reset (it "went away") instead of the EOF inside the frame.
    await wait_for_log(daemon, "connection closed inside a frame", "went away")
    await assert_good_client_works(daemon, good_client)


# -- bad handshakes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "frame_type", [FrameType.DOC_SYNC, FrameType.RESPONSE, FrameType.BROADCAST]
)
async def test_handshake_that_is_not_a_request(
    daemon: Any, good_client: NotebookClient, frame_type: FrameType
) -> None:
    peer = await RawPeer.connect(daemon)
    body = msgspec.msgpack.encode({"id": 1, "op": "create"})
    await peer.send(PREAMBLE + encode_frame(frame_type, body))
    await expect_error_then_eof(peer, "no_handshake")
    await wait_for_log(daemon, "the first frame must be a handshake request")
    await assert_good_client_works(daemon, good_client)


@pytest.mark.parametrize(
    ("handshake", "code"),
    [
        ({"id": 1, "op": "frobnicate"}, "unknown_op"),
        ({"id": 1, "op": "get_raw_metadata", "key": "x"}, "unknown_op"),
        ({"id": 1, "op": "ping"}, "unknown_op"),
        ({"id": 1}, "bad_request"),
        ({"id": 1, "op": "join"}, "bad_request"),
        ({"id": 1, "op": "open", "path": 42}, "bad_request"),
    ],
    ids=["unknown-op", "room-op", "control-op", "no-op", "join-without-id", "path-not-str"],
)
async def test_handshake_with_a_bad_op(
    daemon: Any, good_client: NotebookClient, handshake: dict[str, Any], code: str
) -> None:
    peer = await RawPeer.connect(daemon)
    await peer.send(PREAMBLE + request_frame(handshake))
    await expect_error_then_eof(peer, code)
    await wait_for_log(daemon, "bad request")
    await assert_good_client_works(daemon, good_client)


async def test_handshake_that_is_invalid_msgpack(daemon: Any, good_client: NotebookClient) -> None:
    peer = await RawPeer.connect(daemon)
    await peer.send(PREAMBLE + encode_frame(FrameType.REQUEST, b"\xc1\xc1"))
    await expect_error_then_eof(peer, "bad_msgpack")
    await assert_good_client_works(daemon, good_client)


@pytest.mark.parametrize(
    "notebook_id",
    [str(uuid.uuid4()), "", "../../../etc/passwd", "x" * 10_000],
    ids=["fresh-uuid", "empty", "path-like", "long"],
)
async def test_join_of_an_unknown_notebook(
    daemon: Any, good_client: NotebookClient, notebook_id: str
) -> None:
    peer = await RawPeer.connect(daemon)
    await peer.send(PREAMBLE + request_frame({"id": 7, "op": "join", "notebook_id": notebook_id}))
    await expect_error_then_eof(peer, "no_such_notebook", request_id=7)
    await wait_for_log(daemon, "refusing")
    await assert_good_client_works(daemon, good_client)


async def test_open_of_a_missing_file(
    daemon: Any, good_client: NotebookClient, tmp_path: Path
) -> None:
    peer = await RawPeer.connect(daemon)
    missing = tmp_path / "missing.ipynb"
    await peer.send(PREAMBLE + request_frame({"id": 3, "op": "open", "path": str(missing)}))
    await expect_error_then_eof(peer, "bad_notebook", request_id=3)
    await assert_good_client_works(daemon, good_client)


def unblock_fifo(fifo: Path) -> None:
    """Open and close the write end, so a reader blocked on the FIFO sees EOF."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            return
        except OSError as exc:
            if exc.errno != errno.ENXIO:  # ENXIO: nobody has the read end open yet
                raise
            time.sleep(0.05)


async def test_open_of_a_fifo_does_not_block_other_handshakes(
    daemon: Any, good_client: NotebookClient, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe.ipynb"
    os.mkfifo(fifo)
    peer = await RawPeer.connect(daemon)
    await peer.send(PREAMBLE + request_frame({"id": 3, "op": "open", "path": str(fifo)}))
    await wait_for_log(daemon, f"opening {fifo.resolve()}")  # it is reading the FIFO now
    join_failure: TimeoutError | None = None
    try:
        other = await asyncio.wait_for(
            NotebookClient.join(good_client.notebook_id, home=daemon.home), 5
        )
        await other.close()
    except TimeoutError as exc:
        join_failure = exc
    await asyncio.to_thread(unblock_fifo, fifo)  # the daemon reads b"" and gives up
    await expect_error_then_eof(peer, "bad_notebook", request_id=3)
    await assert_good_client_works(daemon, good_client)
    if join_failure is not None:
        raise join_failure


# -- random bytes and random frames ----------------------------------------------------

SAFE_OPS = ["get_raw_metadata", "get_doc_bytes", "sync_barrier", "clear_outputs", "status"]
msgpack_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)
random_requests = st.fixed_dictionaries(
    {"id": st.integers(0, 2**31) | st.text(max_size=4) | st.none()},
    optional={
        "op": st.sampled_from(SAFE_OPS) | st.text(max_size=12),
        "key": msgpack_values,
        "cell_id": msgpack_values,
        "required_heads": st.lists(st.text(max_size=64), max_size=2) | msgpack_values,
    },
).map(msgspec.msgpack.encode)
random_payloads = st.binary(max_size=300) | random_requests


@st.composite
def random_frames(draw: st.DrawFn) -> bytes:
    """One frame: any type byte, any payload, and now and then a lying length prefix."""
    type_byte = draw(st.sampled_from(list(FrameType)) | st.integers(0, 255))
    payload = draw(random_payloads)
    length = len(payload) + 1
    if draw(st.integers(0, 9)) == 0:
        length = draw(st.integers(0, 2**32 - 1))
    return raw_header(length, type_byte) + payload


@st.composite
def bad_conversations(draw: st.DrawFn) -> tuple[str, bytes]:
    """What a bad peer sends: raw bytes, or frames after none/some/all of a handshake."""
    opening = draw(st.sampled_from(["nothing", "preamble", "join", "create"]))
    if opening == "nothing" and draw(st.booleans()):
        return opening, draw(st.binary(min_size=1, max_size=400))
    return opening, b"".join(draw(st.lists(random_frames(), min_size=1, max_size=6)))


async def send_and_hang_up(daemon: Any, notebook_id: str, opening: str, data: bytes) -> None:
    peer = await RawPeer.connect(daemon)
    try:
        if opening == "join":
            handshake: dict[str, Any] = {"id": 1, "op": "join", "notebook_id": notebook_id}
        else:
            handshake = {"id": 1, "op": "create"}
        if opening in ("join", "create"):
            await peer.send(PREAMBLE + request_frame(handshake))
        elif opening == "preamble":
            await peer.send(PREAMBLE)
        with contextlib.suppress(ConnectionError):
            await peer.send(data)
            # Give the daemon a moment to read and answer before the hang-up.
            with contextlib.suppress(TimeoutError, NbdeskError, ConnectionError):
                await asyncio.wait_for(peer.reader.read(65536), 0.02)
    finally:
        await peer.close()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(conversation=bad_conversations())
async def test_random_bytes_and_frames_leave_the_daemon_serving(
    daemon: Any, good_client: NotebookClient, conversation: tuple[str, bytes]
) -> None:
    opening, data = conversation
    await send_and_hang_up(daemon, good_client.notebook_id, opening, data)
    assert daemon.alive(), daemon.log()[-3000:]
    async with await ControlClient.connect(home=daemon.home) as control:
        assert (await control.ping()).daemon_version
    await assert_good_client_works(daemon, good_client)


@pytest.mark.parametrize("target", ["/dev/zero", "/tmp"])
async def test_open_of_a_device_or_folder_is_refused_without_reading(
    daemon: Any, target: str
) -> None:
    with pytest.raises(NbdeskError) as info:
        await asyncio.wait_for(NotebookClient.open(target, home=daemon.home), 10)
    assert info.value.code == "bad_notebook" and "not a regular file" in str(info.value)
    assert daemon.alive()
