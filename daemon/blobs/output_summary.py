"""Outputs as a few lines of text, for diffs: stream and error text as they read,
text MIME values as text, binary values (images) by size and SHA-256, JSON compactly.

The one summary both sides of a comparison use, whether the output came from the blob
store (`describe_manifest`) or straight from an .ipynb file (`summarize_output`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from nbdesk.daemon.blobs.manifests import is_binary_mime, load_output
from nbdesk.daemon.blobs.store import BlobStore
from nbdesk.daemon.wire.errors import BlobError

MAX_LINES_PER_VALUE = 200


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _lines(prefix: str, text: str) -> list[str]:
    lines = text.splitlines() or [""]
    shown = [f"{prefix}{line}" for line in lines[:MAX_LINES_PER_VALUE]]
    if len(lines) > MAX_LINES_PER_VALUE:
        shown.append(f"{prefix}… {len(lines) - MAX_LINES_PER_VALUE} more lines")
    return shown


def binary_summary(mime: str, encoded: str) -> str:
    try:
        data = base64.b64decode(encoded)
    except (binascii.Error, ValueError):
        return f"{mime}: not valid base64 ({len(encoded):,} characters)"
    return f"{mime} {len(data):,} bytes sha256 {hashlib.sha256(data).hexdigest()[:16]}"


def summarize_output(output: dict[str, Any]) -> list[str]:
    """An nbformat output as text lines."""
    kind = output.get("output_type")
    if kind == "stream":
        return _lines(f"[{output.get('name', 'stream')}] ", _text(output.get("text", "")))
    if kind == "error":
        return [f"[error] {output.get('ename', '')}: {output.get('evalue', '')}"]
    if kind in ("display_data", "execute_result"):
        lines: list[str] = []
        for mime, value in sorted(dict(output.get("data", {})).items()):
            if isinstance(value, str | list) and is_binary_mime(mime):
                lines.append(f"[{mime}] {binary_summary(mime, _text(value))}")
            elif isinstance(value, str | list):
                lines.extend(_lines(f"[{mime}] ", _text(value)))
            else:
                lines.extend(_lines(f"[{mime}] ", json.dumps(value, sort_keys=True)))
        return lines or [f"[{kind}] (empty)"]
    return [f"[{kind}]"]


def describe_manifest(store: BlobStore, manifest_hash: str) -> list[str]:
    """A stored output as text lines; one that blob collection removed says so."""
    try:
        return summarize_output(load_output(store, manifest_hash))
    except (BlobError, OSError):
        return ["(output collected: older than the history retention)"]


def output_key(output: dict[str, Any]) -> str:
    """A key equal for equal outputs (for outputs that are not in the blob store)."""
    canonical = json.dumps(output, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
