"""An R cell's execute round trip through the daemon, against raw jupyter_client on the
same IRkernel (kernelspec `ir`), measured in the same run.

nbdesk: a real daemon on a temporary home (`BenchDaemon`, default settings), a new
notebook whose kernel is `launch_kernel(kernelspec="ir")`, and `await client.execute(cell)`
of the R cell `1+1`: the execute_cell request, the daemon running it, `execution_done`
plus the heads holding the outputs in the client's replica, and the outputs fetched
from the blob server (what `execute()` returns). Baseline: the same kernelspec started
by jupyter_client exactly as the daemon starts a kernel (`kernel_exec.raw_kernel`:
in-memory spec, IPC transport), `kc.execute("1+1")` then IOPub read until `idle` for
that msg_id and the shell execute_reply. Both sides check that the result is `[1] 2`.

The sides take turns, one execution each, both kernels up all along, so a change in
machine speed during the run hits both alike (see `kernel_exec.py`). `--runs` counted
after `--warmup` uncounted ones each.

Run: `.venv/bin/python bench/r_kernel.py [--runs N] [--warmup N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import time

from _daemon import BenchDaemon, run_main
from edit_latency import Stats
from kernel_exec import RawKernel, ms_since, raw_kernel

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.envs import kernelspecs

KERNELSPEC = "ir"
CODE = "1+1"
EXPECTED = "[1] 2"


async def raw_round_trip(raw: RawKernel) -> float:
    start = time.perf_counter_ns()
    _, result, _ = await raw.execute(CODE)
    elapsed = ms_since(start)
    if result is None or result["data"].get("text/plain") != EXPECTED:
        raise RuntimeError(f"raw {CODE} gave {result}")
    return elapsed


async def nbdesk_round_trip(client: NotebookClient, cell: str) -> float:
    start = time.perf_counter_ns()
    result = await client.execute(cell, 60)
    elapsed = ms_since(start)
    if not result.ok or [o.get("data", {}).get("text/plain") for o in result.outputs] != [EXPECTED]:
        raise RuntimeError(f"nbdesk {CODE} gave {result.status}: {result.outputs}")
    return elapsed


async def measure(daemon: BenchDaemon, args: argparse.Namespace) -> tuple[Stats, Stats]:
    raw_ms: list[float] = []
    ours_ms: list[float] = []
    async with (
        raw_kernel(kernelspecs.require(KERNELSPEC)) as raw,
        NotebookClient.create(daemon.home, launch=False) as client,
    ):
        await client.launch_kernel(kernelspec=KERNELSPEC)
        cell = client.add_cell(CODE)
        for _ in range(args.warmup + args.runs):
            raw_ms.append(await raw_round_trip(raw))
            ours_ms.append(await nbdesk_round_trip(client, cell))
    return (
        Stats(f"raw jupyter_client kc.execute {CODE}", raw_ms[args.warmup :]),
        Stats(f"nbdesk client.execute() {CODE}", ours_ms[args.warmup :]),
    )


def report(raw: Stats, ours: Stats, args: argparse.Namespace) -> list[str]:
    def row(stats: Stats) -> str:
        return (
            f"{stats.name:<40} {stats.p50:8.3f} {stats.p95:8.3f} {stats.mean:8.3f} "
            f"{max(stats.samples_ms):8.3f}"
        )

    return [
        f"== R cell execute round trip ({CODE!r} on kernelspec {KERNELSPEC!r}): {args.runs} "
        f"runs after {args.warmup} warm-up ones, the sides taking turns; times in ms",
        f"{'':<40} {'p50':>8} {'p95':>8} {'mean':>8} {'max':>8}",
        row(raw),
        row(ours),
        "",
        f"nbdesk / raw jupyter_client: p50 {ours.p50 / raw.p50:6.2f}x   "
        f"p95 {ours.p95 / raw.p95:6.2f}x   mean {ours.mean / raw.mean:6.2f}x",
        f"overhead of nbdesk over raw at p50: {ours.p50 - raw.p50:.3f} ms",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="round trips measured per side")
    parser.add_argument("--warmup", type=int, default=10, help="round trips not counted")
    args = parser.parse_args()
    if args.runs < 20 or args.warmup < 0:
        parser.error("--runs must be at least 20 and --warmup not negative")
    if shutil.which("R") is None or kernelspecs.find(KERNELSPEC) is None:
        parser.error(
            f"R and IRkernel's kernelspec {KERNELSPEC!r} are needed: `make deps` installs "
            "them (scripts/ensure-system-deps.sh, scripts/ensure-r-kernel.sh)"
        )

    started = time.monotonic()
    with BenchDaemon() as daemon:
        raw, ours = asyncio.run(measure(daemon, args))
    print("\n".join(report(raw, ours, args)), flush=True)
    print(f"\n(bench took {time.monotonic() - started:.0f} s; {os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    run_main(main)
