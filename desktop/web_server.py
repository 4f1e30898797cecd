"""The shell's local HTTP server: the built web app and the `/relay` WebSocket endpoint.

It owns the listening socket (127.0.0.1, a random port), the per-launch token, the Host
and Origin checks, the static files of one directory, and the set of live relays: each
accepted WebSocket gets its own `Relay`, which owns everything after the upgrade. It does
not own windows, the daemon process (the shell starts it) or frames.

`/relay?token=<token>&open=<absolute path>` (or `create=1`, or `join=<notebook_id>`) with
`Origin: <server.url>`; anything else is refused with 403 (token, Origin) or 400 (query)
before the upgrade. With a `DaemonGate`, an accepted relay first waits for the daemon the
shell is starting, telling the page why (a `status` control message), or the error it met.

`/files/<relative path>?token=<token>&notebook=<absolute .ipynb path>` serves a file in the
notebook's folder (or below it), for images that markdown refers to by relative path: 403
without the token, 404 for a `..` segment, a path that resolves outside the folder (symlinks
included), or anything that is not a regular file. Files are sent with a CSP sandbox, so an
HTML file opened from a link cannot run script in the app's origin.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import mimetypes
import os
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import WSCloseCode, web

from nbdesk.daemon.home.config import Home
from nbdesk.daemon.home.web_build import web_dist
from nbdesk.daemon.wire.control import ControlError, HostRequest, Status, control_text
from nbdesk.daemon.wire.errors import NbdeskError
from nbdesk.daemon.wire.framing import HEADER_LEN, MAX_FRAME
from nbdesk.desktop.daemon_gate import DaemonGate
from nbdesk.desktop.relay import Relay

ShellControlHandler = Callable[[Relay, HostRequest], Awaitable[None] | None]


DEFAULT_WEB_DIR = web_dist()
HOST = "127.0.0.1"
MAX_MESSAGE = MAX_FRAME + HEADER_LEN  # one WebSocket message is one frame
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".wasm": "application/wasm",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
}
_FILE_HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
_NOTEBOOK_FILE_HEADERS = {**_FILE_HEADERS, "Content-Security-Policy": "sandbox"}


class ShellServer:
    """Serves one web app directory and one WebSocket relay per window."""

    def __init__(
        self,
        home: Home,
        web_dir: str | Path = DEFAULT_WEB_DIR,
        on_control: ShellControlHandler | None = None,
        daemon_gate: DaemonGate | None = None,
    ) -> None:
        self.home = home
        self.web_dir = Path(web_dir).resolve()
        self.on_control = on_control
        self.daemon_gate = daemon_gate
        self.token = secrets.token_urlsafe(32)
        self.relays: set[Relay] = set()
        self.windows_seen: set[str] = set()  # `window` names whose page opened a relay
        self.port: int | None = None
        self._runner: web.AppRunner | None = None

    def __repr__(self) -> str:
        return f"ShellServer(port={self.port}, relays={len(self.relays)}, web_dir={self.web_dir})"

    @property
    def url(self) -> str:
        """The server's origin, e.g. `http://127.0.0.1:54321`."""
        if self.port is None:
            raise RuntimeError("the server is not started")
        return f"http://{HOST}:{self.port}"

    def page_url(self, **query: str) -> str:
        """The page's URL with the token, e.g. `page_url(create="1")`."""
        return f"{self.url}/?{urlencode({'token': self.token, **query})}"

    async def start(self) -> None:
        app = web.Application(middlewares=[self._check_host])
        app.router.add_get("/relay", self._relay)
        app.router.add_get("/files/{path:.+}", self._notebook_file)
        app.router.add_get("/", self._index)
        app.router.add_get("/{name:.+}", self._file)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, HOST, 0).start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        """Close every relay (page sockets and daemon connections), then stop listening."""
        await asyncio.gather(
            *(relay.close(WSCloseCode.GOING_AWAY, "the app is closing") for relay in self.relays),
            return_exceptions=True,
        )
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- handlers ---------------------------------------------------------------------

    @web.middleware
    async def _check_host(self, request: web.Request, handler: Any) -> web.StreamResponse:
        """Refuse other Host names, so a DNS-rebound page cannot read through us."""
        if request.host != f"{HOST}:{self.port}":
            raise web.HTTPForbidden(text="wrong Host\n")
        response: web.StreamResponse = await handler(request)
        return response

    async def _relay(self, request: web.Request) -> web.StreamResponse:
        self._check_token(request)
        if request.headers.get("Origin") != self.url:
            raise web.HTTPForbidden(text="missing or foreign Origin\n")
        handshake = _handshake(request.query)
        page = web.WebSocketResponse(max_msg_size=MAX_MESSAGE, compress=False)
        if not page.can_prepare(request).ok:
            raise web.HTTPBadRequest(text="expected a WebSocket upgrade\n")
        await page.prepare(request)
        relay = Relay(page, self.home)
        relay.window = request.query.get("window")
        if relay.window is not None:
            self.windows_seen.add(relay.window)
        if not await self._daemon_ready(page):
            return page
        if self.on_control is not None:
            relay.on_control = functools.partial(self.on_control, relay)
        self.relays.add(relay)
        try:
            await relay.run(handshake)
        finally:
            self.relays.discard(relay)
            await relay.close()
        return page

    async def _daemon_ready(self, page: web.WebSocketResponse) -> bool:
        """Wait for the daemon the shell starts; False (page told and closed) if it failed."""
        gate = self.daemon_gate
        if gate is None:
            return True
        try:
            if not gate.done:
                await page.send_str(control_text(Status(message=gate.status)))
            await gate.ready()
        except NbdeskError as exc:
            with contextlib.suppress(ConnectionError, RuntimeError):
                await page.send_str(control_text(ControlError(code=exc.code, message=exc.message)))
            await page.close(code=WSCloseCode.INTERNAL_ERROR, message=b"no daemon")
            return False
        return True

    async def _notebook_file(self, request: web.Request) -> web.StreamResponse:
        self._check_token(request)
        target = notebook_file(request.query.get("notebook", ""), request.match_info["path"])
        if target is None:
            raise web.HTTPNotFound(text="no such file next to the notebook\n")
        return web.FileResponse(
            target, headers={"Content-Type": _content_type(target), **_NOTEBOOK_FILE_HEADERS}
        )

    def _check_token(self, request: web.Request) -> None:
        given = request.query.get("token", "")
        if not secrets.compare_digest(given.encode(), self.token.encode()):
            raise web.HTTPForbidden(text="missing or wrong token\n")

    async def _index(self, request: web.Request) -> web.StreamResponse:
        return self._serve("index.html")

    async def _file(self, request: web.Request) -> web.StreamResponse:
        return self._serve(request.match_info["name"])

    def _serve(self, name: str) -> web.StreamResponse:
        """A file inside the web dir (symlinks resolved), never a directory or outside it."""
        try:
            target = (self.web_dir / name).resolve()
        except (OSError, ValueError):
            raise web.HTTPNotFound() from None
        if not target.is_relative_to(self.web_dir) or not target.is_file():
            raise web.HTTPNotFound()
        return web.FileResponse(
            target, headers={"Content-Type": _content_type(target), **_FILE_HEADERS}
        )


def _content_type(target: Path) -> str:
    return (
        CONTENT_TYPES.get(target.suffix.lower())
        or mimetypes.guess_type(target.name)[0]
        or "application/octet-stream"
    )


def notebook_file(notebook: str, relative: str) -> Path | None:
    """The regular file `relative` names inside the folder of the `.ipynb` at `notebook`.

    None when the notebook path is not absolute or not an existing `.ipynb` file, when
    `relative` has a `..` segment or is absolute, or when it resolves (symlinks followed)
    outside that folder or to anything but a regular file.
    """
    if not notebook or not os.path.isabs(notebook) or not notebook.lower().endswith(".ipynb"):
        return None
    parts = relative.replace("\\", "/").split("/")
    if ".." in parts or os.path.isabs(relative) or "\0" in relative:
        return None
    try:
        notebook_path = Path(notebook).resolve()
        if not notebook_path.is_file():
            return None
        folder = notebook_path.parent
        target = (folder / relative).resolve()
    except (OSError, ValueError):
        return None
    if not target.is_relative_to(folder) or not target.is_file():
        return None
    return target


def _handshake(query: Any) -> dict[str, Any]:
    """The daemon handshake a page's query asks for, or 400."""
    chosen = [key for key in ("open", "create", "join") if key in query]
    if len(chosen) != 1:
        raise web.HTTPBadRequest(
            text="give exactly one of open=<absolute path>, create=1, join=<notebook_id>\n"
        )
    value = query[chosen[0]]
    if chosen[0] == "open":
        if not os.path.isabs(value):
            raise web.HTTPBadRequest(text="open= needs an absolute path\n")
        return {"op": "open", "path": value}
    if chosen[0] == "create":
        if value != "1":
            raise web.HTTPBadRequest(text="create= takes 1\n")
        return {"op": "create"}
    if not value:
        raise web.HTTPBadRequest(text="join= needs a notebook id\n")
    return {"op": "join", "notebook_id": value}
