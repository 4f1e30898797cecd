"""The shell's static server: web/dist files with their types, 404s, no way out of the
folder (`..` in any spelling) and no foreign Host."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
from test_relay import fake_home, http, web_dir

from nbdesk.daemon.home.config import Home
from nbdesk.desktop.web_server import ShellServer

__all__ = ["fake_home", "http", "web_dir"]  # fixtures


async def raw_get(port: int, target: str, host: str | None = None) -> tuple[int, bytes]:
    """GET `target` exactly as written (clients normalise `..` away)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    host = host or f"127.0.0.1:{port}"
    writer.write(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    response = await reader.read()
    writer.close()
    head, _, body = response.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


async def test_static_files(web_dir: Path, http: aiohttp.ClientSession, fake_home: Home) -> None:
    server = ShellServer(fake_home, web_dir)
    await server.start()
    try:
        expected = {
            "/": ("text/html", b"<!doctype html><title>nbdesk</title>"),
            "/app.js": ("text/javascript", b"console.log('app')"),
            "/app.css": ("text/css", b"body {}"),
            "/peer.wasm": ("application/wasm", b"\0asm\1\0\0\0"),
            "/sub/page.html": ("text/html", b"<p>sub</p>"),
        }
        for path, (content_type, body) in expected.items():
            async with http.get(server.url + path) as response:
                assert response.status == 200, path
                assert response.content_type == content_type, path
                assert await response.read() == body
        for path in ("/missing.js", "/sub", "/sub/", "/relay.js"):
            async with http.get(server.url + path) as response:
                assert response.status == 404, path
        for target in (
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/sub/../../secret.txt",
            "/sub/%2e%2e/%2e%2e/secret.txt",
            "/..%2fsecret.txt",
            "/%2e%2e%2fsecret.txt",
        ):
            status, body = await raw_get(server.port or 0, target)
            assert status in (400, 403, 404), target
            assert b"SECRET" not in body, target
        status, _ = await raw_get(server.port or 0, "/", host="attacker.example")
        assert status == 403
    finally:
        await server.close()
