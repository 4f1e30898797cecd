"""Output manifests: nbformat outputs whose large or binary values live in the blob store.

A manifest is an nbformat output dict in which every MIME value, stream text and error
traceback is a content reference:

    "text"                                   inline text under 1 KiB
    {"json": value}                          inline JSON value under 1 KiB
    {"blob": sha256, "size": n, "kind": k}   k = "text" | "json" | "binary"

Binary MIME types are stored decoded; `"newlines"` keeps the line breaks of the original
base64 so a round trip is byte-identical. Every blob is stored with the media type it is
served with (text types as UTF-8). Manifests are stored as canonical JSON blobs and the
document holds their hashes.

A manifest keeps the kernel's `transient` (the display id that `update_display_data`
targets); the nbformat output rebuilt from it does not, since nbformat has no such
field. Pure functions over a BlobStore.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from nbdesk.daemon.blobs.store import BlobStore, is_blob_hash
from nbdesk.daemon.wire.errors import BlobError, ErrorCode
from nbdesk.daemon.wire.ids import BlobHash

INLINE_LIMIT = 1024
JSON_MEDIA_TYPE = "application/json"
STREAM_MEDIA_TYPE = "text/plain; charset=utf-8"

_TEXT_APPLICATION = {
    "application/json",
    "application/javascript",
    "application/ecmascript",
    "application/xml",
    "application/xhtml+xml",
    "application/mathml+xml",
    "application/sql",
    "application/graphql",
    "application/x-latex",
    "application/x-tex",
}


def is_binary_mime(mime: str) -> bool:
    """True for MIME types whose nbformat value is base64 of binary bytes."""
    if mime.startswith("image/"):
        return mime != "image/svg+xml"
    if mime.startswith(("audio/", "video/")):
        return True
    if mime.startswith("application/"):
        return not (mime in _TEXT_APPLICATION or mime.endswith(("+json", "+xml")))
    return False


def is_json_mime(mime: str) -> bool:
    """True for MIME types whose nbformat value is JSON itself (any value, a list included),
    not text that may be split into a list of lines."""
    return mime == JSON_MEDIA_TYPE or (mime.startswith("application/") and mime.endswith("+json"))


def text_media_type(mime: str) -> str:
    """The media type a text value of `mime` is served with: UTF-8, as it is stored."""
    return f"{mime.split(';', 1)[0].strip()}; charset=utf-8"


def _canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def text_ref(store: BlobStore, text: str, media_type: str = STREAM_MEDIA_TYPE) -> Any:
    data = text.encode()
    if len(data) < INLINE_LIMIT:
        return text
    return {"blob": store.put(data, media_type), "size": len(data), "kind": "text"}


def json_ref(store: BlobStore, value: Any) -> Any:
    data = _canonical(value)
    if len(data) < INLINE_LIMIT:
        return {"json": value}
    return {"blob": store.put(data, JSON_MEDIA_TYPE), "size": len(data), "kind": "json"}


def binary_ref(store: BlobStore, encoded: str, media_type: str | None = None) -> Any:
    """Store base64 `encoded` as its decoded bytes, keeping its exact line layout.

    Text that is not valid base64 is kept as text (and served as plain text).
    """
    compact = encoded.replace("\n", "")
    try:
        raw = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return text_ref(store, encoded)
    if base64.b64encode(raw).decode() != compact:
        return text_ref(store, encoded)
    blob_hash = store.put(raw, media_type)
    ref: dict[str, Any] = {"blob": blob_hash, "size": len(raw), "kind": "binary"}
    if len(compact) != len(encoded):
        ref["newlines"] = [i for i, ch in enumerate(encoded) if ch == "\n"]
    return ref


def resolve_ref(store: BlobStore, ref: Any) -> Any:
    """The nbformat value a content reference stands for."""
    if isinstance(ref, str):
        return ref
    if not isinstance(ref, dict):
        raise BlobError(f"malformed content reference {ref!r:.80}", code=ErrorCode.BAD_MANIFEST)
    if "json" in ref:
        return ref["json"]
    data = store.get(ref["blob"])
    kind = ref.get("kind", "text")
    if kind == "text":
        return data.decode()
    if kind == "json":
        return json.loads(data)
    encoded = base64.b64encode(data).decode()
    for index in ref.get("newlines", ()):
        encoded = encoded[:index] + "\n" + encoded[index:]
    return encoded


def _data_refs(store: BlobStore, bundle: dict[str, Any]) -> dict[str, Any]:
    refs = {}
    for mime, value in bundle.items():
        if isinstance(value, list) and not is_json_mime(mime):
            value = "".join(value)
        if isinstance(value, str):
            refs[mime] = (
                binary_ref(store, value, mime)
                if is_binary_mime(mime)
                else text_ref(store, value, text_media_type(mime))
            )
        else:
            refs[mime] = json_ref(store, value)
    return refs


def output_to_manifest(store: BlobStore, output: dict[str, Any]) -> dict[str, Any]:
    """An nbformat output (joined strings) as a manifest with content references."""
    manifest = dict(output)
    kind = output.get("output_type")
    if kind in ("display_data", "execute_result"):
        manifest["data"] = _data_refs(store, output.get("data", {}))
    elif kind == "stream":
        text = output.get("text", "")
        manifest["text"] = text_ref(store, "".join(text) if isinstance(text, list) else text)
    elif kind == "error":
        manifest["traceback"] = json_ref(store, list(output.get("traceback", [])))
    return manifest


def manifest_to_output(store: BlobStore, manifest: dict[str, Any]) -> dict[str, Any]:
    """The nbformat output a manifest stands for (without the kernel's `transient`)."""
    output = dict(manifest)
    output.pop("transient", None)
    kind = manifest.get("output_type")
    if kind in ("display_data", "execute_result"):
        output["data"] = {m: resolve_ref(store, r) for m, r in manifest.get("data", {}).items()}
    elif kind == "stream":
        output["text"] = resolve_ref(store, manifest.get("text", ""))
    elif kind == "error":
        output["traceback"] = resolve_ref(store, manifest.get("traceback", {"json": []}))
    return output


def display_id_of(manifest: dict[str, Any]) -> str | None:
    """The display id the kernel gave this output (`transient.display_id`), if any."""
    transient = manifest.get("transient")
    if not isinstance(transient, dict):
        return None
    display_id = transient.get("display_id")
    return display_id if isinstance(display_id, str) and display_id else None


def blob_refs(manifest: Any) -> set[BlobHash]:
    """Every blob a manifest references: `{"blob": hash}` anywhere inside it.

    Walks everything, inline JSON values included, so a value that merely looks like a
    reference keeps a blob alive rather than the other way round.
    """
    found: set[BlobHash] = set()
    stack = [manifest]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            ref = value.get("blob")
            if isinstance(ref, str) and is_blob_hash(ref):
                found.add(BlobHash(ref))
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found


def content_blob_refs(manifest: dict[str, Any]) -> list[BlobHash]:
    """The blobs a manifest's content references point at, exactly: what resolving it reads.

    Unlike `blob_refs` (the conservative set garbage collection keeps), inline JSON values
    are never mistaken for references.
    """
    refs = [*manifest.get("data", {}).values(), manifest.get("text"), manifest.get("traceback")]
    return [
        BlobHash(ref["blob"])
        for ref in refs
        if isinstance(ref, dict) and isinstance(ref.get("blob"), str)
    ]


def store_manifest(store: BlobStore, manifest: dict[str, Any]) -> BlobHash:
    return store.put(_canonical(manifest), JSON_MEDIA_TYPE)


def load_manifest(store: BlobStore, manifest_hash: str) -> dict[str, Any]:
    try:
        manifest = json.loads(store.get(manifest_hash))
    except (ValueError, RecursionError) as exc:
        raise BlobError(
            f"manifest {manifest_hash} is not JSON", code=ErrorCode.BAD_MANIFEST
        ) from exc
    if not isinstance(manifest, dict):
        raise BlobError(f"manifest {manifest_hash} is not an object", code=ErrorCode.BAD_MANIFEST)
    return manifest


def store_output(store: BlobStore, output: dict[str, Any]) -> BlobHash:
    """Store an nbformat output and return the manifest hash the document holds."""
    return store_manifest(store, output_to_manifest(store, output))


def load_output(store: BlobStore, manifest_hash: str) -> dict[str, Any]:
    return manifest_to_output(store, load_manifest(store, manifest_hash))


class ManifestOutputs:
    """A blob store seen as the output store that `.ipynb` import and export
    (`doc.ipynb.OutputStore`) and kernels (`kernels.host.KernelOutputs`) write through."""

    def __init__(self, blobs: BlobStore) -> None:
        self.blobs = blobs

    def store_output(self, output: dict[str, Any]) -> BlobHash:
        return store_output(self.blobs, output)

    def load_output(self, manifest_hash: str, *, keep_transient: bool = False) -> dict[str, Any]:
        manifest = load_manifest(self.blobs, manifest_hash)
        output = manifest_to_output(self.blobs, manifest)
        if keep_transient and "transient" in manifest:
            output["transient"] = manifest["transient"]
        return output

    def display_id(self, manifest_hash: str) -> str | None:
        return display_id_of(load_manifest(self.blobs, manifest_hash))

    def put_blob(self, data: bytes, media_type: str) -> BlobHash:
        return self.blobs.put(data, media_type)
