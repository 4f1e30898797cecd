"""The blob HTTP server on a real loopback port, exercised with a real HTTP client."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import os
import socket
import sys
import threading
import time
from collections.abc import AsyncIterator
from typing import Any, BinaryIO

import aiohttp
import pytest
from yarl import URL

from nbdesk.daemon.blobs.manifests import INLINE_LIMIT, output_to_manifest
from nbdesk.daemon.blobs.server import BlobServer
from nbdesk.daemon.blobs.store import BlobStore

IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture
async def server(store: BlobStore) -> AsyncIterator[BlobServer]:
    running = await BlobServer.start(store)
    yield running
    await running.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        yield session


async def fetch(
    http: aiohttp.ClientSession, url: str, method: str = "GET", **kwargs: Any
) -> tuple[int, Any, bytes]:
    """Status, headers and body; the URL is sent as written (no dot-segment cleanup)."""
    async with http.request(method, URL(url, encoded=True), **kwargs) as response:
        return response.status, response.headers, await response.read()


async def test_url_is_loopback_on_a_real_port(server: BlobServer) -> None:
    assert server.host == "127.0.0.1"
    assert server.url == f"http://127.0.0.1:{server.port}"
    assert 0 < server.port < 65536


@pytest.mark.skipif(sys.platform != "linux", reason="127.0.0.2 is loopback on Linux only")
async def test_binds_127_0_0_1_only(server: BlobServer) -> None:
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.settimeout(2)
    try:
        with pytest.raises(ConnectionRefusedError):
            probe.connect(("127.0.0.2", server.port))
    finally:
        probe.close()


async def test_health(server: BlobServer, http: aiohttp.ClientSession) -> None:
    status, _, body = await fetch(http, f"{server.url}/health")
    assert (status, body) == (200, b"ok")


async def test_kernel_outputs_are_served_with_their_media_types(
    store: BlobStore, server: BlobServer, http: aiohttp.ClientSession
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    svg = "<svg xmlns='http://www.w3.org/2000/svg'>" + " " * INLINE_LIMIT + "</svg>"
    html = "<p>caf\u00e9</p>" + " " * INLINE_LIMIT
    manifest = output_to_manifest(
        store,
        {
            "output_type": "display_data",
            "metadata": {},
            "data": {
                "image/png": base64.b64encode(png).decode(),
                "image/svg+xml": svg,
                "text/html": html,
                "application/vnd.custom+json": {"x": "y" * INLINE_LIMIT},
            },
        },
    )
    expected = {
        "image/png": ("image/png", png),
        "image/svg+xml": ("image/svg+xml; charset=utf-8", svg.encode()),
        "text/html": ("text/html; charset=utf-8", html.encode()),
        "application/vnd.custom+json": ("application/json", None),
    }
    for mime, (content_type, body_expected) in expected.items():
        blob_hash = manifest["data"][mime]["blob"]
        status, headers, body = await fetch(http, f"{server.url}/blob/{blob_hash}")
        assert status == 200, mime
        assert headers["Content-Type"] == content_type
        assert hashlib.sha256(body).hexdigest() == blob_hash
        if body_expected is not None:
            assert body == body_expected


async def test_pending_and_flushed_blobs_have_the_same_headers(
    store: BlobStore, server: BlobServer, http: aiohttp.ClientSession
) -> None:
    blob_hash = store.put(b"stream text", "text/plain; charset=utf-8")
    before = await fetch(http, f"{server.url}/blob/{blob_hash}")
    store.flush()
    after = await fetch(http, f"{server.url}/blob/{blob_hash}")
    for status, headers, body in (before, after):
        assert (status, body) == (200, b"stream text")
        assert headers["Content-Type"] == "text/plain; charset=utf-8"
        assert headers["Content-Length"] == "11"


async def test_caching_and_cors_headers(
    store: BlobStore, server: BlobServer, http: aiohttp.ClientSession
) -> None:
    blob_hash = store.put(b"\x00\x01")
    store.flush()
    status, headers, body = await fetch(http, f"{server.url}/blob/{blob_hash}")
    assert (status, body) == (200, b"\x00\x01")
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Cache-Control"] == IMMUTABLE
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["ETag"] == f'"{blob_hash}"'


async def test_if_none_match_is_not_modified(
    store: BlobStore, server: BlobServer, http: aiohttp.ClientSession
) -> None:
    blob_hash = store.put(b"cached", "text/plain; charset=utf-8")
    url = f"{server.url}/blob/{blob_hash}"
    status, headers, body = await fetch(http, url, headers={"If-None-Match": f'"{blob_hash}"'})
    assert (status, body) == (304, b"")
    assert headers["ETag"] == f'"{blob_hash}"' and headers["Cache-Control"] == IMMUTABLE
    status, _, body = await fetch(http, url, headers={"If-None-Match": '"something-else"'})
    assert (status, body) == (200, b"cached")
    status, _, _ = await fetch(
        http, f"{server.url}/blob/{'0' * 64}", headers={"If-None-Match": "*"}
    )
    assert status == 404


async def test_head_sends_headers_only(
    store: BlobStore, server: BlobServer, http: aiohttp.ClientSession
) -> None:
    blob_hash = store.put(b"<b>bold</b>", "text/html; charset=utf-8")
    status, headers, body = await fetch(http, f"{server.url}/blob/{blob_hash}", "HEAD")
    assert (status, body) == (200, b"")
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Content-Length"] == "11"
    assert headers["Cache-Control"] == IMMUTABLE
    status, _, _ = await fetch(http, f"{server.url}/blob/{'1' * 64}", "HEAD")
    assert status == 404


async def test_unknown_blob_is_404(server: BlobServer, http: aiohttp.ClientSession) -> None:
    status, headers, body = await fetch(http, f"{server.url}/blob/{'a' * 64}")
    assert status == 404
    assert "Cache-Control" not in headers
    # the page reads it (cross-origin) to say an old point's output was collected
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert b"collected" in body


@pytest.mark.parametrize(
    "name",
    [
        "..%2F..%2Fetc%2Fpasswd",
        "..%2f..%2f..%2f..%2fetc%2fpasswd",
        "%2e%2e",
        "..%5C..%5Cetc%5Cpasswd",
        "A" * 64,
        "ABCDEF" + "0" * 58,
        "a" * 63,
        "a" * 65,
        "g" * 64,
        "a" * 64 + "%00",
        "a" * 64 + ".type",
    ],
)
async def test_names_that_are_not_hashes_are_400(
    server: BlobServer, http: aiohttp.ClientSession, name: str
) -> None:
    status, _, body = await fetch(http, f"{server.url}/blob/{name}")
    assert status == 400
    assert body.startswith(b"bad_hash")
    assert b"root:" not in body


@pytest.mark.parametrize(
    "path",
    [
        "/blob/../../etc/passwd",
        "/blob/%2e%2e/%2e%2e/etc/passwd",
        "/blob/..%2F../etc/passwd",
        "/../../../../etc/passwd",
        "/etc/passwd",
        "/",
        "/blob",
        "/blob/",
        "/blobs/",
        "/health/..",
    ],
)
async def test_nothing_but_blobs_and_health_is_served(
    server: BlobServer, http: aiohttp.ClientSession, path: str
) -> None:
    status, _, body = await fetch(http, server.url + path)
    assert status in (400, 404)
    assert b"root:" not in body


async def test_sidecar_and_directory_paths_are_not_served(
    store: BlobStore, server: BlobServer, http: aiohttp.ClientSession
) -> None:
    blob_hash = store.put(b"typed", "text/plain; charset=utf-8")
    store.flush()
    for path in (
        f"/blob/{blob_hash[:2]}/{blob_hash[2:]}",
        f"/blob/{blob_hash[:2]}",
        f"/blob/{blob_hash}.type",
        f"/blob/{blob_hash}/",
    ):
        status, _, body = await fetch(http, server.url + path)
        assert status in (400, 404), path
        assert body != b"typed"


class _GatedFile:
    """A blob file whose reads wait (blocking their thread) until the gate opens."""

    def __init__(self, file: BinaryIO, reading: threading.Event, gate: threading.Event) -> None:
        self._file = file
        self._reading = reading
        self._gate = gate

    def read(self, size: int = -1) -> bytes:
        self._reading.set()
        assert self._gate.wait(30)
        return self._file.read(size)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


async def test_a_large_blob_does_not_block_other_requests(
    store: BlobStore,
    server: BlobServer,
    http: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = os.urandom(20 * 1024 * 1024)
    blob_hash = store.put(data, "application/octet-stream")
    store.flush()
    reading, gate = threading.Event(), threading.Event()
    original_open = store.open
    monkeypatch.setattr(store, "open", lambda h: _GatedFile(original_open(h), reading, gate))

    download = asyncio.create_task(fetch(http, f"{server.url}/blob/{blob_hash}"))
    try:
        assert await asyncio.to_thread(reading.wait, 10)
        started = time.monotonic()
        status, _, body = await asyncio.wait_for(fetch(http, f"{server.url}/health"), 5)
        assert (status, body) == (200, b"ok")
        assert time.monotonic() - started < 2
        assert not download.done()
    finally:
        gate.set()
    status, headers, body = await download
    assert status == 200
    assert headers["Content-Length"] == str(len(data))
    assert body == data


async def test_health_stays_fast_during_a_large_download(
    store: BlobStore, server: BlobServer, http: aiohttp.ClientSession
) -> None:
    data = os.urandom(20 * 1024 * 1024)
    blob_hash = store.put(data)
    store.flush()
    download = asyncio.create_task(fetch(http, f"{server.url}/blob/{blob_hash}"))
    latencies = []
    while not download.done():
        started = time.monotonic()
        status, _, _ = await fetch(http, f"{server.url}/health")
        latencies.append(time.monotonic() - started)
        assert status == 200
    _, _, body = await download
    assert hashlib.sha256(body).hexdigest() == blob_hash
    assert max(latencies, default=0) < 1


async def test_a_client_that_goes_away_mid_download_costs_nothing(
    store: BlobStore,
    server: BlobServer,
    http: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    blob_hash = store.put(os.urandom(8 * 1024 * 1024))
    store.flush()
    async with http.get(f"{server.url}/blob/{blob_hash}") as response:
        await response.content.read(1024)
        response.close()
    await asyncio.sleep(0.2)
    status, _, body = await fetch(http, f"{server.url}/health")
    assert (status, body) == (200, b"ok")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_close_frees_the_port(store: BlobStore) -> None:
    running = await BlobServer.start(store)
    port = running.port
    await running.close()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(2)
        assert probe.connect_ex(("127.0.0.1", port)) != 0
