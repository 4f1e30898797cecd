"""One conformance suite for every Transport: Unix stream socket, WebSocket, in memory.

Each test gets a connected pair (a, b) built with the budget and overflow policy it
asks for, and checks what every room, relay and client relies on: frames arrive whole
and in order, close() delivers what was queued, abort() ends both sides, a FAIL outbox
drops a reader that cannot keep up, a WAIT outbox holds its writer at the budget.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from nbdesk.daemon.wire.framing import Frame, FrameType
from nbdesk.daemon.wire.outbox import OutboxState, Overflow
from nbdesk.daemon.wire.transport import MemoryTransport, OutboxTransport, StreamTransport
from nbdesk.desktop.ws_transport import WebSocketTransport

Pair = tuple[OutboxTransport, OutboxTransport]
PairFactory = Callable[..., contextlib.AbstractAsyncContextManager[Pair]]
KIB = 1024


@contextlib.asynccontextmanager
async def stream_pair(*, budget: int, overflow: Overflow) -> AsyncIterator[Pair]:
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    for sock in (left, right):  # small kernel buffers, so a stalled reader shows quickly
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16 * KIB)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * KIB)
    a_reader, a_writer = await asyncio.open_unix_connection(sock=left, limit=64 * KIB)
    b_reader, b_writer = await asyncio.open_unix_connection(sock=right, limit=64 * KIB)
    a = StreamTransport(a_reader, a_writer, budget=budget, overflow=overflow, name="a")
    b = StreamTransport(b_reader, b_writer, budget=budget, overflow=overflow, name="b")
    try:
        yield a, b
    finally:
        a.abort("test over")
        b.abort("test over")


@contextlib.asynccontextmanager
async def memory_pair(*, budget: int, overflow: Overflow) -> AsyncIterator[Pair]:
    a, b = MemoryTransport.pair(budget=budget, overflow=overflow, window=16 * KIB)
    try:
        yield a, b
    finally:
        a.abort("test over")
        b.abort("test over")


@contextlib.asynccontextmanager
async def websocket_pair(*, budget: int, overflow: Overflow) -> AsyncIterator[Pair]:
    """The server end (as the relay holds the page) and an aiohttp client end."""
    server_end: asyncio.Future[WebSocketTransport] = asyncio.get_running_loop().create_future()
    finished = asyncio.Event()

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        server_end.set_result(WebSocketTransport(ws, budget=budget, overflow=overflow, name="a"))
        await finished.wait()
        return ws

    app = web.Application()
    app.router.add_get("/ws", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    session = aiohttp.ClientSession()
    try:
        client_ws = await session.ws_connect(f"http://127.0.0.1:{port}/ws", max_msg_size=0)
        b = WebSocketTransport(client_ws, budget=budget, overflow=overflow, name="b")
        a = await server_end
        yield a, b
        a.abort("test over")
        b.abort("test over")
    finally:
        finished.set()
        await session.close()
        await runner.cleanup()


@pytest.fixture(params=["stream", "websocket", "memory"])
def make_pair(request: pytest.FixtureRequest) -> PairFactory:
    return {"stream": stream_pair, "websocket": websocket_pair, "memory": memory_pair}[
        request.param
    ]


async def receive_all(transport: OutboxTransport, timeout: float = 20) -> list[Frame]:
    """Every frame until the other end goes away (an abort may surface as a reset)."""
    frames: list[Frame] = []
    async with asyncio.timeout(timeout):
        with contextlib.suppress(ConnectionError):
            while (frame := await transport.receive()) is not None:
                frames.append(frame)
    return frames


def numbered(i: int, size: int = 100) -> tuple[FrameType, bytes]:
    frame_type = (FrameType.DOC_SYNC, FrameType.BROADCAST, FrameType.RESPONSE)[i % 3]
    return frame_type, i.to_bytes(4, "big") + os.urandom(size)


async def test_frames_arrive_whole_and_in_order(make_pair: PairFactory) -> None:
    async with make_pair(budget=1024 * KIB, overflow=Overflow.WAIT) as (a, b):
        sent = [numbered(i, size=(i * 37) % 3000) for i in range(500)]

        async def produce() -> None:
            for frame_type, payload in sent:
                assert a.send(frame_type, payload)
                await a.drain()

        producer = asyncio.create_task(produce())
        received = []
        async with asyncio.timeout(20):
            while len(received) < len(sent):
                frame = await b.receive()
                assert frame is not None
                received.append((frame.type, frame.payload))
        await producer
        assert received == sent


async def test_close_delivers_what_was_queued_then_ends(make_pair: PairFactory) -> None:
    async with make_pair(budget=1024 * KIB, overflow=Overflow.WAIT) as (a, b):
        sent = [numbered(i) for i in range(50)]
        for frame_type, payload in sent:
            a.send(frame_type, payload)
        closing = asyncio.create_task(a.close("done"))
        frames = await receive_all(b)
        await closing
        assert [(f.type, f.payload) for f in frames] == sent
        assert a.state == OutboxState.CLOSED and a.close_reason == "done"
        assert not a.send(FrameType.BROADCAST, b"late"), "a closed transport takes nothing"


async def test_abort_ends_both_sides(make_pair: PairFactory) -> None:
    async with make_pair(budget=1024 * KIB, overflow=Overflow.WAIT) as (a, b):
        a.send(*numbered(1))
        assert (await b.receive()) is not None
        a.abort("gone")
        assert await receive_all(b) == []
        assert a.state == OutboxState.CLOSED and a.close_reason == "gone"
        assert not a.send(FrameType.DOC_SYNC, b"late")


async def test_fail_policy_drops_a_reader_that_cannot_keep_up(make_pair: PairFactory) -> None:
    budget = 64 * KIB
    async with make_pair(budget=budget, overflow=Overflow.FAIL) as (a, b):
        taken = 0
        async with asyncio.timeout(20):
            while a.send(FrameType.DOC_SYNC, os.urandom(8 * KIB)):
                taken += 1
                await asyncio.sleep(0)  # let the writer fill the socket first
        assert a.state == OutboxState.CLOSED and a.close_reason == "cannot keep up"
        assert taken * 8 * KIB > budget, "the budget was reached before the drop"
        delivered = await receive_all(b)
        assert len(delivered) < taken, "what was queued is discarded, not delivered"


async def test_wait_policy_holds_the_writer_at_the_budget(make_pair: PairFactory) -> None:
    budget, size, count = 64 * KIB, 8 * KIB, 1024  # 8 MiB: far more than any buffer
    async with make_pair(budget=budget, overflow=Overflow.WAIT) as (a, b):
        high_water = 0

        async def produce() -> None:
            nonlocal high_water
            for i in range(count):
                a.send(FrameType.DOC_SYNC, i.to_bytes(4, "big") + bytes(size))
                high_water = max(high_water, a.outbox.queued_bytes)
                await a.drain()

        producer = asyncio.create_task(produce())
        async with asyncio.timeout(20):
            while a.outbox.queued_bytes < budget:  # b reads nothing: a fills up and waits
                await asyncio.sleep(0.01)
        assert not producer.done()
        numbers: list[Any] = []
        async with asyncio.timeout(60):
            while len(numbers) < count:
                frame = await b.receive()
                assert frame is not None
                numbers.append(int.from_bytes(frame.payload[:4], "big"))
        await producer
        assert numbers == list(range(count))
        assert high_water < budget + size + 5, "the queue never grew past one frame over"
