"""The notebook as an Automerge document (schema v3): every read and write goes through here.

Owns the schema, its migrations, the cell order (fractional positions) and the comms
map. Does not own sockets, files or kernels; the binding's hazards, transactions and
sync live in `nbdesk.daemon.doc.automerge_doc`.

    ROOT
      schema_version: uint 3
      notebook_id: str
      cells: Map cell_id -> {id, cell_type, position, source: Text, execution_count,
                             outputs: List<str>, metadata: str JSON, attachments?: str JSON}
      metadata: Map key -> str JSON
      comms: Map comm_id -> {target_name, model_module, model_name, state: str JSON,
                             outputs: List<str>, seq: uint}
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from automerge import core
from fractional_indexing import generate_key_between, generate_n_keys_between

from nbdesk.daemon.doc.automerge_doc import AutomergeDoc, SyncPeer, automerge_guard
from nbdesk.daemon.wire.enums import CellType
from nbdesk.daemon.wire.errors import DocumentError, ErrorCode
from nbdesk.daemon.wire.ids import BlobHash, CellId, CommId, NotebookId, new_cell_id

__all__ = ["SCHEMA_VERSION", "Cell", "CommSnapshot", "NotebookDoc", "SyncPeer"]

SCHEMA_VERSION = 3
_ROOT = core.ROOT
_Str = core.ScalarType.Str
_Uint = core.ScalarType.Uint
_Int = core.ScalarType.Int
_Null = core.ScalarType.Null
_Map = core.ObjType.Map
_List = core.ObjType.List
_Text = core.ObjType.Text


@dataclass(frozen=True, slots=True)
class Cell:
    """A read-only snapshot of one cell."""

    id: CellId
    cell_type: CellType
    position: str
    source: str
    execution_count: int | None = None
    outputs: tuple[BlobHash, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    attachments: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class CommSnapshot:
    """A read-only snapshot of one widget comm."""

    comm_id: CommId
    target_name: str
    model_module: str
    model_name: str
    state: dict[str, Any]
    outputs: tuple[BlobHash, ...]
    seq: int


def _dump_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _parse_json(raw: str, what: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise DocumentError(f"{what} is not valid JSON: {exc}", code=ErrorCode.BAD_JSON) from exc


def _common_affixes(old: str, new: str) -> tuple[int, int]:
    """Lengths of the common prefix and (non-overlapping) common suffix."""
    limit = min(len(old), len(new))
    prefix = 0
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    return prefix, suffix


class NotebookDoc(AutomergeDoc):
    """One notebook document and the only code that touches its Automerge structure."""

    def __repr__(self) -> str:
        return (
            f"NotebookDoc({self.notebook_id!r}, v{self.schema_version}, heads={len(self.heads())})"
        )

    # -- creation and persistence -------------------------------------------------

    @classmethod
    def create(cls, notebook_id: NotebookId) -> NotebookDoc:
        """A new notebook with its root structure. Only the daemon creates documents."""
        nb = cls(core.Document())
        with nb.change():
            tx = nb._tx
            tx.put(_ROOT, "schema_version", _Uint, SCHEMA_VERSION)
            tx.put(_ROOT, "notebook_id", _Str, str(notebook_id))
            tx.put_object(_ROOT, "cells", _Map)
            tx.put_object(_ROOT, "metadata", _Map)
            tx.put_object(_ROOT, "comms", _Map)
        return nb

    @classmethod
    def empty(cls) -> NotebookDoc:
        """An empty replica that fills itself by syncing with the daemon."""
        return cls(core.Document())

    @classmethod
    def load(cls, data: bytes, *, migrate: bool = True) -> NotebookDoc:
        """Load saved bytes; v2 documents are migrated, future versions refused."""
        with automerge_guard("loading the document"):
            doc = core.Document.load(bytes(data))
        nb = cls(doc)
        version = nb.schema_version
        if version is None:
            raise DocumentError("not an nbdesk notebook document (no schema_version)")
        if version > SCHEMA_VERSION:
            raise DocumentError(
                f"document schema v{version} is newer than this nbdesk understands "
                f"(v{SCHEMA_VERSION}); update nbdesk to open it",
                code=ErrorCode.FUTURE_SCHEMA,
            )
        if version < 2:
            raise DocumentError(
                f"document schema v{version} is not supported", code=ErrorCode.OLD_SCHEMA
            )
        if version == 2 and migrate:
            nb.migrate_v2_to_v3()
        return nb

    def migrate_v2_to_v3(self) -> bool:
        """Add the `comms` map and bump the version; False when there was nothing to do."""
        if self.schema_version != 2:
            return False
        with self.change():
            if self._get(_ROOT, "comms") is None:
                self._tx.put_object(_ROOT, "comms", _Map)
            self._tx.put(_ROOT, "schema_version", _Uint, SCHEMA_VERSION)
        return True

    # -- root --------------------------------------------------------------------

    @property
    def schema_version(self) -> int | None:
        return self._scalar(_ROOT, "schema_version")

    @property
    def notebook_id(self) -> NotebookId | None:
        value = self._scalar(_ROOT, "notebook_id")
        return None if value is None else NotebookId(value)

    def is_synced(self) -> bool:
        """True once the root structure exists in this replica."""
        return self._get(_ROOT, "cells") is not None

    # -- cells: reading -------------------------------------------------------------

    def _cells_obj(self) -> bytes | None:
        return self._object(_ROOT, "cells", _Map)

    def _cell_obj(self, cell_id: str) -> bytes:
        cells = self._cells_obj()
        obj = None if cells is None else self._object(cells, cell_id, _Map)
        if obj is None:
            raise DocumentError(f"no cell {cell_id!r}", code=ErrorCode.NO_SUCH_CELL)
        return obj

    def _ordered(self) -> list[tuple[str, CellId]]:
        """(position, id) of every cell in display order; ties broken by id."""
        cells = self._cells_obj()
        if cells is None:
            return []
        with automerge_guard("listing cells"):
            keys = self._reader.keys(cells)
        order = []
        for key in keys:
            obj = self._object(cells, key, _Map)
            if obj is not None:
                order.append((str(self._scalar(obj, "position", "")), CellId(key)))
        order.sort()
        return order

    def cell_ids(self) -> list[CellId]:
        return [cell_id for _, cell_id in self._ordered()]

    def __len__(self) -> int:
        cells = self._cells_obj()
        if cells is None:
            return 0
        with automerge_guard("counting cells"):
            return int(self._reader.length(cells))

    def has_cell(self, cell_id: str) -> bool:
        cells = self._cells_obj()
        return cells is not None and self._get(cells, cell_id) is not None

    def cell(self, cell_id: str) -> Cell:
        return self._read_cell(CellId(cell_id), self._cell_obj(cell_id))

    def _read_cell(self, cell_id: CellId, obj: bytes) -> Cell:
        props = self._props(obj)

        def got(name: str) -> Any:
            return props.get(name) if props is not None else self._get(obj, name)

        def scalar(name: str, default: Any = None) -> Any:
            return self._scalar_of(got(name), name, default)

        count = scalar("execution_count")
        attachments = scalar("attachments")
        try:
            cell_type = CellType(scalar("cell_type", "code"))
        except ValueError as exc:
            raise DocumentError(f"cell {cell_id!r}: {exc}", code=ErrorCode.BAD_SCHEMA) from exc
        return Cell(
            id=cell_id,
            cell_type=cell_type,
            position=str(scalar("position", "")),
            source=str(scalar("source", "")),
            execution_count=None if count is None else int(count),
            outputs=self._str_list(self._object_of(got("outputs"), "outputs", _List)),
            metadata=_parse_json(scalar("metadata", "{}"), f"cell {cell_id} metadata"),
            attachments=None
            if attachments is None
            else _parse_json(attachments, f"cell {cell_id} attachments"),
        )

    def cells(self) -> list[Cell]:
        """Every cell in display order (read in one pass: a notebook can be thousands)."""
        cells = self._cells_obj()
        if cells is None:
            return []
        with automerge_guard("listing cells"):
            keys = self._reader.keys(cells)
        found = []
        for key in keys:
            obj = self._object(cells, key, _Map)
            if obj is not None:
                found.append(self._read_cell(CellId(key), obj))
        found.sort(key=lambda cell: (cell.position, cell.id))
        return found

    def source(self, cell_id: str, *, obj: bytes | None = None) -> str:
        obj = obj or self._cell_obj(cell_id)
        return str(self._scalar(obj, "source", ""))

    # -- cells: writing -----------------------------------------------------------

    def _position_for(self, order: list[tuple[str, CellId]], index: int) -> str:
        """A position that sorts at `index` of `order`, respacing tied neighbours first."""
        index = max(0, min(index, len(order)))
        before = order[index - 1][0] if index > 0 else None
        after = order[index][0] if index < len(order) else None
        if before is not None and after is not None and before >= after:
            run_end = index
            while run_end < len(order) and order[run_end][0] <= before:
                run_end += 1
            upper = order[run_end][0] if run_end < len(order) else None
            fresh = generate_n_keys_between(before, upper, run_end - index)
            for offset, key in enumerate(fresh):
                self._tx.put(self._cell_obj(order[index + offset][1]), "position", _Str, key)
                order[index + offset] = (key, order[index + offset][1])
            after = fresh[0]
        return generate_key_between(before, after)

    def insert_cell(
        self,
        index: int,
        cell_type: CellType | str = CellType.CODE,
        source: str = "",
        *,
        cell_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        execution_count: int | None = None,
        outputs: list[str] | tuple[str, ...] = (),
        attachments: dict[str, Any] | None = None,
    ) -> CellId:
        """Insert a cell so that it shows at `index` (clamped to the ends)."""
        cell_type = CellType(cell_type)
        new_id = CellId(cell_id or new_cell_id())
        with self.change():
            cells = self._root_map("cells")
            if self.has_cell(new_id):
                raise DocumentError(
                    f"cell {new_id!r} already exists", code=ErrorCode.DUPLICATE_CELL
                )
            position = self._position_for(self._ordered(), index)
            self._write_cell(
                cells,
                new_id,
                position,
                cell_type,
                source,
                metadata or {},
                execution_count,
                outputs,
                attachments,
            )
        return new_id

    def append_cells(self, specs: list[dict[str, Any]]) -> list[CellId]:
        """Append many cells in one change (import); each spec holds insert_cell's fields."""
        with self.change():
            cells = self._root_map("cells")
            order = self._ordered()
            last = order[-1][0] if order else None
            positions = generate_n_keys_between(last, None, len(specs))
            taken = {cell_id for _, cell_id in order}
            ids = []
            for spec, position in zip(specs, positions, strict=True):
                new_id = CellId(spec.get("cell_id") or new_cell_id())
                if new_id in taken:
                    raise DocumentError(
                        f"cell {new_id!r} already exists", code=ErrorCode.DUPLICATE_CELL
                    )
                taken.add(new_id)
                self._write_cell(
                    cells,
                    new_id,
                    position,
                    CellType(spec.get("cell_type", CellType.CODE)),
                    spec.get("source", ""),
                    spec.get("metadata") or {},
                    spec.get("execution_count"),
                    spec.get("outputs", ()),
                    spec.get("attachments"),
                )
                ids.append(new_id)
        return ids

    def _write_cell(
        self,
        cells: bytes,
        cell_id: CellId,
        position: str,
        cell_type: CellType,
        source: str,
        metadata: dict[str, Any],
        execution_count: int | None,
        outputs: list[str] | tuple[str, ...],
        attachments: dict[str, Any] | None,
    ) -> None:
        tx = self._tx
        obj = tx.put_object(cells, cell_id, _Map)
        tx.put(obj, "id", _Str, cell_id)
        tx.put(obj, "cell_type", _Str, str(cell_type))
        tx.put(obj, "position", _Str, position)
        text = tx.put_object(obj, "source", _Text)
        if source:
            tx.splice_text(text, 0, 0, source)
        if execution_count is None:
            tx.put(obj, "execution_count", _Null, None)
        else:
            tx.put(obj, "execution_count", _Int, int(execution_count))
        out = tx.put_object(obj, "outputs", _List)
        for i, output in enumerate(outputs):
            tx.insert(out, i, _Str, str(output))
        tx.put(obj, "metadata", _Str, _dump_json(metadata))
        if attachments is not None:
            tx.put(obj, "attachments", _Str, _dump_json(attachments))

    def delete_cell(self, cell_id: str) -> None:
        with self.change():
            self._cell_obj(cell_id)
            self._tx.delete(self._root_map("cells"), cell_id)

    def move_cell(self, cell_id: str, index: int) -> None:
        """Move a cell to show at `index`, rewriting only its position."""
        with self.change():
            obj = self._cell_obj(cell_id)
            order = [entry for entry in self._ordered() if entry[1] != cell_id]
            self._tx.put(obj, "position", _Str, self._position_for(order, index))

    def set_cell_type(self, cell_id: str, cell_type: CellType | str) -> None:
        cell_type = CellType(cell_type)
        with self.change():
            obj = self._cell_obj(cell_id)
            self._tx.put(obj, "cell_type", _Str, str(cell_type))
            if cell_type != CellType.CODE:
                self._clear_list(obj, "outputs")
                self._tx.put(obj, "execution_count", _Null, None)

    def _source_text(self, cell_id: str) -> bytes:
        obj = self._cell_obj(cell_id)
        text = self._object(obj, "source", _Text)
        if text is None:
            text = self._tx.put_object(obj, "source", _Text)
        return bytes(text)

    def splice_source(self, cell_id: str, pos: int, delete: int, insert: str = "") -> None:
        """Splice the source at code-point offsets (Python `str` indices)."""
        with self.change():
            text = self._source_text(cell_id)
            length = self._reader.length(text)
            if pos < 0 or delete < 0 or pos + delete > length:
                raise DocumentError(
                    f"splice {pos}+{delete} is outside cell {cell_id!r} of length {length}",
                    code=ErrorCode.BAD_SPLICE,
                )
            self._tx.splice_text(text, pos, delete, insert)

    def replace_source(self, cell_id: str, new_source: str) -> None:
        """Set the whole source as one minimal splice, so concurrent edits elsewhere survive."""
        with self.change():
            text = self._source_text(cell_id)
            old = self._reader.text(text)
            if old == new_source:
                return
            prefix, suffix = _common_affixes(old, new_source)
            self._tx.splice_text(
                text,
                prefix,
                len(old) - prefix - suffix,
                new_source[prefix : len(new_source) - suffix],
            )

    def set_execution_count(self, cell_id: str, count: int | None) -> None:
        with self.change():
            obj = self._cell_obj(cell_id)
            if count is None:
                self._tx.put(obj, "execution_count", _Null, None)
            else:
                self._tx.put(obj, "execution_count", _Int, int(count))

    def set_cell_metadata(self, cell_id: str, metadata: dict[str, Any]) -> None:
        with self.change():
            self._tx.put(self._cell_obj(cell_id), "metadata", _Str, _dump_json(metadata))

    def set_cell_attachments(self, cell_id: str, attachments: dict[str, Any] | None) -> None:
        with self.change():
            obj = self._cell_obj(cell_id)
            if attachments is None:
                if self._get(obj, "attachments") is not None:
                    self._tx.delete(obj, "attachments")
            else:
                self._tx.put(obj, "attachments", _Str, _dump_json(attachments))

    # -- outputs ------------------------------------------------------------------

    def clear_outputs(self, cell_id: str) -> None:
        with self.change():
            self._clear_list(self._cell_obj(cell_id), "outputs")

    def set_outputs(self, cell_id: str, manifests: list[str] | tuple[str, ...]) -> None:
        """Replace every output at once (one change, one list)."""
        with self.change():
            self._replace_str_list(self._cell_obj(cell_id), "outputs", manifests)

    def outputs(self, cell_id: str) -> tuple[BlobHash, ...]:
        return self._str_list(self._object(self._cell_obj(cell_id), "outputs", _List))

    # -- notebook metadata (raw JSON by key) ----------------------------------------

    def metadata_keys(self) -> list[str]:
        meta = self._object(_ROOT, "metadata", _Map)
        if meta is None:
            return []
        with automerge_guard("listing metadata"):
            return sorted(self._reader.keys(meta))

    def get_metadata(self, key: str) -> str | None:
        """The raw JSON stored under `key`, or None."""
        meta = self._object(_ROOT, "metadata", _Map)
        return None if meta is None else self._scalar(meta, key)

    def set_metadata(self, key: str, raw_json: str) -> None:
        _parse_json(raw_json, f"metadata {key!r}")
        with self.change():
            self._tx.put(self._root_map("metadata"), key, _Str, raw_json)

    def delete_metadata(self, key: str) -> None:
        with self.change():
            meta = self._root_map("metadata")
            if self._get(meta, key) is not None:
                self._tx.delete(meta, key)

    def metadata(self) -> dict[str, Any]:
        """Every metadata key, parsed."""
        return {
            key: _parse_json(self.get_metadata(key) or "null", f"metadata {key!r}")
            for key in self.metadata_keys()
        }

    # -- comms (widget state, seed 002) ---------------------------------------------

    def _comm_obj(self, comm_id: str) -> bytes:
        comms = self._object(_ROOT, "comms", _Map)
        obj = None if comms is None else self._object(comms, comm_id, _Map)
        if obj is None:
            raise DocumentError(f"no comm {comm_id!r}", code=ErrorCode.NO_SUCH_COMM)
        return obj

    def put_comm(
        self,
        comm_id: str,
        target_name: str,
        model_module: str,
        model_name: str,
        state_json: str,
        seq: int | None = None,
    ) -> None:
        """Create or overwrite a comm; `seq` defaults to one past the highest so far."""
        _parse_json(state_json, f"comm {comm_id} state")
        with self.change():
            comms = self._root_map("comms")
            if seq is None:
                seq = 1 + max((c.seq for c in self.get_comms()), default=-1)
            obj = self._tx.put_object(comms, comm_id, _Map)
            self._tx.put(obj, "target_name", _Str, target_name)
            self._tx.put(obj, "model_module", _Str, model_module)
            self._tx.put(obj, "model_name", _Str, model_name)
            self._tx.put(obj, "state", _Str, state_json)
            self._tx.put_object(obj, "outputs", _List)
            self._tx.put(obj, "seq", _Uint, int(seq))

    def update_comm_state(self, comm_id: str, state_json: str) -> None:
        _parse_json(state_json, f"comm {comm_id} state")
        with self.change():
            self._tx.put(self._comm_obj(comm_id), "state", _Str, state_json)

    def remove_comm(self, comm_id: str) -> None:
        with self.change():
            comms = self._root_map("comms")
            if self._get(comms, comm_id) is not None:
                self._tx.delete(comms, comm_id)

    def clear_comms(self) -> None:
        with self.change():
            comms = self._root_map("comms")
            if self._reader.length(comms):
                self._tx.put_object(_ROOT, "comms", _Map)

    def has_comm(self, comm_id: str) -> bool:
        comms = self._object(_ROOT, "comms", _Map)
        return comms is not None and self._get(comms, comm_id) is not None

    def get_comm(self, comm_id: str) -> CommSnapshot:
        obj = self._comm_obj(comm_id)
        return CommSnapshot(
            comm_id=CommId(comm_id),
            target_name=str(self._scalar(obj, "target_name", "")),
            model_module=str(self._scalar(obj, "model_module", "")),
            model_name=str(self._scalar(obj, "model_name", "")),
            state=_parse_json(self._scalar(obj, "state", "{}"), f"comm {comm_id} state"),
            outputs=self._str_list(self._object(obj, "outputs", _List)),
            seq=int(self._scalar(obj, "seq", 0)),
        )

    def get_comms(self) -> list[CommSnapshot]:
        """Every comm in insertion order (by seq, then id)."""
        comms = self._object(_ROOT, "comms", _Map)
        if comms is None:
            return []
        with automerge_guard("listing comms"):
            keys = self._reader.keys(comms)
        snapshots = [self.get_comm(key) for key in keys]
        return sorted(snapshots, key=lambda c: (c.seq, c.comm_id))

    def output_hashes(self, read_lists: set[bytes] | None = None) -> set[BlobHash]:
        """Every manifest hash in the cells' and comms' outputs. Output lists whose ids
        are in `read_lists` are skipped and those read are added: views of the past share
        every list that did not change between them."""
        read = read_lists if read_lists is not None else set()
        found: set[BlobHash] = set()
        for name in ("cells", "comms"):
            parent = self._object(_ROOT, name, _Map)
            if parent is None:
                continue
            with automerge_guard(f"listing {name}"):
                keys = self._reader.keys(parent)
            for key in keys:
                obj = self._object(parent, key, _Map)
                outputs = None if obj is None else self._object(obj, "outputs", _List)
                if outputs is None or outputs in read:
                    continue
                read.add(outputs)
                found.update(self._str_list(outputs))
        return found

    def set_comm_outputs(self, comm_id: str, manifests: list[str] | tuple[str, ...]) -> None:
        with self.change():
            self._replace_str_list(self._comm_obj(comm_id), "outputs", manifests)
