"""History of a 1,000-cell notebook with 50k changes: the timeline, points while
scrubbing, and diffing the first and last points against nbdime.

The notebook is `thousand_cells` imported from its file (the file's author), then 50k
changes over three simulated sessions: typing (one change per keystroke, in runs of a
few seconds per cell) and, every 40 keystrokes, the kernel writing a cell's outputs. It
is stored with its history log in a real daemon's home; the daemon then serves it.

Measured through the daemon (requests on a notebook connection, as the page and the
Python client make them): `history` (time to the timeline; target < 1 s), `notebook_at`
for 50 points spread over the timeline (p50, p95; the page views points with its own
Automerge, this is the daemon side), and `compare` of the first point with cells (the
imported file) against the last. Then the same two versions as .ipynb files: nbdesk's
cell diff (`nbdesk diff`'s code) against `nbdime.diff_notebooks`, each including reading
both files, in the same run (target: no slower than nbdime).
Run: `.venv/bin/python bench/history.py [--changes N] [--runs N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))

from _daemon import BenchDaemon, run_main  # noqa: E402
from make_fixtures import thousand_cells  # noqa: E402

from nbdesk.daemon.blobs.manifests import ManifestOutputs  # noqa: E402
from nbdesk.daemon.blobs.store import BlobStore  # noqa: E402
from nbdesk.daemon.client import diff_cli  # noqa: E402
from nbdesk.daemon.client.notebook_client import NotebookClient  # noqa: E402
from nbdesk.daemon.doc.cell_diff import diff_cells  # noqa: E402
from nbdesk.daemon.doc.history_log import HistoryLog  # noqa: E402
from nbdesk.daemon.doc.ipynb import export_bytes, import_notebook  # noqa: E402
from nbdesk.daemon.doc.notebook_doc import NotebookDoc  # noqa: E402
from nbdesk.daemon.doc.store import DocStore, RoomRecord  # noqa: E402
from nbdesk.daemon.doc.timeline import timeline  # noqa: E402
from nbdesk.daemon.wire.enums import CompareKind, HistoryAuthor  # noqa: E402
from nbdesk.daemon.wire.requests import CompareSide  # noqa: E402

T0 = 1_790_000_000.0
SESSION_STARTS = (0.0, 6 * 3600.0, 30 * 3600.0)  # each session types for about 3 h


def build(changes: int, blobs: BlobStore) -> tuple[NotebookDoc, HistoryLog]:
    """The notebook and its log, every change timed as if a user made it."""
    outputs = ManifestOutputs(blobs)
    doc = import_notebook(thousand_cells(), outputs)
    log = HistoryLog.start(doc)
    clock = T0

    def observed() -> None:
        before = set(log.times)
        log.observe(doc, HistoryAuthor.DAEMON)
        for change_hash in set(log.times) - before:
            log.times[change_hash] = clock

    observed()
    cells = doc.cell_ids()
    code = [c for c in cells if c.startswith("code-")]
    per_session = changes // len(SESSION_STARTS)
    made = 0
    for start in SESSION_STARTS:
        clock = T0 + start
        for step in range(per_session):
            cell = code[(made // 25) % len(code)]  # 25 keystrokes in one cell, then the next
            if step % 40 == 39:
                text = f"output after keystroke {made}\n"
                manifest = outputs.store_output(
                    {"output_type": "stream", "name": "stdout", "text": text}
                )
                with doc.change(author=HistoryAuthor.KERNEL):
                    doc.set_outputs(cell, [manifest])
            else:
                doc.splice_source(cell, 0, 0, "x" if step % 7 else "\n")
            clock += 0.3 if step % 25 else 9.0  # a pause between cells
            observed()
            made += 1
    return doc, log


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def through_daemon(daemon: BenchDaemon, notebook_id: str, runs: int) -> list[str]:
    lines = []
    async with NotebookClient.join(notebook_id, daemon.home) as client:
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            reply = await client.request("history")
            timings.append(time.perf_counter() - start)
        points = reply["points"]
        sessions = len({p["session"] for p in points})
        lines.append(
            f"timeline: {len(points)} points in {sessions} sessions, "
            f"median {statistics.median(timings) * 1000:.0f} ms (target < 1000 ms)"
        )
        chosen = [points[i * (len(points) - 1) // 49] for i in range(50)]
        at_times = []
        for point in chosen:
            start = time.perf_counter()
            await client.request("notebook_at", heads=point["heads"])
            at_times.append(time.perf_counter() - start)
        lines.append(
            f"notebook_at (daemon side, 50 points): p50 {percentile(at_times, 0.5) * 1000:.0f} ms"
            f", p95 {percentile(at_times, 0.95) * 1000:.0f} ms"
        )
        first = next(p for p in points if p["author"] == "file")
        compare_times = []
        for _ in range(runs):
            start = time.perf_counter()
            result = await client.compare(
                CompareSide(kind=CompareKind.HEADS, heads=first["heads"]),
                CompareSide(kind=CompareKind.HEADS, heads=points[-1]["heads"]),
            )
            compare_times.append(time.perf_counter() - start)
        changed = sum(1 for c in result.cells if c.status != "unchanged")
        lines.append(
            f"compare first/last point (daemon): median "
            f"{statistics.median(compare_times) * 1000:.0f} ms, {changed} cells changed"
        )
    return lines


def files_vs_nbdime(a: Path, b: Path, runs: int) -> list[str]:
    import nbdime

    def ours() -> int:
        outputs: dict[str, dict] = {}
        old, new = diff_cli.read_side(str(a), outputs), diff_cli.read_side(str(b), outputs)

        def describe(key: str) -> list[str]:
            return diff_cli.summarize_output(outputs[key])

        return len(diff_cells(old, new, describe, describe))

    def theirs() -> int:
        left = nbformat.read(a, as_version=4)
        right = nbformat.read(b, as_version=4)
        return len(nbdime.diff_notebooks(left, right))

    results = []
    for name, action in (("nbdesk cell diff", ours), ("nbdime.diff_notebooks", theirs)):
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            action()
            times.append(time.perf_counter() - start)
        results.append((name, statistics.median(times)))
    (_, mine), (_, nbdime_time) = results
    lines = [f"{name:24} {seconds * 1000:8.0f} ms (median of {runs})" for name, seconds in results]
    lines.append(f"nbdesk / nbdime: {mine / nbdime_time:.2f}x (target <= 1.00x)")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    daemon = BenchDaemon()
    work = Path(tempfile.mkdtemp(prefix="nbdesk-bench-"))
    try:
        blobs = BlobStore(daemon.home.blobs)
        started = time.perf_counter()
        doc, log = build(args.changes, blobs)
        blobs.flush()
        built = time.perf_counter() - started
        notebook_id = doc.notebook_id
        assert notebook_id is not None
        store = DocStore(daemon.home.docs)
        store.save(RoomRecord(notebook_id, None), doc.save())
        store.save_history(notebook_id, log)
        print(f"built 1000 cells + {len(doc.changes())} changes in {built:.1f} s")
        daemon.start()
        for line in asyncio.run(through_daemon(daemon, notebook_id, args.runs)):
            print(line)
        points = timeline(doc, log)
        first = next(p for p in points if p.author == HistoryAuthor.FILE)
        a, b = work / "first.ipynb", work / "last.ipynb"
        a.write_bytes(export_bytes(doc.at(first.heads), ManifestOutputs(blobs)))
        b.write_bytes(export_bytes(doc, ManifestOutputs(blobs)))
        for line in files_vs_nbdime(a, b, args.runs):
            print(line)
    finally:
        daemon.stop()
    return 0


if __name__ == "__main__":
    run_main(main)
