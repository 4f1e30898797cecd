"""Shared fixtures: a blob store in a temp dir and the notebook fixtures on disk."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from daemon.blobs import BlobStore

FIXTURES = Path(__file__).parent / "fixtures"
sys.path.insert(0, str(FIXTURES))


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path / "blobs")


@pytest.fixture(scope="session")
def thousand_cell_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import nbformat
    from make_fixtures import thousand_cells

    path = tmp_path_factory.mktemp("big") / "thousand.ipynb"
    path.write_text(nbformat.writes(thousand_cells()) + "\n", encoding="utf-8")
    return path
