"""Framing: preamble checks, caps before allocation, unknown types skipped, truncation."""

from __future__ import annotations

import asyncio
import struct

import pytest

from nbdesk.daemon.wire.errors import ProtocolError
from nbdesk.daemon.wire.framing import (
    FRAME_CAPS,
    PREAMBLE,
    Frame,
    FrameType,
    check_preamble,
    encode_frame,
    read_frame,
    read_preamble,
)
from nbdesk.daemon.wire.gen_ts import TARGET, render


def reader_of(data: bytes) -> asyncio.StreamReader:
    reader = asyncio.StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    return reader


async def read_all(data: bytes) -> list[Frame]:
    reader = reader_of(data)
    frames = []
    while (frame := await read_frame(reader)) is not None:
        frames.append(frame)
    return frames


async def test_frames_round_trip_in_order() -> None:
    payloads = [b"", b"x", bytes(range(256)) * 100]
    data = b"".join(encode_frame(FrameType.DOC_SYNC, p) for p in payloads)
    data += encode_frame(FrameType.REQUEST, b"req") + encode_frame(FrameType.BROADCAST, b"b")
    frames = await read_all(data)
    assert [f.payload for f in frames] == [*payloads, b"req", b"b"]
    assert [f.type for f in frames][-2:] == [FrameType.REQUEST, FrameType.BROADCAST]


async def test_unknown_types_are_skipped() -> None:
    unknown = struct.pack(">IB", 1 + 100_000, 0x42) + b"z" * 100_000
    data = encode_frame(FrameType.REQUEST, b"a") + unknown + encode_frame(FrameType.REQUEST, b"b")
    assert [f.payload for f in await read_all(data)] == [b"a", b"b"]


async def test_oversized_length_is_refused_before_reading_payload() -> None:
    reader = asyncio.StreamReader()
    reader.feed_data(struct.pack(">IB", 1_150_000_000, FrameType.DOC_SYNC))
    with pytest.raises(ProtocolError) as info:
        await asyncio.wait_for(read_frame(reader), 1)
    assert info.value.code == "frame_too_large"


@pytest.mark.parametrize("frame_type", list(FrameType))
async def test_each_type_has_its_own_cap(frame_type: FrameType) -> None:
    cap = FRAME_CAPS[frame_type]
    reader = asyncio.StreamReader()
    reader.feed_data(struct.pack(">IB", cap + 1, frame_type))
    with pytest.raises(ProtocolError, match="over its cap"):
        await asyncio.wait_for(read_frame(reader), 1)
    with pytest.raises(ProtocolError):
        encode_frame(frame_type, b"\0" * cap)


async def test_zero_length_frame_is_an_error() -> None:
    with pytest.raises(ProtocolError, match="zero-length"):
        await read_all(b"\x00\x00\x00\x00")


@pytest.mark.parametrize("cut", [2, 5, 9])
async def test_truncated_frames_are_errors(cut: int) -> None:
    data = encode_frame(FrameType.REQUEST, b"0123456789")[:cut]
    with pytest.raises(ProtocolError) as info:
        await read_all(data)
    assert info.value.code == "truncated"


async def test_clean_eof_between_frames_is_none() -> None:
    assert await read_frame(reader_of(b"")) is None


async def test_preamble_checks() -> None:
    await read_preamble(reader_of(PREAMBLE))
    with pytest.raises(ProtocolError) as info:
        check_preamble(b"HTTP/")
    assert info.value.code == "bad_magic"
    with pytest.raises(ProtocolError) as info:
        check_preamble(b"NBDK\x09")
    assert info.value.code == "bad_version"
    with pytest.raises(ProtocolError, match="before the preamble"):
        await read_preamble(reader_of(b"NB"))


def test_generated_typescript_is_current() -> None:
    assert TARGET.read_text() == render(), (
        "web/src/protocol/wire.gen.ts is stale: run `.venv/bin/python -m nbdesk.daemon.wire.gen_ts`"
    )
