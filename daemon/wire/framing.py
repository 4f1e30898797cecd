"""Bytes-only framing of the daemon socket: preamble, frame types, caps, one frame in or out.

A frame is a 4-byte big-endian length (counting the type byte), one type byte and the
payload. Caps are checked before any payload is read or allocated. This module owns no
schema, no rooms and no Automerge: the relay imports it to pipe frames without decoding.
"""

from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass
from enum import IntEnum

from nbdesk.daemon.wire.errors import ErrorCode, ProtocolError

MAGIC = b"NBDK"
PROTOCOL_VERSION = 1
PREAMBLE = MAGIC + bytes([PROTOCOL_VERSION])
PREAMBLE_LEN = len(PREAMBLE)
HEADER_LEN = 4

MiB = 1024 * 1024


class FrameType(IntEnum):
    DOC_SYNC = 0x00
    REQUEST = 0x01
    RESPONSE = 0x02
    BROADCAST = 0x03


FRAME_CAPS: dict[int, int] = {
    FrameType.DOC_SYNC: 64 * MiB,
    FrameType.RESPONSE: 64 * MiB,
    FrameType.REQUEST: 16 * MiB,
    FrameType.BROADCAST: 16 * MiB,
}
MAX_FRAME = 100 * MiB
_DISCARD_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class Frame:
    type: FrameType
    payload: bytes

    def __repr__(self) -> str:
        return f"Frame({self.type.name}, {len(self.payload)} bytes)"


def cap_for(type_byte: int) -> int:
    """Largest payload + type byte a frame of this type may declare."""
    return FRAME_CAPS.get(type_byte, MAX_FRAME)


def encode_frame(frame_type: FrameType, payload: bytes) -> bytes:
    length = len(payload) + 1
    if length > cap_for(frame_type):
        raise ProtocolError(
            f"{frame_type.name} frame of {length} bytes exceeds its cap of {cap_for(frame_type)}",
            code=ErrorCode.FRAME_TOO_LARGE,
        )
    return struct.pack(">IB", length, frame_type) + payload


def check_preamble(data: bytes) -> None:
    """Raise a ProtocolError naming what is wrong with a 5-byte preamble."""
    if data[:4] != MAGIC:
        raise ProtocolError(f"bad magic {data[:4]!r}, expected {MAGIC!r}", code=ErrorCode.BAD_MAGIC)
    if data[4] != PROTOCOL_VERSION:
        raise ProtocolError(
            f"protocol version {data[4]} is not supported (this side speaks {PROTOCOL_VERSION})",
            code=ErrorCode.BAD_VERSION,
        )


async def read_preamble(reader: asyncio.StreamReader) -> None:
    try:
        data = await reader.readexactly(PREAMBLE_LEN)
    except asyncio.IncompleteReadError as exc:
        raise ProtocolError(
            "connection closed before the preamble", code=ErrorCode.TRUNCATED
        ) from exc
    check_preamble(data)


def check_header(length: int, type_byte: int) -> None:
    """Validate a frame header before its payload is read."""
    if length == 0:
        raise ProtocolError("zero-length frame", code=ErrorCode.BAD_FRAME)
    if length > cap_for(type_byte):
        raise ProtocolError(
            f"frame of type {type_byte:#04x} declares {length} bytes, over its cap of "
            f"{cap_for(type_byte)}",
            code=ErrorCode.FRAME_TOO_LARGE,
        )


async def read_frame(reader: asyncio.StreamReader) -> Frame | None:
    """Read the next frame of a known type, skipping unknown ones; None at a clean EOF.

    Never cancel this mid-frame: a partial read would desynchronise the stream.
    """
    while True:
        try:
            header = await reader.readexactly(HEADER_LEN)
        except asyncio.IncompleteReadError as exc:
            if not exc.partial:
                return None
            raise ProtocolError(
                "connection closed inside a frame header", code=ErrorCode.TRUNCATED
            ) from exc
        (length,) = struct.unpack(">I", header)
        if length == 0:
            check_header(length, 0)
        try:
            type_byte = (await reader.readexactly(1))[0]
            check_header(length, type_byte)
            if type_byte not in FRAME_CAPS:
                await _discard(reader, length - 1)
                continue
            payload = await reader.readexactly(length - 1)
        except asyncio.IncompleteReadError as exc:
            raise ProtocolError(
                f"connection closed inside a frame ({len(exc.partial)} of "
                f"{exc.expected} bytes read)",
                code=ErrorCode.TRUNCATED,
            ) from exc
        return Frame(FrameType(type_byte), payload)


async def _discard(reader: asyncio.StreamReader, count: int) -> None:
    while count > 0:
        chunk = await reader.readexactly(min(count, _DISCARD_CHUNK))
        count -= len(chunk)
