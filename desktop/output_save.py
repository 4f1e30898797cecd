"""Writes one output's MIME value to the file the user chose in the app's save dialog
(the page's "Save as file…" on an image or SVG output): the bytes of a blob, read from
the daemon's blob server exactly as the page shows them, or the text the page sent.
Does not show dialogs (`app.py` does)."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path

from nbdesk.daemon.home.atomic import atomic_write
from nbdesk.daemon.wire.control import SaveOutput
from nbdesk.daemon.wire.errors import ErrorCode, NbdeskError

BLOB_HASH = re.compile(r"[0-9a-f]{64}")
FETCH_TIMEOUT = 30.0


def output_bytes(blob_url: str | None, message: SaveOutput) -> bytes:
    """What `message` asks to save; NbdeskError says why it cannot be had."""
    if not message.blob_hash:
        return message.text.encode()
    if not BLOB_HASH.fullmatch(message.blob_hash):
        raise NbdeskError(
            f"not a blob hash: {message.blob_hash!r} (reload the window and save again)",
            code=ErrorCode.NO_SUCH_BLOB,
        )
    if not blob_url:
        raise NbdeskError(
            "the daemon serves no blobs: reload the window once it is reconnected",
            code=ErrorCode.NO_BLOB_SERVER,
        )
    url = f"{blob_url}/blob/{message.blob_hash}"
    try:
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT) as response:
            data: bytes = response.read()
    except (urllib.error.URLError, OSError) as exc:
        raise NbdeskError(
            f"the output's data could not be read from the daemon ({exc}); try again",
            code=ErrorCode.NO_SUCH_BLOB,
        ) from exc
    return data


def save_output(blob_url: str | None, message: SaveOutput, target: Path) -> Path:
    """Write the output to `target` (atomically: a failed write leaves no half file)."""
    atomic_write(target, output_bytes(blob_url, message))
    return target
