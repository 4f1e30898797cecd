"""The Jupyter Server REST API a remote kernel needs, over aiohttp: kernelspecs, start,
interrupt, look up and delete a kernel, and open its channels WebSocket.

Jupyter Server, JupyterHub's single-user servers, Kernel Gateway and Enterprise Gateway
all speak this API, so nbdesk needs nothing else from them. Every call is bounded by a
timeout and every failure becomes a `ServerError` that names the server and says what
to do: a slow or dead server costs its own room a clear error, never a stuck daemon.
The token travels in the `Authorization` header, never in a URL.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp

from nbdesk.daemon.home.servers import Server
from nbdesk.daemon.kernels.ws_frames import V1_PROTOCOL
from nbdesk.daemon.wire.errors import ErrorCode, MissingKernelspec, ServerError

REQUEST_TIMEOUT = 10.0
CONNECT_TIMEOUT = 5.0
WS_HEARTBEAT = 10.0  # pings notice a peer that vanished without closing the connection
WS_MAX_MESSAGE = 0  # a kernel's output has no size limit of ours


@dataclass(frozen=True)
class RemoteSpec:
    name: str
    display_name: str
    language: str


class JupyterApi:
    """One server's API; owns an aiohttp session until `close()`."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self._http: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:
        return f"JupyterApi({self.server.name!r}, {self.server.url!r})"

    @property
    def http(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            headers = {"Authorization": f"token {self.server.token}"} if self.server.token else {}
            self._http = aiohttp.ClientSession(
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT, connect=CONNECT_TIMEOUT),
                connector=aiohttp.TCPConnector(ssl=self._ssl()),
            )
        return self._http

    def _ssl(self) -> ssl.SSLContext | bool:
        """Certificates are checked against the system's trust store unless the user said
        the server is insecure."""
        return False if self.server.insecure else ssl.create_default_context()

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    def url(self, path: str) -> str:
        return f"{self.server.url}/{path}"

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        timeout: float | None = None,
        missing_ok: bool = False,
    ) -> Any:
        """The JSON reply (None for 204 or, with `missing_ok`, 404)."""
        limit = aiohttp.ClientTimeout(total=timeout or REQUEST_TIMEOUT, connect=CONNECT_TIMEOUT)
        try:
            async with self.http.request(method, self.url(path), json=json, timeout=limit) as reply:
                if reply.status in (401, 403):
                    raise self.refused(reply.status)
                if reply.status == 404 and missing_ok:
                    return None
                if reply.status >= 400:
                    text = (await reply.text())[:300]
                    raise ServerError(
                        f"the Jupyter server {self.server.name} answered {method} /{path} with "
                        f"{reply.status}: {text}",
                        code=ErrorCode.KERNEL_ERROR,
                    )
                if reply.status == 204:
                    return None
                return await reply.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise self.unreachable(exc) from exc

    def unreachable(self, exc: BaseException) -> ServerError:
        why = (
            "it did not answer in time"
            if isinstance(exc, TimeoutError)
            else str(exc) or type(exc).__name__
        )
        return ServerError(
            f"the Jupyter server {self.server.name} ({self.server.url}) is unreachable: {why}. "
            "Check that it runs and this machine reaches it, or choose a local kernel",
            code=ErrorCode.SERVER_UNREACHABLE,
        )

    def refused(self, status: int) -> ServerError:
        return ServerError(
            f"the Jupyter server {self.server.name} ({self.server.url}) refused nbdesk's token "
            f"(HTTP {status}): store the right one with `nbdesk server add {self.server.name} "
            f"{self.server.url}`, or choose a local kernel",
            code=ErrorCode.SERVER_REFUSED,
        )

    # -- the calls ------------------------------------------------------------------------

    async def kernelspecs(self, timeout: float | None = None) -> dict[str, RemoteSpec]:
        reply = await self._call("GET", "api/kernelspecs", timeout=timeout)
        specs = {}
        for name, entry in (reply.get("kernelspecs") or {}).items():
            spec = entry.get("spec") or {}
            specs[name] = RemoteSpec(
                name=name,
                display_name=str(spec.get("display_name") or name),
                language=str(spec.get("language") or ""),
            )
        return specs

    async def kernelspec(self, name: str) -> RemoteSpec:
        specs = await self.kernelspecs()
        if name not in specs:
            raise MissingKernelspec(
                f"the Jupyter server {self.server.name} has no kernel named {name!r} "
                f"(it has: {', '.join(sorted(specs)) or 'none'}); choose another one",
                name,
            )
        return specs[name]

    async def start_kernel(self, name: str, timeout: float) -> str:
        """A new kernel of kernelspec `name`; its id."""
        reply = await self._call("POST", "api/kernels", json={"name": name}, timeout=timeout)
        return str(reply["id"])

    async def kernel_exists(self, kernel_id: str) -> bool:
        reply = await self._call("GET", f"api/kernels/{quote(kernel_id)}", missing_ok=True)
        return reply is not None

    async def interrupt(self, kernel_id: str) -> None:
        await self._call("POST", f"api/kernels/{quote(kernel_id)}/interrupt")

    async def delete_kernel(self, kernel_id: str) -> None:
        await self._call("DELETE", f"api/kernels/{quote(kernel_id)}", missing_ok=True)

    async def channels(self, kernel_id: str, session_id: str) -> aiohttp.ClientWebSocketResponse:
        """The kernel's channels WebSocket; `session_id` stays the same across reconnects
        so Jupyter Server replays what it buffered while the socket was down."""
        base = self.server.url.replace("http", "ws", 1)
        url = f"{base}/api/kernels/{quote(kernel_id)}/channels?session_id={quote(session_id)}"
        try:
            return await asyncio.wait_for(
                self.http.ws_connect(
                    url,
                    protocols=(V1_PROTOCOL,),
                    heartbeat=WS_HEARTBEAT,
                    max_msg_size=WS_MAX_MESSAGE,
                    timeout=aiohttp.ClientWSTimeout(ws_close=5.0),
                ),
                REQUEST_TIMEOUT,
            )
        except aiohttp.WSServerHandshakeError as exc:
            if exc.status in (401, 403):
                raise self.refused(exc.status) from exc
            raise self.unreachable(exc) from exc
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise self.unreachable(exc) from exc


async def list_kernelspecs(server: Server, timeout: float) -> dict[str, RemoteSpec]:
    """One server's kernelspecs for the picker, on a connection of its own."""
    api = JupyterApi(server)
    try:
        return await api.kernelspecs(timeout=timeout)
    finally:
        await api.close()
