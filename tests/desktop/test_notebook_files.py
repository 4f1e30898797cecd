"""The shell server's `/files/` route: files next to a notebook, for markdown images.

Only with the token, only inside the notebook's folder (no `..`, no symlink out), only
regular files, and always under a CSP sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote, urlencode

import aiohttp
import pytest

from nbdesk.daemon.home.config import Home
from nbdesk.desktop.web_server import ShellServer, notebook_file

PNG = b"\x89PNG\r\n\x1a\n fake image bytes"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    notebooks = tmp_path / "project"
    (notebooks / "img").mkdir(parents=True)
    (notebooks / "analysis.ipynb").write_text("{}")
    (notebooks / "img" / "plot one.png").write_bytes(PNG)
    (notebooks / "page.html").write_text("<script>alert(1)</script>")
    (tmp_path / "secret.txt").write_text("SECRET")
    (notebooks / "escape.txt").symlink_to(tmp_path / "secret.txt")
    return notebooks


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[ShellServer]:
    web = tmp_path / "web"
    web.mkdir()
    (web / "index.html").write_text("<!doctype html>")
    shell = ShellServer(Home(tmp_path / "home"), web)
    await shell.start()
    yield shell
    await shell.close()


def files_url(
    server: ShellServer, relative: str, notebook: Path | str, token: str | None = None
) -> str:
    query = urlencode({"token": server.token if token is None else token, "notebook": notebook})
    return f"/files/{relative}?{query}"


async def raw_get(port: int, target: str) -> tuple[int, bytes]:
    """GET `target` exactly as written (HTTP clients fold `..` away before sending)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    writer.write(request.encode())
    response = await reader.read()
    writer.close()
    head, _, body = response.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


async def test_serves_a_file_next_to_the_notebook(server: ShellServer, folder: Path) -> None:
    notebook = folder / "analysis.ipynb"
    async with aiohttp.ClientSession(server.url) as http:
        async with http.get(files_url(server, quote("img/plot one.png"), notebook)) as response:
            assert response.status == 200
            assert response.content_type == "image/png"
            assert response.headers["Content-Security-Policy"] == "sandbox"
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert await response.read() == PNG
        async with http.get(files_url(server, "page.html", notebook)) as response:
            assert response.status == 200
            assert response.headers["Content-Security-Policy"] == "sandbox"


async def test_needs_the_token(server: ShellServer, folder: Path) -> None:
    notebook = folder / "analysis.ipynb"
    async with aiohttp.ClientSession(server.url) as http:
        for token in ("", "wrong"):
            async with http.get(files_url(server, "img/x.png", notebook, token)) as response:
                assert response.status == 403


async def test_refuses_escapes_and_non_files(server: ShellServer, folder: Path) -> None:
    notebook = folder / "analysis.ipynb"
    targets = [
        files_url(server, "../secret.txt", notebook),
        files_url(server, "%2e%2e/secret.txt", notebook),
        files_url(server, "img/../../secret.txt", notebook),
        files_url(server, "..%2fsecret.txt", notebook),
        files_url(server, "img%2f..%2f..%2fsecret.txt", notebook),
        files_url(server, "..%5csecret.txt", notebook),
        files_url(server, "escape.txt", notebook),  # a symlink out of the folder
        files_url(server, "img", notebook),  # a directory
        files_url(server, "missing.png", notebook),
        files_url(server, "secret.txt", folder.parent / "nope.ipynb"),  # no such notebook
        files_url(server, "secret.txt", folder.parent / "secret.txt"),  # not a notebook
        files_url(server, "secret.txt", "relative.ipynb"),
        f"/files/secret.txt?{urlencode({'token': server.token})}",  # no notebook
    ]
    for target in targets:
        status, body = await raw_get(server.port or 0, target)
        assert status in (400, 404), target
        assert b"SECRET" not in body, target


def test_notebook_file_resolution(folder: Path) -> None:
    notebook = str(folder / "analysis.ipynb")
    assert notebook_file(notebook, "img/plot one.png") == (folder / "img" / "plot one.png")
    assert notebook_file(notebook, "./img/plot one.png") == (folder / "img" / "plot one.png")
    for relative in ("../secret.txt", "img/../../secret.txt", "/etc/passwd", "a\0b", "img"):
        assert notebook_file(notebook, relative) is None, relative
    assert notebook_file(str(folder / "img" / "plot one.png"), "x") is None
