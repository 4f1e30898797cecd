"""Kernel execution through the daemon, against raw jupyter_client and nbclient.

A real daemon runs on a temporary home (`BenchDaemon`, default settings). Three parts,
each with its baseline measured in the same run:

1. Round trip of `1+1`. nbdesk: `await client.execute(cell)` on a daemon-launched kernel,
   i.e. the execute_cell request, the daemon running it, `execution_done` plus the heads
   holding the outputs in the client's replica, and the outputs fetched from the blob
   server (what `execute()` returns). `--runs` times after `--warmup` uncounted ones.
   Each iteration also runs the same steps one by one, timing each (request answered /
   outputs in the replica / outputs fetched). Baseline: raw jupyter_client,
   an AsyncKernelManager started exactly as `nbdesk.daemon.kernels.session` starts one (its in-memory
   kernelspec, IPC transport), `kc.execute("1+1")` then IOPub read until `idle` for that
   msg_id and the shell execute_reply. Targets printed beside it.
2. Output flood: a cell printing `--flood-lines` lines. nbdesk: time for `execute()`
   to return (outputs fetched included), the document's size afterwards, the Automerge
   changes the flood added, and how much the blob store grew (every batched write of a
   growing stream stores the whole text again). Baseline: raw jupyter_client collecting
   the same stream text until idle + reply. `--flood-runs` runs each, on one fresh
   notebook (so the document's size is cumulative over the runs).
3. A generated notebook (`--cells` code cells: prints, computations, one HTML display,
   a few markdown cells). `nbdesk run NB -o OUT` as a subprocess against the already
   running daemon (so excluding the daemon's start, but including the CLI's interpreter
   start and the kernel's start, as a user gets it) and, once, against a cold home (the
   CLI starts the daemon). Baselines: nbclient (`NotebookClient(nb, kernel_name=
   "python3").execute()`) as a subprocess doing the same read-execute-write, and in this
   process (no interpreter start, no imports). Best of `--run-reps` each; the outputs of
   both are compared cell by cell. Skipped, with a line saying so, when nbclient is not
   installed.

Fairness. Within parts 1 and 2 the two sides take turns, one execution each, both
kernels up all along; in part 3 the three runners take turns. A small VM runs slower
for a while after a few seconds of load on every core (measured here: the same raw
flood takes ~1.5x longer after 8 s of two busy cores), so measuring one side after the
other would charge that slowdown to whichever came second.

Run: `.venv/bin/python bench/kernel_exec.py [--runs N] [--warmup N] [--flood-lines N]
[--flood-runs N] [--cells N] [--run-reps N] [--no-cold]`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import nbformat
from _daemon import ROOT, BenchDaemon, run_main
from edit_latency import Stats
from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpec
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from nbdesk.daemon.client import daemon_cli
from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.kernels.session import _OneSpec, kernel_spec

TARGET_RAW_RATIO = 3.0
TARGET_P50_MS = 20.0
REFERENCE_P50_MS = 245.0
NBCLIENT_SUBPROCESS = (
    "import sys, nbformat, nbclient\n"
    "nb = nbformat.read(sys.argv[1], as_version=4)\n"
    "nbclient.NotebookClient(nb, kernel_name='python3').execute()\n"
    "nbformat.write(nb, sys.argv[2])\n"
)


def ms_since(start_ns: int) -> float:
    return (time.perf_counter_ns() - start_ns) / 1e6


def flood_code(lines: int) -> str:
    return f"for i in range({lines:_}):\n    print(i)"


def flood_text(lines: int) -> str:
    return "".join(f"{i}\n" for i in range(lines))


# -- the raw jupyter_client baseline ---------------------------------------------------------


class RawKernel:
    """A kernel started the way nbdesk.daemon.kernels.session starts one, driven with jupyter_client only."""

    def __init__(self, km: AsyncKernelManager, kc: Any) -> None:
        self.km = km
        self.kc = kc

    async def execute(self, code: str) -> tuple[str, dict[str, Any] | None, int]:
        """Run `code` until IOPub idle and the shell reply for it have both arrived.

        Returns the stream text, the last result's content (execute_result, or
        display_data: IRkernel shows a value that way) and the IOPub messages seen.
        """
        msg_id = self.kc.execute(code)
        stream: list[str] = []
        result = None
        messages = 0
        while True:
            msg = await self.kc.get_iopub_msg()
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            messages += 1
            msg_type, content = msg["msg_type"], msg["content"]
            if msg_type == "stream":
                stream.append(content["text"])
            elif msg_type in ("execute_result", "display_data"):
                result = content
            elif msg_type == "status" and content["execution_state"] == "idle":
                break
        while True:
            reply = await self.kc.get_shell_msg()
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"raw execution of {code!r} failed: {reply['content']}")
        return "".join(stream), result, messages


@contextlib.asynccontextmanager
async def raw_kernel(spec: KernelSpec | None = None) -> AsyncIterator[RawKernel]:
    """`spec` (default: ipykernel on this interpreter) started as the daemon starts it."""
    scratch = Path(tempfile.mkdtemp(prefix="nbd-raw-"))
    km = AsyncKernelManager(
        kernel_name="nbdesk",
        kernel_spec_manager=_OneSpec(spec or kernel_spec(sys.executable)),
        transport="ipc",
        ip=str(scratch / "k"),
        connection_file=str(scratch / "k.json"),
    )
    kc = None
    try:
        await km.start_kernel(cwd=str(scratch))
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=60)
        yield RawKernel(km, kc)
    finally:
        if kc is not None:
            kc.stop_channels()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(km.shutdown_kernel(now=False), 5)
        with contextlib.suppress(Exception):
            await km.shutdown_kernel(now=True)
        shutil.rmtree(scratch, ignore_errors=True)


async def raw_one_plus_one(raw: RawKernel) -> float:
    start = time.perf_counter_ns()
    _, result, _ = await raw.execute("1+1")
    elapsed = ms_since(start)
    if result is None or result["data"].get("text/plain") != "2":
        raise RuntimeError(f"raw 1+1 gave {result}")
    return elapsed


# -- part 1: the round trip through the daemon -------------------------------------------------


def check_two(outputs: list[dict[str, Any]]) -> None:
    """The execute_result `2` is there (IPython may add a stream: past 1000 results it
    prints that it flushes its output cache)."""
    if not any(o.get("data", {}).get("text/plain") == "2" for o in outputs):
        raise RuntimeError(f"1+1 gave {outputs}")


async def nbdesk_execute(client: NotebookClient, cell: str) -> float:
    start = time.perf_counter_ns()
    outputs = (await client.execute(cell)).outputs
    elapsed = ms_since(start)
    check_two(outputs)
    return elapsed


async def nbdesk_steps(client: NotebookClient, cell: str) -> tuple[float, ...]:
    """execute() one step at a time: (answered, then in replica, then fetched, total)."""
    start = time.perf_counter_ns()
    reply = await client.request("execute_cell", cell_id=cell)
    answered = ms_since(start)
    await client.wait_done(reply["execution_id"])
    in_replica = ms_since(start)
    outputs = await client.outputs(cell)
    fetched = ms_since(start)
    check_two(outputs)
    return answered, in_replica - answered, fetched - in_replica, fetched


async def part_round_trip(daemon: BenchDaemon, args: argparse.Namespace) -> list[str]:
    """Raw, nbdesk and nbdesk step by step take turns, one execution each, so that a
    change in machine speed during the run (a small VM is throttled after a few seconds
    of load) hits every side alike."""
    raw_ms: list[float] = []
    ours_ms: list[float] = []
    steps: list[tuple[float, ...]] = []
    async with raw_kernel() as raw:
        client = await NotebookClient.create(home=daemon.home)
        try:
            with client.edit() as doc:
                cell = doc.insert_cell(0, source="1+1")
            await client.execute(cell)  # starts the kernel; not counted
            for _ in range(args.warmup + args.runs):
                raw_ms.append(await raw_one_plus_one(raw))
                ours_ms.append(await nbdesk_execute(client, cell))
                steps.append(await nbdesk_steps(client, cell))
            changes = len(client.doc._doc.get_changes([]))
            doc_bytes = len(client.doc.save())
        finally:
            await client.close()
    base = Stats("raw jupyter_client kc.execute 1+1", raw_ms[args.warmup :])
    mine = Stats("nbdesk client.execute() 1+1", ours_ms[args.warmup :])
    names = (
        "  step: execute_cell request answered",
        "  step: then done + outputs in the replica",
        "  step: then outputs fetched over HTTP",
        "  steps together (= execute())",
    )
    counted = steps[args.warmup :]
    step_stats = [Stats(name, [s[i] for s in counted]) for i, name in enumerate(names)]
    ratio = mine.p50 / base.p50
    tenth = max(1, args.runs // 10)
    first, last = Stats("", mine.samples_ms[:tenth]), Stats("", mine.samples_ms[-tenth:])
    return [
        f"== 1. execute round trip of 1+1: {args.runs} runs after {args.warmup} warm-up "
        "ones, the sides taking turns; times in ms",
        f"{'':<46} {'p50':>8} {'p99':>8} {'mean':>8} {'max':>8}",
        base.row(),
        mine.row(),
        *(stats.row() for stats in step_stats),
        "",
        f"nbdesk / raw jupyter_client: p50 {ratio:6.2f}x   p99 {mine.p99 / base.p99:6.2f}x   "
        f"mean {mine.mean / base.mean:6.2f}x",
        f"target: p50 within {TARGET_RAW_RATIO:g}x of raw jupyter_client: {ratio:.2f}x "
        f"-> {'met' if ratio <= TARGET_RAW_RATIO else 'MISSED'}",
        f"target: p50 < {TARGET_P50_MS:g} ms: {mine.p50:.3f} ms "
        f"-> {'met' if mine.p50 < TARGET_P50_MS else 'MISSED'}"
        f"  (reference system: {REFERENCE_P50_MS:g} ms p50, "
        f"{REFERENCE_P50_MS / mine.p50:.1f}x slower)",
        f"overhead of nbdesk over raw at p50: {mine.p50 - base.p50:.3f} ms",
        f"the cell ran {1 + 2 * (args.warmup + args.runs)} times; the document then held "
        f"{changes} changes ({doc_bytes:,} bytes saved); execute() p50 over the first / "
        f"last {tenth} counted runs: {first.p50:.3f} / {last.p50:.3f} ms",
    ]


# -- part 2: an output flood -----------------------------------------------------------------


def tree_bytes(root: Path) -> int:
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file())


async def raw_flood(raw: RawKernel, args: argparse.Namespace) -> dict[str, Any]:
    start = time.perf_counter_ns()
    text, _, messages = await raw.execute(flood_code(args.flood_lines))
    elapsed = ms_since(start)
    if text != flood_text(args.flood_lines):
        raise RuntimeError(f"raw flood: {len(text)} chars")
    return {"ms": elapsed, "text_bytes": len(text.encode()), "messages": messages}


async def nbdesk_flood(
    client: NotebookClient, cell: str, daemon: BenchDaemon, args: argparse.Namespace
) -> dict[str, Any]:
    changes = len(client.doc._doc.get_changes([]))
    blobs = tree_bytes(daemon.home.blobs)
    start = time.perf_counter_ns()
    outputs = (await client.execute(cell, timeout=300)).outputs
    elapsed = ms_since(start)
    text = "".join(o.get("text", "") for o in outputs if o["output_type"] == "stream")
    if text != flood_text(args.flood_lines):
        raise RuntimeError(f"nbdesk flood: {len(text)} chars")
    await client.confirm_sync()  # persists, so the blob writes are flushed
    return {
        "ms": elapsed,
        "changes": len(client.doc._doc.get_changes([])) - changes,
        "doc_bytes": len(client.doc.save()),
        "blob_growth": tree_bytes(daemon.home.blobs) - blobs,
        "text_bytes": len(text.encode()),
    }


async def floods(
    daemon: BenchDaemon, args: argparse.Namespace
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The sides take turns, one flood each, after one uncounted flood each."""
    raw_runs, our_runs = [], []
    async with raw_kernel() as raw:
        client = await NotebookClient.create(home=daemon.home)
        try:
            with client.edit() as doc:
                cell = doc.insert_cell(0, source=flood_code(args.flood_lines))
            await raw_flood(raw, args)
            await client.execute(cell, timeout=300)  # starts the kernel too
            await client.clear_outputs(cell)
            await client.confirm_sync()
            for _ in range(args.flood_runs):
                raw_runs.append(await raw_flood(raw, args))
                our_runs.append(await nbdesk_flood(client, cell, daemon, args))
        finally:
            await client.close()
    return raw_runs, our_runs


async def part_flood(daemon: BenchDaemon, args: argparse.Namespace) -> list[str]:
    raw, ours = await floods(daemon, args)
    raw_ms = statistics.median(run["ms"] for run in raw)
    our_ms = statistics.median(run["ms"] for run in ours)
    lines = [
        f"== 2. output flood: {flood_code(args.flood_lines)!r}, {args.flood_runs} runs each "
        "(after one warm-up run each), the sides taking turns",
        f"{'':<30} {'ms':>9} {'text bytes':>11} {'IOPub msgs':>11}",
        *(
            f"{'raw jupyter_client run ' + str(i + 1):<30} {run['ms']:9.1f} "
            f"{run['text_bytes']:11,} {run['messages']:11,}"
            for i, run in enumerate(raw)
        ),
        "",
        f"{'':<30} {'ms':>9} {'text bytes':>11} {'changes':>8} {'doc bytes':>10} "
        f"{'blob growth':>12}",
        *(
            f"{'nbdesk execute() run ' + str(i + 1):<30} {run['ms']:9.1f} "
            f"{run['text_bytes']:11,} {run['changes']:8,} {run['doc_bytes']:10,} "
            f"{run['blob_growth']:12,}"
            for i, run in enumerate(ours)
        ),
        "",
        f"nbdesk / raw jupyter_client, median time: {our_ms:.1f} / {raw_ms:.1f} ms = "
        f"{our_ms / raw_ms:.2f}x",
        "(changes: Automerge changes the run added to the document, its clear included; "
        "doc bytes: len(doc.save()) after the run, cumulative over runs on the one "
        "notebook; blob growth: bytes the blob store grew by during the run)",
    ]
    return lines


# -- part 3: a whole notebook -----------------------------------------------------------------


def make_notebook(cells: int) -> nbformat.NotebookNode:
    nb = new_notebook(
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        }
    )
    nb.cells.append(new_markdown_cell("# Generated by bench/kernel_exec.py"))
    nb.cells.append(new_code_cell("import math\nimport json\ndata = list(range(1000))"))
    for i in range(1, cells):
        kind = i % 5
        if i == cells // 2:
            source = (
                "from IPython.display import HTML, display\n"
                "rows = ''.join(f'<tr><td>{k}</td><td>{k * k}</td></tr>' for k in range(5))\n"
                "display(HTML(f'<table><tr><th>n</th><th>n^2</th></tr>{rows}</table>'))"
            )
        elif kind == 0:
            source = f"for k in range(20):\n    print('cell {i} line', k)"
        elif kind == 1:
            source = f"total_{i} = sum(x * x for x in range(100_000))\ntotal_{i}"
        elif kind == 2:
            source = f"print(json.dumps({{'cell': {i}, 'mean': sum(data) / len(data)}}))"
        elif kind == 3:
            source = f"[math.sqrt(x) for x in range({i})][-3:]"
        else:
            source = f"x_{i} = sorted(data, key=lambda v: (v * {i}) % 97)[:5]\nprint(x_{i})"
        nb.cells.append(new_code_cell(source))
        if i % 10 == 0:
            nb.cells.append(new_markdown_cell(f"## Section {i // 10}"))
    return nb


def timed_run(command: list[str], env: dict[str, str] | None = None) -> float:
    """Wall-clock seconds of a child process; raises with its stderr if it fails."""
    start = time.perf_counter_ns()
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, start_new_session=True, check=False
    )
    elapsed = ms_since(start) / 1000
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command[:4])} ... exited {done.returncode}:\n{done.stderr.decode()}"
        )
    return elapsed


def nbdesk_run_command(notebook: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "nbdesk.cli", "run", str(notebook), "-o", str(out)]


def cold_nbdesk_run(notebook: Path, out: Path) -> float:
    """`nbdesk run` on a home with no daemon: the CLI starts one, stopped afterwards."""
    cold = BenchDaemon()  # not started: `nbdesk run` starts the daemon itself
    try:
        return timed_run(nbdesk_run_command(notebook, out), cold.env)
    finally:
        try:
            daemon_cli.stop(cold.home)
        finally:
            cold.stop()


def summarise(nb: nbformat.NotebookNode) -> list[list[tuple[str, str]]]:
    """Per code cell: (output type, its text) pairs, to compare two executed notebooks.

    Consecutive chunks of one stream count as one output: nbdesk joins them as they
    arrive, nbclient (by default) keeps the chunks the kernel happened to flush.
    """
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs: list[tuple[str, str]] = [("count", str(cell.execution_count))]
        for output in cell.outputs:
            if output.output_type == "stream":
                kind = f"stream {output.name}"
                if outputs and outputs[-1][0] == kind:
                    outputs[-1] = (kind, outputs[-1][1] + output.text)
                else:
                    outputs.append((kind, output.text))
            elif output.output_type in ("display_data", "execute_result"):
                outputs.append((output.output_type, json.dumps(output.data, sort_keys=True)))
            else:
                outputs.append((output.output_type, output.get("ename", "")))
        cells.append(outputs)
    return cells


@contextlib.contextmanager
def kernel_stderr_to(path: Path) -> Iterator[None]:
    """Send this process's fd 2 (which a kernel it starts inherits) to a file for a while:
    the in-process nbclient kernel warns about TCP without encryption on every start."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(path, "ab") as sink:
            os.dup2(sink.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def part_notebook(daemon: BenchDaemon, args: argparse.Namespace) -> list[str]:
    header = (
        f"== 3. a notebook of {args.cells} code cells: nbdesk run against nbclient, "
        f"best of {args.run_reps}; seconds"
    )
    try:
        import nbclient
    except ImportError:
        return [header, "skipped: nbclient not installed"]

    scratch = Path(tempfile.mkdtemp(prefix="nbd-nb-"))
    try:
        notebook = scratch / "bench.ipynb"
        nbformat.write(make_notebook(args.cells), notebook)
        # A fresh output path per run: the daemon keeps an earlier run's room (bound to
        # its output file) for its keep-alive, and refuses to save another room there.
        ours_out, sub_out = scratch / "nbdesk-0.ipynb", scratch / "nbclient.ipynb"
        # Untimed: byte-compile and page in what each side imports.
        timed_run([sys.executable, "-c", "import nbclient, nbformat, nbdesk.daemon.client.run"])
        ours, sub, inproc = [], [], []
        for rep in range(args.run_reps):
            ours_out = scratch / f"nbdesk-{rep}.ipynb"
            ours.append(timed_run(nbdesk_run_command(notebook, ours_out), daemon.env))
            sub.append(
                timed_run([sys.executable, "-c", NBCLIENT_SUBPROCESS, str(notebook), str(sub_out)])
            )
            nb = nbformat.read(notebook, as_version=4)
            with kernel_stderr_to(scratch / "kernel-stderr.txt"):
                start = time.perf_counter_ns()
                nbclient.NotebookClient(nb, kernel_name="python3").execute()
                inproc.append(ms_since(start) / 1000)
        cold = None if args.no_cold else cold_nbdesk_run(notebook, scratch / "cold.ipynb")
        ours_cells = summarise(nbformat.read(ours_out, as_version=4))
        their_cells = summarise(nbformat.read(sub_out, as_version=4))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    def row(name: str, runs: list[float]) -> str:
        listed = "  ".join(f"{value:.3f}" for value in runs)
        return f"{name:<46} {min(runs):8.3f}   (runs: {listed})"

    best = min(ours)
    lines = [
        header,
        row("nbdesk run, daemon running (subprocess)", ours),
        row("nbclient (subprocess)", sub),
        row("nbclient (in this process)", inproc),
    ]
    if cold is not None:
        lines.append(row("nbdesk run, cold home: starts the daemon", [cold]))
    lines += [
        "",
        f"nbdesk run / nbclient subprocess:      {best / min(sub):6.2f}x",
        f"nbdesk run / nbclient in-process:      {best / min(inproc):6.2f}x",
    ]
    if cold is not None:
        lines.append(f"nbdesk run cold / nbclient subprocess: {cold / min(sub):6.2f}x")
    differ = [
        index
        for index, (mine, theirs) in enumerate(zip(ours_cells, their_cells, strict=True))
        if mine != theirs
    ]
    lines.append(
        "outputs and execution counts of nbdesk run and nbclient agree cell by cell: "
        + ("yes" if not differ else f"NO, code cells {differ} differ")
    )
    for index in differ[:3]:
        lines.append(f"  cell {index}: nbdesk {ours_cells[index]!r:.300}")
        lines.append(f"  cell {index}: nbclient {their_cells[index]!r:.300}")
    return lines


# -- the run ---------------------------------------------------------------------------------


async def async_parts(daemon: BenchDaemon, args: argparse.Namespace) -> None:
    print("\n".join(await part_round_trip(daemon, args)), "", sep="\n", flush=True)
    print("\n".join(await part_flood(daemon, args)), "", sep="\n", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="1+1 round trips measured")
    parser.add_argument("--warmup", type=int, default=10, help="round trips not counted")
    parser.add_argument("--flood-lines", type=int, default=100_000, help="lines the flood prints")
    parser.add_argument("--flood-runs", type=int, default=5, help="floods measured per side")
    parser.add_argument("--cells", type=int, default=30, help="code cells in the notebook")
    parser.add_argument("--run-reps", type=int, default=3, help="notebook runs per side")
    parser.add_argument(
        "--no-cold", action="store_true", help="skip the nbdesk run that starts the daemon"
    )
    args = parser.parse_args()
    if args.runs < 10 or args.warmup < 0 or min(args.flood_runs, args.run_reps, args.cells) < 1:
        parser.error("--runs must be at least 10, --warmup not negative, the rest positive")

    started = time.monotonic()
    with BenchDaemon() as daemon:
        asyncio.run(async_parts(daemon, args))
        print("\n".join(part_notebook(daemon, args)), flush=True)
    print(f"\n(bench took {time.monotonic() - started:.0f} s; {os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    run_main(main)
