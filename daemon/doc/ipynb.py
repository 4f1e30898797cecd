"""`.ipynb` files in and out of notebook documents.

nbformat 4.x in (older minors get cell ids minted once), nbformat 4.5 out, validated by
nbformat both ways. Outputs become manifests in the blob store. Export is canonical
nbformat JSON (indent 1, sorted keys, no ASCII escaping, trailing newline), so a file
written canonically and not edited exports byte-identical. Does not decide when to read
or write files: rooms do.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any, Protocol

import nbformat

from nbdesk.daemon.doc.notebook_doc import NotebookDoc
from nbdesk.daemon.doc.repair import Unrepairable, repair
from nbdesk.daemon.wire.enums import CellType, HistoryAuthor
from nbdesk.daemon.wire.errors import NbdeskError, NotebookFileError
from nbdesk.daemon.wire.ids import BlobHash, NotebookId, new_notebook_id

NBFORMAT_MAJOR = 4
NBFORMAT_MINOR = 5


class OutputStore(Protocol):
    """Where a notebook's outputs live while it is a document (the blob store's manifests,
    `nbdesk.daemon.blobs.manifests.ManifestOutputs`): the document holds only their hashes."""

    def store_output(self, output: dict[str, Any]) -> BlobHash: ...

    def load_output(self, manifest_hash: str) -> dict[str, Any]: ...


def parse_ipynb(data: bytes | str, *, source: object = "<notebook>") -> nbformat.NotebookNode:
    """`read_ipynb` for callers that need no word about repairs."""
    return read_ipynb(data, source=source)[0]


def read_ipynb(
    data: bytes | str, *, source: object = "<notebook>"
) -> tuple[nbformat.NotebookNode, list[str]]:
    """Parse notebook JSON into a valid notebook and the repairs that took (see `repair`);
    a file that cannot be read or repaired raises NotebookFileError naming `source`."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NotebookFileError(
                source, f"not UTF-8 text ({exc.reason} at byte {exc.start})"
            ) from exc
    if not data.strip():
        raise NotebookFileError(source, "the file is empty")
    try:
        raw = json.loads(data)
    except ValueError as exc:
        raise NotebookFileError(
            source, f"not valid JSON, the file may be truncated ({exc})"
        ) from exc
    if (
        not isinstance(raw, dict)
        or "nbformat" not in raw
        or ("cells" not in raw and "worksheets" not in raw)
    ):
        raise NotebookFileError(source, "JSON but not a Jupyter notebook (no nbformat or cells)")
    major = raw.get("nbformat")
    if not isinstance(major, int) or major > NBFORMAT_MAJOR:
        raise NotebookFileError(source, f"nbformat {major!r} is not supported (4.x expected)")
    repairs: list[str] = []
    try:
        nb = nbformat.versions[major].to_notebook_json(raw, minor=raw.get("nbformat_minor"))
        nb = nbformat.convert(nb, NBFORMAT_MAJOR)
        if not nbformat.validator.isvalid(nb):
            repairs = repair(nb)
    except Unrepairable as exc:
        raise NotebookFileError(
            source, f"invalid notebook that nbdesk cannot repair: {exc}"
        ) from exc
    except AttributeError as exc:
        raise NotebookFileError(
            source, f"invalid notebook, missing an expected key: {exc}"
        ) from exc
    except Exception as exc:
        raise NotebookFileError(source, f"unreadable notebook: {exc}") from exc
    return nb, repairs


def import_notebook(
    nb: dict[str, Any], outputs: OutputStore, notebook_id: NotebookId | None = None
) -> NotebookDoc:
    """A new document holding everything `nb` holds; outputs go to the blob store."""
    doc = NotebookDoc.create(notebook_id or new_notebook_id())
    with doc.change(author=HistoryAuthor.FILE):
        for key, value in nb.get("metadata", {}).items():
            doc.set_metadata(key, json.dumps(value, ensure_ascii=False, sort_keys=True))
        doc.append_cells([_cell_spec(cell, outputs) for cell in nb.get("cells", [])])
    return doc


def _cell_spec(cell: dict[str, Any], outputs: OutputStore) -> dict[str, Any]:
    source = cell.get("source", "")
    spec: dict[str, Any] = {
        "cell_id": cell.get("id"),
        "cell_type": CellType(cell["cell_type"]),
        "source": "".join(source) if isinstance(source, list) else source,
        "metadata": dict(cell.get("metadata", {})),
        "attachments": cell.get("attachments"),
    }
    if cell["cell_type"] == CellType.CODE:
        spec["execution_count"] = cell.get("execution_count")
        spec["outputs"] = [outputs.store_output(dict(o)) for o in cell.get("outputs", [])]
    return spec


def load_ipynb(
    path: Path | str, outputs: OutputStore, notebook_id: NotebookId | None = None
) -> NotebookDoc:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NotebookFileError(path, f"cannot read the file ({exc.strerror})") from exc
    return import_notebook(parse_ipynb(data, source=path), outputs, notebook_id)


def document_json(doc: NotebookDoc) -> dict[str, Any]:
    """The document as nbformat-shaped JSON whose outputs are the stored manifest hashes
    (what the page renders); `doc` may be a view of the past (`NotebookDoc.at`)."""
    cells = []
    for cell in doc.cells():
        entry: dict[str, Any] = {
            "cell_type": str(cell.cell_type),
            "id": cell.id,
            "metadata": cell.metadata,
            "source": cell.source,
        }
        if cell.cell_type == CellType.CODE:
            entry["execution_count"] = cell.execution_count
            entry["outputs"] = list(cell.outputs)
        elif cell.attachments is not None:
            entry["attachments"] = cell.attachments
        cells.append(entry)
    return {
        "cells": cells,
        "metadata": doc.metadata(),
        "nbformat": NBFORMAT_MAJOR,
        "nbformat_minor": NBFORMAT_MINOR,
    }


def export_notebook(doc: NotebookDoc, outputs: OutputStore) -> nbformat.NotebookNode:
    """The document as an nbformat 4.5 notebook."""
    nb = document_json(doc)
    for entry in nb["cells"]:
        if "outputs" in entry:
            entry["outputs"] = [outputs.load_output(h) for h in entry["outputs"]]
    return nbformat.from_dict(nb)


def to_canonical_bytes(nb: dict[str, Any], *, source: object = "<notebook>") -> bytes:
    """Canonical nbformat JSON, validated; raises NotebookFileError if it would be invalid."""
    captured: dict[str, Any] = {}
    text = nbformat.writes(
        nbformat.from_dict(nb), version=NBFORMAT_MAJOR, capture_validation_error=captured
    )
    if "ValidationError" in captured:
        problem = captured["ValidationError"]
        raise NotebookFileError(
            source, f"export would be invalid: {getattr(problem, 'message', problem)}"
        )
    if not text.endswith("\n"):
        text += "\n"
    return text.encode("utf-8")


def export_bytes(doc: NotebookDoc, outputs: OutputStore) -> bytes:
    try:
        return to_canonical_bytes(export_notebook(doc, outputs), source=doc.notebook_id)
    except NbdeskError:
        raise
    except Exception as exc:
        raise NotebookFileError(doc.notebook_id, f"cannot export: {exc}") from exc


def merge_notebook(doc: NotebookDoc, nb: dict[str, Any], outputs: OutputStore) -> int:
    """Make `doc` match `nb` cell by cell (an edit made outside nbdesk); returns cells changed.

    Cells are matched by id, so an edit to one cell leaves every other cell's history
    (and any concurrent typing in it) alone; sources change by minimal splices. Cells
    without ids (nbformat < 4.5) are matched by content and position instead.
    """
    changed = 0
    wanted = [_cell_spec(cell, outputs) for cell in nb.get("cells", [])]
    _match_by_content(doc, wanted)
    wanted_ids: list[str] = [spec["cell_id"] or "" for spec in wanted]
    with doc.change(author=HistoryAuthor.FILE):
        for gone in set(doc.cell_ids()) - set(wanted_ids):
            doc.delete_cell(gone)
            changed += 1
        for index, spec in enumerate(wanted):
            known: str | None = spec.pop("cell_id")
            if known is None or not doc.has_cell(known):
                wanted_ids[index] = doc.insert_cell(index, **spec, cell_id=known)
                changed += 1
            elif _update_cell(doc, known, spec):
                changed += 1
        for index, cell_id in enumerate(wanted_ids):
            if doc.cell_ids()[index] != cell_id:
                doc.move_cell(cell_id, index)
        _merge_metadata(doc, nb.get("metadata", {}))
    return changed


def _match_by_content(doc: NotebookDoc, wanted: list[dict[str, Any]]) -> None:
    """Give each file cell without an id the id of the document cell it most likely is:
    the same type and source in the same order, or, where a run of cells differs, the
    one at the same place in that run (an edited cell keeps its identity)."""
    loose = [index for index, spec in enumerate(wanted) if spec["cell_id"] is None]
    if not loose:
        return
    claimed = {spec["cell_id"] for spec in wanted if spec["cell_id"] is not None}
    doc_ids = [cell_id for cell_id in doc.cell_ids() if cell_id not in claimed]
    old = [(str(cell.cell_type), cell.source) for cell in map(doc.cell, doc_ids)]
    new = [(str(wanted[i]["cell_type"]), wanted[i]["source"]) for i in loose]
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag in ("equal", "replace"):
            for offset in range(min(old_end - old_start, new_end - new_start)):
                wanted[loose[new_start + offset]]["cell_id"] = doc_ids[old_start + offset]


def _update_cell(doc: NotebookDoc, cell_id: str, spec: dict[str, Any]) -> bool:
    cell = doc.cell(cell_id)
    touched = False
    if cell.cell_type != spec["cell_type"]:
        doc.set_cell_type(cell_id, spec["cell_type"])
        touched = True
    if cell.source != spec["source"]:
        doc.replace_source(cell_id, spec["source"])
        touched = True
    if cell.metadata != spec["metadata"]:
        doc.set_cell_metadata(cell_id, spec["metadata"])
        touched = True
    if cell.attachments != spec["attachments"]:
        doc.set_cell_attachments(cell_id, spec["attachments"])
        touched = True
    if spec["cell_type"] == CellType.CODE:
        if cell.execution_count != spec["execution_count"]:
            doc.set_execution_count(cell_id, spec["execution_count"])
            touched = True
        if list(cell.outputs) != spec["outputs"]:
            doc.set_outputs(cell_id, spec["outputs"])
            touched = True
    return touched


def _merge_metadata(doc: NotebookDoc, metadata: dict[str, Any]) -> None:
    for key in set(doc.metadata_keys()) - set(metadata):
        doc.delete_metadata(key)
    for key, value in metadata.items():
        raw = json.dumps(value, ensure_ascii=False, sort_keys=True)
        current = doc.get_metadata(key)
        if current is None or json.loads(current) != value:
            doc.set_metadata(key, raw)


def cell_count(data: bytes) -> int:
    """How many cells a notebook file holds (0 when it cannot be read)."""
    try:
        return len(json.loads(data).get("cells", []))
    except (ValueError, AttributeError):
        return 0
