"""Daemon memory: resident set size with 20 open rooms of 100 cells each.

Generates `--rooms` notebooks of `--cells` code cells (a few lines of source and a small
stream output each, nbformat.v4 constructors), starts a real daemon, opens every notebook
with its own NotebookClient (all kept connected), confirms sync, and reads the daemon's
VmRSS from /proc/<pid>/status: right after start (idle), as rooms open, once they are all
open, and after `--settle` seconds (the debounced persistence and autosave have run).
Baselines in the same run: the idle daemon, and a bare interpreter that has only
imported `nbdesk.daemon.server.daemon`. Prints MB figures and the increment per room.
Run: `.venv/bin/python bench/daemon_rss.py [--rooms N] [--cells N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
from pathlib import Path

import nbformat
from _daemon import BenchDaemon, rss_kib, run_main, spawn, stop_process
from nbformat.v4 import new_code_cell, new_notebook, new_output

from nbdesk.daemon.client.notebook_client import NotebookClient

BARE = "import nbdesk.daemon.server.daemon, time; print('ready', flush=True); time.sleep(60)"


def mb(kib: int) -> float:
    return kib / 1024


def make_notebook(index: int, cells: int) -> nbformat.NotebookNode:
    nb = new_notebook(
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        }
    )
    for i in range(cells):
        source = (
            f"# notebook {index}, cell {i}\n"
            f"values = [x * {i} for x in range(10)]\n"
            f"total = sum(values)\n"
            f"print('cell {i}:', total)"
        )
        output = new_output("stream", name="stdout", text=f"cell {i}: {45 * i}\n")
        nb.cells.append(new_code_cell(source, execution_count=i + 1, outputs=[output]))
    return nb


def bare_interpreter_kib() -> int:
    """RSS of an interpreter that has imported the daemon's modules and does nothing."""
    proc = spawn("-c", BARE)
    try:
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != b"ready":
            raise RuntimeError("the bare interpreter did not start")
        return rss_kib(proc.pid)
    finally:
        stop_process(proc)
        if proc.stdout is not None:
            proc.stdout.close()


async def open_rooms(
    daemon: BenchDaemon, paths: list[Path], settle: float
) -> tuple[list[tuple[int, int]], int, int, int, int]:
    """(rooms open, RSS KiB) as rooms open; then RSS all open, settled, peak, doc bytes."""
    clients: list[NotebookClient] = []
    checkpoints = {1, 2, 5, 10, len(paths) // 2, len(paths)}
    curve = [(0, daemon.rss_kib())]
    try:
        for count, path in enumerate(paths, start=1):
            client = await NotebookClient.open(path, home=daemon.home)
            clients.append(client)
            await client.confirm_sync()
            if len(client.doc) != len(nbformat.read(path, as_version=4).cells):
                raise RuntimeError(f"{path.name}: the replica has {len(client.doc)} cells")
            if count in checkpoints:
                curve.append((count, daemon.rss_kib()))
        for client in clients:
            await client.confirm_sync()
        all_open = daemon.rss_kib()
        await asyncio.sleep(settle)
        settled = daemon.rss_kib()
        peak = daemon.hwm_kib()
        doc_bytes = len(await clients[0].get_doc_bytes())
        return curve, all_open, settled, peak, doc_bytes
    finally:
        for client in clients:
            await client.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=20, help="notebooks open at once")
    parser.add_argument("--cells", type=int, default=100, help="code cells per notebook")
    parser.add_argument(
        "--settle", type=float, default=1.5, help="seconds to wait before the settled reading"
    )
    args = parser.parse_args()
    if args.rooms < 1 or args.cells < 1:
        parser.error("--rooms and --cells must be positive")

    work = Path(tempfile.mkdtemp(prefix="nbd-rss-"))
    try:
        paths = []
        for index in range(args.rooms):
            path = work / f"notebook-{index:02d}.ipynb"
            nbformat.write(make_notebook(index, args.cells), path)
            paths.append(path)
        file_kib = paths[0].stat().st_size / 1024

        bare = bare_interpreter_kib()
        with BenchDaemon() as daemon:
            idle = daemon.rss_kib()
            curve, all_open, settled, peak, doc_bytes = asyncio.run(
                open_rooms(daemon, paths, args.settle)
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    per_room = (settled - idle) / args.rooms
    first_room = curve[1][1] - idle
    marginal = (all_open - curve[1][1]) / (args.rooms - 1) if args.rooms > 1 else 0.0
    print(
        f"{args.rooms} rooms x {args.cells} code cells; .ipynb {file_kib:.0f} KiB each, "
        f"Automerge document {doc_bytes / 1024:.0f} KiB each"
    )
    print(f"{'':<44} {'RSS MB':>8}")
    print(f"{'bare interpreter (import nbdesk.daemon.server.daemon)':<44} {mb(bare):8.1f}")
    print(f"{'daemon idle, right after start':<44} {mb(idle):8.1f}")
    for count, kib in curve[1:]:
        print(f"{f'daemon with {count} room(s) open':<44} {mb(kib):8.1f}")
    print(f"{f'daemon, all {args.rooms} rooms open and synced':<44} {mb(all_open):8.1f}")
    print(f"{f'daemon, after settling {args.settle:g} s':<44} {mb(settled):8.1f}")
    print(f"{'daemon peak (VmHWM)':<44} {mb(peak):8.1f}")
    print()
    print(f"idle daemon over the bare interpreter: {mb(idle - bare):+.1f} MB")
    print(
        f"first room over the idle daemon: {mb(first_room):+.1f} MB "
        "(mostly one-time: modules imported and caches filled on the first open)"
    )
    print(f"each further room: {mb(marginal):.2f} MB ({marginal / args.cells:.1f} KiB per cell)")
    print(
        f"all {args.rooms} rooms over the idle daemon: {mb(settled - idle):+.1f} MB, "
        f"i.e. {mb(per_room):.2f} MB per room on average"
    )
    return 0


if __name__ == "__main__":
    run_main(main)
