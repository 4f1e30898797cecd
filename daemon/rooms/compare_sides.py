"""The sides a room can compare: its document at some heads or now, its file on disk and
a git revision of that file, each read into `cell_diff.SideCell`s. File and git sides'
outputs go into the blob store first, so the page renders them like the document's.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from nbdesk.daemon.blobs.output_summary import describe_manifest
from nbdesk.daemon.doc.cell_diff import Describe, SideCell, notebook_cells
from nbdesk.daemon.doc.ipynb import OutputStore, read_ipynb
from nbdesk.daemon.doc.notebook_doc import NotebookDoc
from nbdesk.daemon.rooms.room import Room
from nbdesk.daemon.wire.enums import CompareKind
from nbdesk.daemon.wire.errors import ErrorCode, NbdeskError
from nbdesk.daemon.wire.requests import CompareSide


def doc_cells(doc: NotebookDoc) -> list[SideCell]:
    return [
        SideCell(c.id, str(c.cell_type), c.source, c.metadata, tuple(c.outputs))
        for c in doc.cells()
    ]


def file_cells(data: bytes, source: object, outputs: OutputStore) -> list[SideCell]:
    nb, _ = read_ipynb(data, source=source)
    return notebook_cells(nb, outputs.store_output)


def _bound_path(room: Room) -> Path:
    if room.path is None:
        raise NbdeskError(
            "this notebook has no file yet: save it first to compare with its file or git",
            code=ErrorCode.NO_PATH,
        )
    return room.path


async def _git(folder: Path, *args: str) -> tuple[int, bytes, str]:
    process = await asyncio.create_subprocess_exec(
        "git",
        *args,
        cwd=folder,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    return process.returncode or 0, out, err.decode(errors="replace").strip()


async def git_bytes(path: Path, rev: str) -> bytes:
    """The file at `rev` in its repository, or an error saying why not."""
    folder = path.parent
    try:
        code, _, _ = await _git(folder, "rev-parse", "--show-toplevel")
    except FileNotFoundError as exc:
        raise NbdeskError("git is not installed", code=ErrorCode.NOT_IN_GIT) from exc
    if code != 0:
        raise NbdeskError(f"{path.name} is not in a git repository", code=ErrorCode.NOT_IN_GIT)
    if rev.startswith("-"):
        raise NbdeskError(f"no commit {rev!r}", code=ErrorCode.NO_SUCH_REVISION)
    code, _, _ = await _git(folder, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if code != 0:
        raise NbdeskError(f"no commit {rev!r} in this repository", code=ErrorCode.NO_SUCH_REVISION)
    code, data, err = await _git(folder, "show", f"{rev}:./{path.name}")
    if code != 0:
        raise NbdeskError(
            f"{path.name} is not in commit {rev!r} (git: {err})", code=ErrorCode.NO_SUCH_REVISION
        )
    return data


async def read_side(room: Room, side: CompareSide) -> tuple[str, list[SideCell], Describe]:
    """The side's label, cells and how to summarise one of its outputs."""

    def describe(manifest_hash: str) -> list[str]:
        return describe_manifest(room.blobs, manifest_hash)

    if side.kind == CompareKind.NOW:
        return "now", doc_cells(room.doc), describe
    if side.kind == CompareKind.HEADS:
        if side.heads is None:
            raise NbdeskError("a heads side needs its heads", code=ErrorCode.BAD_HEADS)
        return "this point", doc_cells(room.doc.at(side.heads)), describe
    path = _bound_path(room)
    if side.kind == CompareKind.FILE:
        data = await asyncio.to_thread(path.read_bytes)
        label = f"{path.name} on disk"
    else:
        rev = side.rev or "HEAD"
        data = await git_bytes(path, rev)
        label = f"{path.name} at {rev}"
    cells = await asyncio.to_thread(file_cells, data, label, room.outputs)
    return label, cells, describe
