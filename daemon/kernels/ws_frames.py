"""The two framings of Jupyter messages on a kernel's channels WebSocket, bytes only.

`v1.kernel.websocket.jupyter.org` (when the server accepts that subprotocol): one binary
frame per message, a little-endian u64 count of offsets, the offsets, then the channel
name and the message's parts (header, parent header, metadata, content, buffers...) as
the kernel's own JSON bytes. The legacy protocol: a JSON text frame with a `channel`
key, or for a message with buffers a binary frame (big-endian u32 count and offsets, the
JSON, then the buffers). This module neither opens sockets nor knows what a message
means (`nbdesk.daemon.kernels.remote_session` does).
"""

from __future__ import annotations

import json
import struct
from typing import Any

from jupyter_client.jsonutil import json_default

V1_PROTOCOL = "v1.kernel.websocket.jupyter.org"
PARTS = ("header", "parent_header", "metadata", "content")


def _pack(value: Any) -> bytes:
    return json.dumps(value, default=json_default, ensure_ascii=False).encode("utf-8")


def encode_v1(channel: str, msg: dict[str, Any], buffers: list[bytes] | None = None) -> bytes:
    parts = [_pack(msg[key]) for key in PARTS] + list(buffers or [])
    name = channel.encode("utf-8")
    offsets = [8 * (1 + 1 + len(parts) + 1)]
    offsets.append(offsets[-1] + len(name))
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    head = struct.pack(f"<{len(offsets) + 1}Q", len(offsets), *offsets)
    return b"".join([head, name, *parts])


def decode_v1(frame: bytes) -> tuple[str, dict[str, Any]]:
    """(channel, message) with `buffers` as bytes."""
    (count,) = struct.unpack_from("<Q", frame, 0)
    offsets = struct.unpack_from(f"<{count}Q", frame, 8)
    channel = frame[offsets[0] : offsets[1]].decode("utf-8")
    parts = [frame[offsets[i] : offsets[i + 1]] for i in range(1, count - 1)]
    msg: dict[str, Any] = {key: json.loads(part) for key, part in zip(PARTS, parts, strict=False)}
    msg["buffers"] = [bytes(part) for part in parts[len(PARTS) :]]
    return channel, _complete(msg)


def encode_legacy(
    channel: str, msg: dict[str, Any], buffers: list[bytes] | None = None
) -> str | bytes:
    body = {key: msg[key] for key in PARTS}
    body["channel"] = channel
    if not buffers:
        return json.dumps(body, default=json_default, ensure_ascii=False)
    pieces = [_pack(body), *buffers]
    offsets = [4 * (len(pieces) + 1)]
    for piece in pieces[:-1]:
        offsets.append(offsets[-1] + len(piece))
    return struct.pack(f"!{len(pieces) + 1}I", len(pieces), *offsets) + b"".join(pieces)


def decode_legacy(frame: str | bytes) -> tuple[str, dict[str, Any]]:
    if isinstance(frame, str):
        msg = json.loads(frame)
        msg["buffers"] = []
    else:
        (count,) = struct.unpack_from("!I", frame, 0)
        offsets = [*struct.unpack_from(f"!{count}I", frame, 4), len(frame)]
        pieces = [frame[offsets[i] : offsets[i + 1]] for i in range(count)]
        msg = json.loads(pieces[0])
        msg["buffers"] = [bytes(piece) for piece in pieces[1:]]
    return str(msg.pop("channel", "shell") or "shell"), _complete(msg)


def _complete(msg: dict[str, Any]) -> dict[str, Any]:
    """The keys jupyter_client's messages carry, so IOPub handling reads either alike."""
    for key in PARTS:
        if not isinstance(msg.get(key), dict):
            msg[key] = {}
    msg["msg_id"] = msg["header"].get("msg_id", "")
    msg["msg_type"] = msg["header"].get("msg_type", "")
    return msg
