"""The shell's half of "Save as file…": the bytes of a blob from a real HTTP server (the
daemon's blob server's URL shape), the text the page sent, and a clear error for each
way it can fail, with nothing written."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from nbdesk.daemon.wire.control import SaveOutput
from nbdesk.daemon.wire.errors import ErrorCode, NbdeskError
from nbdesk.desktop.output_save import save_output

HASH = "c0" * 32
IMAGE = b"\x89PNG\r\n\x1a\n bytes of an image"


@pytest.fixture
async def blob_url() -> AsyncIterator[str]:
    """A real server answering `/blob/<HASH>` with IMAGE and 404 for any other hash."""

    async def blob(request: web.Request) -> web.Response:
        if request.match_info["hash"] != HASH:
            raise web.HTTPNotFound()
        return web.Response(body=IMAGE, content_type="image/png")

    app = web.Application()
    app.router.add_get("/blob/{hash}", blob)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_a_blob_is_saved_byte_for_byte(blob_url: str, tmp_path: Path) -> None:
    target = tmp_path / "out.png"
    message = SaveOutput(suggested_name="image.png", blob_hash=HASH)
    await asyncio.to_thread(save_output, blob_url, message, target)
    assert target.read_bytes() == IMAGE


def test_text_is_saved_as_utf8(tmp_path: Path) -> None:
    target = tmp_path / "out.svg"
    save_output(None, SaveOutput(suggested_name="o.svg", text="<svg>é</svg>"), target)
    assert target.read_text(encoding="utf-8") == "<svg>é</svg>"


@pytest.mark.parametrize(
    ("blob_hash", "served", "code", "says"),
    [
        ("../../etc/passwd", True, ErrorCode.NO_SUCH_BLOB, "not a blob hash"),
        (HASH, False, ErrorCode.NO_BLOB_SERVER, "serves no blobs"),
        ("ee" * 32, True, ErrorCode.NO_SUCH_BLOB, "could not be read"),
    ],
)
async def test_a_save_that_cannot_be_done_says_why_and_writes_nothing(
    blob_url: str, tmp_path: Path, blob_hash: str, served: bool, code: ErrorCode, says: str
) -> None:
    target = tmp_path / "out.png"
    message = SaveOutput(suggested_name="image.png", blob_hash=blob_hash)
    with pytest.raises(NbdeskError, match=says) as info:
        await asyncio.to_thread(save_output, blob_url if served else None, message, target)
    assert info.value.code is code
    assert list(tmp_path.iterdir()) == []
