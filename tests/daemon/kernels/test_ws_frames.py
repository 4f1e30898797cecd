"""nbdesk's WebSocket framings read and write exactly what Jupyter Server's own do."""

from __future__ import annotations

from jupyter_client.session import Session
from jupyter_server.services.kernels.connection.base import (
    deserialize_binary_message,
    deserialize_msg_from_ws_v1,
    serialize_binary_message,
    serialize_msg_to_ws_v1,
)

from nbdesk.daemon.kernels.ws_frames import decode_legacy, decode_v1, encode_legacy, encode_v1

SESSION = Session(username="test")
BUFFERS = [b"\x00\x01binary", b"", b"more"]


def message() -> dict:
    return SESSION.msg("comm_msg", {"comm_id": "c1", "data": {"value": "é", "n": 3}})


def test_v1_frames_match_jupyter_servers_both_ways() -> None:
    msg = message()
    ours = encode_v1("shell", msg, BUFFERS)
    channel, parts = deserialize_msg_from_ws_v1(ours)
    assert channel == "shell"
    assert SESSION.unpack(parts[0])["msg_id"] == msg["header"]["msg_id"]
    assert SESSION.unpack(parts[3]) == msg["content"]
    assert parts[4:] == BUFFERS
    theirs = serialize_msg_to_ws_v1(
        [SESSION.pack(msg[k]) for k in ("header", "parent_header", "metadata", "content")]
        + BUFFERS,
        "iopub",
    )
    channel, decoded = decode_v1(theirs)
    assert channel == "iopub"
    assert decoded["msg_type"] == "comm_msg" and decoded["msg_id"] == msg["header"]["msg_id"]
    assert decoded["content"] == msg["content"] and decoded["buffers"] == BUFFERS


def test_legacy_frames_match_jupyter_servers_both_ways() -> None:
    msg = message()
    text = encode_legacy("shell", msg)
    assert isinstance(text, str)
    assert decode_legacy(text)[1]["content"] == msg["content"]
    binary = encode_legacy("shell", msg, BUFFERS)
    assert isinstance(binary, bytes)
    theirs = deserialize_binary_message(binary)
    assert theirs["channel"] == "shell" and theirs["buffers"] == BUFFERS
    assert theirs["content"] == msg["content"]
    server_side = {**msg, "channel": "iopub", "buffers": BUFFERS}
    channel, decoded = decode_legacy(serialize_binary_message(server_side))
    assert channel == "iopub" and decoded["buffers"] == BUFFERS
    assert decoded["msg_type"] == "comm_msg"
