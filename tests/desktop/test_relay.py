"""The shell's relay and web server: a page WebSocket piped to a real (or fake) daemon.

The test plays the page: an aiohttp WebSocket client that, like the JS peer, keeps its own
Automerge replica and answers every sync frame. The byte-pipe tests run the relay
against a fake daemon that echoes frames, since the real one interprets them.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import shutil
import struct
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from conftest import DaemonFactory, DaemonProcess

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.doc.automerge_doc import SyncPeer
from nbdesk.daemon.doc.notebook_doc import NotebookDoc
from nbdesk.daemon.home.config import Home, read_info
from nbdesk.daemon.wire.control import HostRequest, SaveAsPath, Title
from nbdesk.daemon.wire.framing import (
    HEADER_LEN,
    FrameType,
    MiB,
    encode_frame,
    read_frame,
    read_preamble,
)
from nbdesk.daemon.wire.messages import decode_map, encode
from nbdesk.desktop.relay import RelayState
from nbdesk.desktop.web_server import MAX_MESSAGE, ShellServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TIMEOUT = 20.0


# -- the page ---------------------------------------------------------------------------


def relay_url(server: ShellServer, **query: str) -> str:
    return f"{server.url}/relay?{urlencode({'token': server.token, **query})}"


class Page:
    """A WebSocket client of `/relay`: control messages and frames, in arrival order."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.controls: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.frames: asyncio.Queue[bytes] = asyncio.Queue()
        self.close_code: int | None = None
        self.close_reason = ""
        self.closed = asyncio.Event()
        self.arrivals: list[str] = []  # control types and "frame", in arrival order
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, http: aiohttp.ClientSession, server: ShellServer, **query: str) -> Any:
        ws = await http.ws_connect(
            relay_url(server, **query), origin=server.url, max_msg_size=MAX_MESSAGE
        )
        return cls(ws)

    async def _read(self) -> None:
        try:
            while True:
                message = await self.ws.receive()
                if message.type == aiohttp.WSMsgType.TEXT:
                    control = json.loads(message.data)
                    self.arrivals.append(control["type"])
                    await self.on_control(control)
                    self.controls.put_nowait(control)
                elif message.type == aiohttp.WSMsgType.BINARY:
                    self.arrivals.append("frame")
                    await self.on_frame(message.data)
                else:
                    if message.type == aiohttp.WSMsgType.CLOSE:
                        self.close_reason = message.extra or ""
                    break
        finally:
            self.close_code = self.ws.close_code
            self.closed.set()

    async def on_control(self, message: dict[str, Any]) -> None:
        pass

    async def on_frame(self, data: bytes) -> None:
        self.frames.put_nowait(data)

    async def control(self, timeout: float = TIMEOUT) -> dict[str, Any]:
        return await asyncio.wait_for(self.controls.get(), timeout)

    async def wait_closed(self, timeout: float = TIMEOUT) -> None:
        await asyncio.wait_for(self.closed.wait(), timeout)

    async def close(self) -> None:
        await self.ws.close()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader


class SyncingPage(Page):
    """A page that is an Automerge peer of the daemon's document, as the JS app is."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.doc = NotebookDoc.empty()
        self.peer = SyncPeer("daemon")
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        super().__init__(ws)

    async def on_control(self, message: dict[str, Any]) -> None:
        if message["type"] == "reconnected":
            self.peer = SyncPeer("daemon")  # a new connection starts from fresh sync state

    async def on_frame(self, data: bytes) -> None:
        (length,) = struct.unpack_from(">I", data)
        assert length == len(data) - HEADER_LEN
        frame_type, payload = data[HEADER_LEN], data[HEADER_LEN + 1 :]
        if frame_type == FrameType.DOC_SYNC:
            self.doc.receive_sync_message(self.peer, payload)
            await self.sync()
        elif frame_type == FrameType.RESPONSE:
            response = decode_map(payload)
            waiter = self._waiting.pop(response["id"], None)
            if waiter is not None:
                waiter.set_result(response)

    async def sync(self) -> None:
        message = self.doc.generate_sync_message(self.peer)
        if message is not None:
            await self.ws.send_bytes(encode_frame(FrameType.DOC_SYNC, message))

    async def request(self, op: str, **fields: Any) -> dict[str, Any]:
        request_id = next(self._ids)
        waiter = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = waiter
        await self.ws.send_bytes(
            encode_frame(FrameType.REQUEST, encode({"id": request_id, "op": op, **fields}))
        )
        response = await asyncio.wait_for(waiter, TIMEOUT)
        assert response["ok"], response
        return response

    async def confirm_sync(self) -> None:
        """The daemon holds (durably) everything this page wrote."""
        await self.sync()
        await self.request("sync_barrier", required_heads=self.doc.heads_hex())

    async def wait_synced(self) -> None:
        async with asyncio.timeout(TIMEOUT):
            while not self.doc.is_synced():
                await asyncio.sleep(0.01)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def web_dir(tmp_path: Path) -> Path:
    web = tmp_path / "web"
    (web / "sub").mkdir(parents=True)
    (web / "index.html").write_text("<!doctype html><title>nbdesk</title>")
    (web / "app.js").write_text("console.log('app')")
    (web / "app.css").write_text("body {}")
    (web / "peer.wasm").write_bytes(b"\0asm\1\0\0\0")
    (web / "sub" / "page.html").write_text("<p>sub</p>")
    (tmp_path / "secret.txt").write_text("SECRET")
    return web


@pytest.fixture
async def shell(daemon: DaemonProcess, web_dir: Path) -> AsyncIterator[ShellServer]:
    server = ShellServer(daemon.home, web_dir)
    await server.start()
    yield server
    await server.close()


# -- through a real daemon --------------------------------------------------------------


async def test_a_page_creates_a_notebook_and_syncs_through_the_relay(
    shell: ShellServer, http: aiohttp.ClientSession, daemon: DaemonProcess
) -> None:
    page = await SyncingPage.open(http, shell, create="1")
    connected = await page.control()
    assert connected["type"] == "connected"
    assert connected["notebook_id"] and connected["daemon_version"]
    assert connected["blob_url"].startswith("http://127.0.0.1:")
    await page.wait_synced()
    assert page.doc.notebook_id == connected["notebook_id"]

    cell = page.doc.insert_cell(0, "code", "print('through the relay')")
    await page.confirm_sync()
    async with await NotebookClient.join(connected["notebook_id"], home=daemon.home) as client:
        assert client.doc.source(cell) == "print('through the relay')"
        page_point = (await client.history())[-1]  # the relay says a page is a window
        assert page_point.author == "window"
        assert page_point.author_id == next(iter(page.doc.author_actors()))
        with client.edit() as doc:  # and back: a Python edit reaches the page
            doc.insert_cell(1, "markdown", "# from python")
        await client.confirm_sync()
        assert (await client.history())[-1].author == "client"
    async with asyncio.timeout(TIMEOUT):
        while len(page.doc) < 2:
            await asyncio.sleep(0.01)
    assert [c.source for c in page.doc.cells()] == ["print('through the relay')", "# from python"]
    await page.close()


async def test_open_and_a_refused_handshake(
    shell: ShellServer, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    path = tmp_path / "errors.ipynb"
    shutil.copy(FIXTURES / "errors.ipynb", path)
    page = await SyncingPage.open(http, shell, open=str(path))
    connected = await page.control()
    assert connected["type"] == "connected"
    assert connected["path"] == str(path)
    await page.wait_synced()
    assert len(page.doc) > 0
    await page.close()

    missing = await Page.open(http, shell, open=str(tmp_path / "missing.ipynb"))
    error = await missing.control()
    assert error["type"] == "error"
    assert "missing.ipynb" in error["message"]
    await missing.wait_closed()
    assert missing.close_code == aiohttp.WSCloseCode.INTERNAL_ERROR
    assert "missing.ipynb" in missing.close_reason


BAD_MESSAGES = {
    "empty": b"",
    "shorter than a header": b"\x00\x00\x00",
    "zero length": b"\x00\x00\x00\x00\x00",
    "declares more than it holds": struct.pack(">IB", 9, 0) + b"abc",
    "declares less than it holds": struct.pack(">IB", 2, 0) + b"abc",
    "over its type's cap": struct.pack(">IB", 17 * MiB, FrameType.REQUEST) + b"abc",
}


async def test_a_malformed_message_closes_only_that_page(
    shell: ShellServer, http: aiohttp.ClientSession
) -> None:
    good = await SyncingPage.open(http, shell, create="1")
    notebook_id = (await good.control())["notebook_id"]
    await good.wait_synced()
    for name, data in BAD_MESSAGES.items():
        bad = await Page.open(http, shell, join=notebook_id)
        assert (await bad.control())["type"] == "connected"
        await bad.ws.send_bytes(data)
        await bad.wait_closed()
        assert bad.close_code == aiohttp.WSCloseCode.PROTOCOL_ERROR, name
        assert bad.close_reason.startswith("malformed frame: "), name

    chatty = await Page.open(http, shell, join=notebook_id)
    assert (await chatty.control())["type"] == "connected"
    await chatty.ws.send_str("not json")
    error = await chatty.control()
    assert error["type"] == "error" and error["code"] == "bad_control"
    assert not chatty.closed.is_set()
    await chatty.close()

    good.doc.insert_cell(0, "code", "still here")
    await good.confirm_sync()
    async with asyncio.timeout(TIMEOUT):
        while len(shell.relays) > 1:
            await asyncio.sleep(0.01)
    assert [relay.notebook_id for relay in shell.relays] == [notebook_id]
    await good.close()


async def test_a_killed_daemon_is_rejoined_and_nothing_typed_is_lost(
    daemon_factory: DaemonFactory, web_dir: Path, http: aiohttp.ClientSession
) -> None:
    first = daemon_factory()
    server = ShellServer(first.home, web_dir)
    await server.start()
    try:
        page = await SyncingPage.open(http, server, create="1")
        notebook_id = (await page.control())["notebook_id"]
        await page.wait_synced()
        before = page.doc.insert_cell(0, "code", "before the crash")
        await page.confirm_sync()

        first.kill()
        lost = await page.control()
        assert lost["type"] == "daemon_lost"
        (relay,) = server.relays
        assert relay.state == RelayState.RECONNECTING
        during = page.doc.insert_cell(1, "code", "typed while the daemon was down")
        await page.sync()  # the relay drops this; the page resyncs after "reconnected"
        async with asyncio.timeout(TIMEOUT):
            while relay.dropped == 0:
                await asyncio.sleep(0.01)

        await asyncio.to_thread(daemon_factory)
        back = await page.control()
        assert back["type"] == "reconnected"
        assert back["notebook_id"] == notebook_id
        assert back["blob_url"] == (read_info(first.home) or {})["blob_url"]  # the new daemon's
        assert page.arrivals[0] == "connected" and "frame" in page.arrivals[:2]
        await page.confirm_sync()
        async with await NotebookClient.join(notebook_id, home=first.home) as client:
            assert client.doc.source(before) == "before the crash"
            assert client.doc.source(during) == "typed while the daemon was down"
        await page.close()
    finally:
        await server.close()


# -- the pipe, against a fake daemon ----------------------------------------------------


class FakeDaemon:
    """Accepts handshakes, echoes every frame back and sends its own frames meanwhile."""

    def __init__(self, home: Home, own_frames: list[bytes] | None = None) -> None:
        self.home = home
        self.own_frames = own_frames or []
        self.handshakes: list[dict[str, Any]] = []
        self.received: list[list[bytes]] = []  # per connection
        self.writers: list[asyncio.StreamWriter] = []
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> None:
        self.home.run_dir.mkdir(parents=True, exist_ok=True)
        self._server = await asyncio.start_unix_server(
            self._serve, path=str(self.home.socket), limit=MiB
        )

    async def stop(self) -> None:
        """Stop accepting and drop every connection."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in self.writers:
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.append(writer)
        outbox: asyncio.Queue[bytes] = asyncio.Queue()

        async def write() -> None:
            while True:
                writer.write(await outbox.get())
                await writer.drain()

        async def produce() -> None:
            for frame in self.own_frames:
                outbox.put_nowait(frame)
                await asyncio.sleep(0.001)  # interleave with the echoes

        await read_preamble(reader)
        handshake = await read_frame(reader)
        assert handshake is not None and handshake.type == FrameType.REQUEST
        self.handshakes.append(decode_map(handshake.payload))
        reply = {"id": 0, "ok": True, "notebook_id": "fake-nb", "path": None}
        outbox.put_nowait(
            encode_frame(
                FrameType.RESPONSE, encode({**reply, "daemon_version": "0", "blob_url": None})
            )
        )
        received: list[bytes] = []
        self.received.append(received)
        tasks = [asyncio.create_task(write()), asyncio.create_task(produce())]
        try:
            while (frame := await read_frame(reader)) is not None:
                raw = encode_frame(frame.type, frame.payload)
                received.append(raw)
                outbox.put_nowait(raw)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            for task in tasks:
                task.cancel()
            writer.close()


@pytest.fixture
def fake_home() -> Iterator[Home]:
    root = Path(tempfile.mkdtemp(prefix="nbr-"))  # Unix socket paths are short
    yield Home(root)
    shutil.rmtree(root, ignore_errors=True)


SIZES = [1, 10, 1000, MiB, 60 * MiB, 0, 7, 100_000, 1]


def frames(frame_type: FrameType, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    return [encode_frame(frame_type, rng.randbytes(size)) for size in SIZES]


async def test_frames_pass_unchanged_and_in_order_both_ways(
    fake_home: Home, web_dir: Path, http: aiohttp.ClientSession
) -> None:
    from_daemon = frames(FrameType.RESPONSE, seed=1)
    from_page = frames(FrameType.DOC_SYNC, seed=2)
    fake = FakeDaemon(fake_home, from_daemon)
    await fake.start()
    server = ShellServer(fake_home, web_dir)
    await server.start()
    try:
        page = await Page.open(http, server, create="1")
        connected = await page.control()
        assert connected == {
            "type": "connected",
            "notebook_id": "fake-nb",
            "path": None,
            "daemon_version": "0",
            "blob_url": None,
        }
        assert fake.handshakes == [{"id": 0, "op": "create", "peer": "window"}]

        async def send_all() -> None:
            for frame in from_page:
                await page.ws.send_bytes(frame)

        sender = asyncio.create_task(send_all())
        got: list[bytes] = []
        async with asyncio.timeout(60):
            while len(got) < len(from_page) + len(from_daemon):
                got.append(await page.frames.get())
        await sender
        assert fake.received == [from_page]
        echoes = [m for m in got if m[HEADER_LEN] == FrameType.DOC_SYNC]
        own = [m for m in got if m[HEADER_LEN] == FrameType.RESPONSE]
        assert echoes == from_page
        assert own == from_daemon
        assert page.controls.empty()
        assert page.arrivals[0] == "connected"
        await page.close()
    finally:
        await server.close()
        await fake.stop()


async def test_frames_sent_while_the_daemon_is_away_are_dropped(
    fake_home: Home, web_dir: Path, http: aiohttp.ClientSession
) -> None:
    fake = FakeDaemon(fake_home)
    await fake.start()
    server = ShellServer(fake_home, web_dir)
    await server.start()
    try:
        page = await Page.open(http, server, create="1")
        assert (await page.control())["type"] == "connected"
        await fake.stop()
        assert (await page.control())["type"] == "daemon_lost"
        await page.ws.send_bytes(encode_frame(FrameType.DOC_SYNC, b"lost"))
        await asyncio.sleep(0.3)  # a few failed retries
        await fake.start()
        back = await page.control()
        assert back["type"] == "reconnected" and back["notebook_id"] == "fake-nb"
        assert fake.handshakes[1] == {
            "id": 0,
            "op": "join",
            "notebook_id": "fake-nb",
            "peer": "window",
        }
        kept = encode_frame(FrameType.DOC_SYNC, b"kept")
        await page.ws.send_bytes(kept)
        assert await asyncio.wait_for(page.frames.get(), TIMEOUT) == kept
        assert fake.received[1] == [kept]
        await page.close()
    finally:
        await server.close()
        await fake.stop()


async def test_control_messages_reach_the_shell_and_back(
    fake_home: Home, web_dir: Path, http: aiohttp.ClientSession
) -> None:
    seen: list[tuple[Any, HostRequest]] = []

    async def on_control(relay: Any, message: HostRequest) -> None:
        seen.append((relay, message))
        if isinstance(message, Title):
            relay.send_control(SaveAsPath(path=f"/{message.title}.ipynb"))

    fake = FakeDaemon(fake_home)
    await fake.start()
    server = ShellServer(fake_home, web_dir, on_control=on_control)
    await server.start()
    try:
        page = await Page.open(http, server, join="fake-nb")
        assert (await page.control())["type"] == "connected"
        assert fake.handshakes == [
            {"id": 0, "op": "join", "notebook_id": "fake-nb", "peer": "window"}
        ]
        await page.ws.send_str(json.dumps({"type": "title", "title": "Untitled"}))
        assert await page.control() == {"type": "save_as_path", "path": "/Untitled.ipynb"}
        assert seen[0][1] == Title(title="Untitled")
        assert seen[0][0] in server.relays
        await page.close()
    finally:
        await server.close()
        await fake.stop()


async def test_closing_the_server_closes_pages_and_daemon_connections(
    fake_home: Home, web_dir: Path, http: aiohttp.ClientSession
) -> None:
    fake = FakeDaemon(fake_home)
    await fake.start()
    server = ShellServer(fake_home, web_dir)
    await server.start()
    page = await Page.open(http, server, create="1")
    assert (await page.control())["type"] == "connected"
    await server.close()
    await page.wait_closed()
    assert page.close_code == aiohttp.WSCloseCode.GOING_AWAY
    async with asyncio.timeout(TIMEOUT):
        while not fake.writers[0].is_closing():
            await asyncio.sleep(0.01)
    await fake.stop()


# -- the gate ---------------------------------------------------------------------------


async def expect_status(http: aiohttp.ClientSession, url: str, status: int, **headers: str) -> None:
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await http.ws_connect(url, headers=headers)
    assert refused.value.status == status


async def test_the_relay_needs_the_token_and_the_shells_origin(
    fake_home: Home, web_dir: Path, http: aiohttp.ClientSession
) -> None:
    fake = FakeDaemon(fake_home)
    await fake.start()
    server = ShellServer(fake_home, web_dir)
    await server.start()
    try:
        good = relay_url(server, create="1")
        origin = server.url
        await expect_status(http, good, 403)  # no Origin
        await expect_status(http, good, 403, Origin="http://evil.example")
        await expect_status(http, good, 403, Origin=f"http://localhost:{server.port}")
        await expect_status(http, good, 403, Origin="http://127.0.0.1:1")
        await expect_status(
            http, good.replace(server.token, "x" + server.token), 403, Origin=origin
        )
        await expect_status(http, f"{server.url}/relay?create=1", 403, Origin=origin)
        await expect_status(http, relay_url(server), 400, Origin=origin)
        await expect_status(http, relay_url(server, open="relative.ipynb"), 400, Origin=origin)
        await expect_status(http, relay_url(server, create="1", join="x"), 400, Origin=origin)
        assert fake.handshakes == []
        page = await Page.open(http, server, create="1")
        assert (await page.control())["type"] == "connected"
        await page.close()
        assert server.page_url(create="1") == f"{server.url}/?token={server.token}&create=1"
    finally:
        await server.close()
        await fake.stop()
