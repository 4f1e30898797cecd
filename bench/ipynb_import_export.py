"""Import and export of a 1,000-cell notebook with outputs, as ratios against nbformat.

Baseline in the same run: `nbformat.read` (parse + validate) and `nbformat.write` of the
same file. Targets (issue 2): import within 5x of nbformat.read, export within 3x of
nbformat.write. Each import uses a fresh blob store, so blob writes are always paid.
Run: `.venv/bin/python bench/ipynb_import_export.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))

from make_fixtures import thousand_cells  # noqa: E402

from nbdesk.daemon.blobs.manifests import ManifestOutputs  # noqa: E402
from nbdesk.daemon.blobs.store import BlobStore  # noqa: E402
from nbdesk.daemon.doc.ipynb import export_bytes, load_ipynb  # noqa: E402
from nbdesk.daemon.doc.notebook_doc import NotebookDoc  # noqa: E402


def median_seconds(
    runs: int, setup: Callable[[], object], action: Callable[[object], object]
) -> float:
    times = []
    for _ in range(runs):
        arg = setup()
        start = time.perf_counter()
        action(arg)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="nbdesk-bench-"))
    path = work / "thousand.ipynb"
    path.write_text(nbformat.writes(thousand_cells()) + "\n", encoding="utf-8")
    stores = iter(range(10**6))

    def fresh_store() -> BlobStore:
        return BlobStore(work / f"blobs-{next(stores)}")

    nb_read = median_seconds(args.runs, lambda: None, lambda _: nbformat.read(path, as_version=4))
    parsed = nbformat.read(path, as_version=4)
    nb_write = median_seconds(
        args.runs, lambda: None, lambda _: nbformat.write(parsed, io.StringIO())
    )

    ours_import = median_seconds(
        args.runs, fresh_store, lambda store: load_ipynb(path, ManifestOutputs(store))
    )
    store = fresh_store()
    doc = load_ipynb(path, ManifestOutputs(store))
    ours_export = median_seconds(
        args.runs, lambda: None, lambda _: export_bytes(doc, ManifestOutputs(store))
    )
    reload_ = median_seconds(args.runs, lambda: None, lambda _: NotebookDoc.load(doc.save()))
    identical = export_bytes(doc, ManifestOutputs(store)) == path.read_bytes()

    size = path.stat().st_size
    print(f"notebook: 1000 cells, {size / 1024:.0f} KiB, document {len(doc.save()) / 1024:.0f} KiB")
    print(f"nbformat.read   {nb_read * 1000:8.1f} ms")
    print(f"nbformat.write  {nb_write * 1000:8.1f} ms")
    print(
        f"nbdesk import   {ours_import * 1000:8.1f} ms   ratio {ours_import / nb_read:5.2f}x  (target <= 5x)"
    )
    print(
        f"nbdesk export   {ours_export * 1000:8.1f} ms   ratio {ours_export / nb_write:5.2f}x  (target <= 3x)"
    )
    print(f"document load   {reload_ * 1000:8.1f} ms   (saved Automerge bytes, for reference)")
    print(f"byte-identical re-export: {identical}")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
