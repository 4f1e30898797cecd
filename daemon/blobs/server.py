"""The HTTP server that hands blobs to the UI: `GET|HEAD /blob/<sha256>` and `/health`.

Bound to loopback only, it serves blob hashes and nothing else: the name is checked to be
64 lowercase hex digits before any path is built, so no request can reach another file.
Blobs are immutable, so responses may be cached forever. Files are read in chunks on a
worker thread, so a large blob never stalls the daemon's event loop. Owns no blob data;
what to store and what to collect is decided elsewhere.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from typing import BinaryIO

from aiohttp import web

from nbdesk.daemon.blobs.store import BlobStore, is_blob_hash
from nbdesk.daemon.wire.errors import BlobError, ErrorCode

log = logging.getLogger(__name__)

CHUNK_SIZE = 256 * 1024
DEFAULT_MEDIA_TYPE = "application/octet-stream"
# What the page shows for a missing output: blobs only go missing by collection.
_NOT_FOUND = (
    "no such blob: it was collected (outputs that no point of a notebook's history within "
    "the history retention shows are removed)\n"
)
_BLOB_HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "Access-Control-Allow-Origin": "*",
    "X-Content-Type-Options": "nosniff",
}


def _not_found() -> web.Response:
    """A 404 the page can read (same CORS as a blob, never cached: it is not immutable)."""
    return web.Response(
        status=404,
        text=_NOT_FOUND,
        headers={"Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff"},
    )


class BlobServer:
    """A running blob server; `url` is its origin, e.g. `http://127.0.0.1:43123`."""

    def __init__(self, store: BlobStore, runner: web.AppRunner, host: str, port: int) -> None:
        self.store = store
        self.host = host
        self.port = port
        self._runner = runner

    def __repr__(self) -> str:
        return f"BlobServer({self.url!r})"

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @classmethod
    async def start(cls, store: BlobStore, host: str = "127.0.0.1", port: int = 0) -> BlobServer:
        """Listen on `host:port` (port 0 picks a free one) and start serving."""
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.create_server((host, port), family=family)
        sock.setblocking(False)
        app = web.Application()
        handler = _Handler(store)
        app.router.add_get("/blob/{name}", handler.blob)  # HEAD is routed here too
        app.router.add_get("/health", _health)
        runner = web.AppRunner(app, access_log=None)
        try:
            await runner.setup()
            await web.SockSite(runner, sock).start()
        except BaseException:
            sock.close()
            await runner.cleanup()
            raise
        bound_host, bound_port = sock.getsockname()[:2]
        server = cls(store, runner, bound_host, bound_port)
        log.info("serving blobs on %s", server.url)
        return server

    async def close(self) -> None:
        await self._runner.cleanup()


async def _health(request: web.Request) -> web.Response:
    return web.Response(text="ok")


class _Handler:
    def __init__(self, store: BlobStore) -> None:
        self.store = store

    async def blob(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if not is_blob_hash(name):
            # The name is not echoed back: the reply stays a fixed, inert string.
            error = BlobError("not a blob hash (64 lowercase hex digits)", code=ErrorCode.BAD_HASH)
            return web.Response(status=400, text=f"{error.code}: {error.message}\n")
        etag_matches = request.if_none_match or ()
        if any(tag.value in (name, "*") for tag in etag_matches):
            if not await asyncio.to_thread(self.store.contains, name):
                return _not_found()
            not_modified = web.Response(status=304, headers=_BLOB_HEADERS)
            not_modified.etag = name
            return not_modified
        try:
            file, size, media_type = await asyncio.to_thread(self._open, name)
        except BlobError:
            return _not_found()
        response = web.StreamResponse(headers=_BLOB_HEADERS)
        # The header itself: aiohttp's content_type setter drops parameters like charset.
        response.headers["Content-Type"] = media_type or DEFAULT_MEDIA_TYPE
        response.etag = name
        response.content_length = size
        try:
            await response.prepare(request)
            if request.method != "HEAD":
                while chunk := await asyncio.to_thread(file.read, CHUNK_SIZE):
                    await response.write(chunk)
            await response.write_eof()
        except ConnectionError:
            log.debug("client went away while reading blob %s", name)
        finally:
            file.close()
        return response

    def _open(self, name: str) -> tuple[BinaryIO, int, str | None]:
        """Runs on a worker thread: the open blob, its size and its media type."""
        file = self.store.open(name)
        try:
            size = file.seek(0, os.SEEK_END)
            file.seek(0)
            return file, size, self.store.media_type(name)
        except BaseException:
            file.close()
            raise
