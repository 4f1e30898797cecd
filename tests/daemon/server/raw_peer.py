"""A raw socket peer for the bad-input tests, and what they check after each bad input:
the bad connection closed (after an error reply or not), the daemon's log, and a good
client that still syncs."""

from __future__ import annotations

import asyncio
import contextlib
import struct
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.wire.errors import ProtocolError
from nbdesk.daemon.wire.framing import PREAMBLE, Frame, FrameType, encode_frame, read_frame

CLOSE_WITHIN = 5.0  # seconds a bad connection may take to be closed
MiB = 1024 * 1024


# -- a raw socket peer ----------------------------------------------------------------


def request_frame(body: dict[str, Any]) -> bytes:
    return encode_frame(FrameType.REQUEST, msgspec.msgpack.encode(body))


def raw_header(length: int, type_byte: int) -> bytes:
    """A frame header declaring `length` bytes (type byte included), payload not attached."""
    return struct.pack(">IB", length, type_byte)


class RawPeer:
    """A socket that speaks bytes, not the client library: it can send anything."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(cls, daemon: Any) -> RawPeer:
        reader, writer = await asyncio.open_unix_connection(str(daemon.home.socket))
        return cls(reader, writer)

    @classmethod
    async def joined(cls, daemon: Any, notebook_id: str) -> RawPeer:
        """A peer that sent a valid preamble and joined `notebook_id` (and heard the ok)."""
        peer = await cls.connect(daemon)
        await peer.send(
            PREAMBLE + request_frame({"id": 1, "op": "join", "notebook_id": notebook_id})
        )
        reply = await peer.next_response()
        assert reply["ok"], reply
        return peer

    @classmethod
    async def control(cls, daemon: Any) -> RawPeer:
        peer = await cls.connect(daemon)
        await peer.send(PREAMBLE + request_frame({"id": 1, "op": "control"}))
        assert (await peer.next_response())["ok"]
        return peer

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def request(self, body: dict[str, Any]) -> dict[str, Any]:
        await self.send(request_frame(body))
        return await self.next_response()

    async def next_response(self, timeout: float = CLOSE_WITHIN) -> dict[str, Any]:
        """The next RESPONSE frame, decoded; sync frames and broadcasts are skipped."""
        async with asyncio.timeout(timeout):
            while (frame := await read_frame(self.reader)) is not None:
                if frame.type == FrameType.RESPONSE:
                    return msgspec.msgpack.decode(frame.payload)
        raise AssertionError("the connection closed before a response")

    async def frames_until_eof(self, timeout: float = CLOSE_WITHIN) -> list[Frame]:
        """Everything the daemon still sends, up to its closing the connection."""
        frames: list[Frame] = []
        try:
            async with asyncio.timeout(timeout):
                while (frame := await read_frame(self.reader)) is not None:
                    frames.append(frame)
        except TimeoutError:
            raise AssertionError(f"the daemon kept the connection open for {timeout} s") from None
        except (ProtocolError, ConnectionError):
            pass  # an aborted connection: as closed as EOF
        return frames

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(Exception):
            await self.writer.wait_closed()


def responses_in(frames: list[Frame]) -> list[dict[str, Any]]:
    return [msgspec.msgpack.decode(f.payload) for f in frames if f.type == FrameType.RESPONSE]


async def expect_error_then_eof(
    peer: RawPeer, code: str, request_id: int | None = None
) -> dict[str, Any]:
    """The daemon answers with one error response of `code`, then closes the connection."""
    responses = responses_in(await peer.frames_until_eof())
    assert len(responses) == 1, responses
    (response,) = responses
    assert response["ok"] is False, response
    assert response["error"]["code"] == code, response
    assert response["id"] == request_id, response
    return response


async def expect_eof(peer: RawPeer) -> None:
    """The daemon closes the connection (an error response before EOF is allowed)."""
    for response in responses_in(await peer.frames_until_eof()):
        assert response["ok"] is False, response


# -- the daemon and the good client ----------------------------------------------------


async def wait_for_log(daemon: Any, *phrases: str, timeout: float = 3.0) -> None:
    """Wait until the daemon's log holds one of `phrases`."""
    deadline = time.monotonic() + timeout
    while not any(phrase in daemon.log() for phrase in phrases):
        if time.monotonic() > deadline:
            raise AssertionError(f"daemon log lacks {phrases!r}:\n{daemon.log()[-3000:]}")
        await asyncio.sleep(0.05)


def cell_sources(client: NotebookClient) -> list[str]:
    return [client.doc.source(cell_id) for cell_id in client.doc.cell_ids()]


async def assert_good_client_works(daemon: Any, client: NotebookClient) -> None:
    """The daemon lives and the client connected before the bad input still syncs edits."""
    assert daemon.alive(), daemon.log()[-3000:]
    marker = f"still fine {uuid.uuid4().hex}"
    with client.edit() as doc:
        doc.insert_cell(0, source=marker)
    await client.confirm_sync(timeout=10)
    other = await NotebookClient.join(client.notebook_id, home=daemon.home)
    try:
        await other.wait_for(lambda doc: marker in cell_sources(other), timeout=10)
    finally:
        await other.close()
    assert daemon.alive()


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for pid {pid}")


@pytest.fixture
async def good_client(daemon: Any) -> AsyncIterator[NotebookClient]:
    client = await NotebookClient.create(home=daemon.home)
    yield client
    await client.close()
