"""New notebook to the first result of `1+1`, three ways in one run.

1. Hot kernel: a daemon with a uv pool of 1 and one hot kernel. `NotebookClient.create`
   (handshake, first sync), one cell `1+1`, `execute()` until its output is in the
   client's replica and fetched. The room takes the hot kernel, already answering.
2. Prewarmed environment, fresh kernel: a daemon with a uv pool of 2 and no hot kernel;
   the same steps. The room takes a ready uv environment and starts a kernel in it (the
   reference daemon's path, reported there at about 500 ms).
3. No pool: `uv venv` + `uv pip install ipykernel ipywidgets` (bytecode compiled, uv's
   cache warm: the pools' own recipe, `daemon.envs.build`), then a notebook on a daemon
   without pools, `launch_kernel` on that environment, and the same cell.

Before every measured run each daemon's pools are full again, so no warming competes
with the run; the ways take turns (hot, prewarmed, and every few rounds no pool).
Targets: hot p50 under 150 ms and at least 5x faster than the prewarmed path.

Run: `.venv/bin/python bench/env_pools.py [--runs N] [--no-pool-runs N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
from _daemon import BenchDaemon, run_main
from edit_latency import Stats

from nbdesk.daemon.client.control_client import ControlClient
from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.envs.env import Processes, build, new_env_path, uv_spec

# Rooms (and their kernels) leave a second after the bench closes them.
POOLS_OFF = {
    "NBDESK_KEEP_ALIVE": "1",
    "NBDESK_POOL_UV": "0",
    "NBDESK_POOL_CONDA": "0",
    "NBDESK_HOT_KERNELS": "0",
}


async def wait_pools(daemon: BenchDaemon, full: Callable[[dict[str, Any]], bool]) -> None:
    deadline = time.monotonic() + 300
    async with await ControlClient.connect(daemon.home) as control:
        while not full((await control.status()).pools):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the pools of {daemon.root} never filled")
            await asyncio.sleep(0.1)


async def first_result(client: NotebookClient) -> float:
    """Run `1+1` in the client's notebook; the time when its output is in hand."""
    with client.edit() as doc:
        cell = doc.insert_cell(len(doc), "code", "1+1")
    outputs = (await client.execute(cell, timeout=120)).outputs
    assert outputs[0]["data"]["text/plain"] == "2", outputs
    return time.perf_counter()


async def new_notebook(daemon: BenchDaemon) -> float:
    started = time.perf_counter()
    client = await NotebookClient.create(home=daemon.home)
    try:
        return (await first_result(client) - started) * 1000
    finally:
        await client.close()


async def no_pool(daemon: BenchDaemon, scratch: Path) -> float:
    notebook = scratch / f"n{time.monotonic_ns()}.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), notebook)
    started = time.perf_counter()
    env = await build(new_env_path(scratch, "uv"), uv_spec(), Processes(), scratch / "cache")
    client = await NotebookClient.open(notebook, home=daemon.home)
    try:
        await client.connection.request("launch_kernel", timeout=120, env=env.python)
        return (await first_result(client) - started) * 1000
    finally:
        await client.close()


async def measure(runs: int, no_pool_runs: int) -> tuple[Stats, Stats, Stats]:
    hot, warm = Stats("hot kernel", []), Stats("prewarmed env + fresh kernel", [])
    cold = Stats("no pool (uv venv + install + kernel)", [])
    with (
        BenchDaemon(**{**POOLS_OFF, "NBDESK_POOL_UV": "1", "NBDESK_HOT_KERNELS": "1"}) as hd,
        BenchDaemon(**{**POOLS_OFF, "NBDESK_POOL_UV": "2"}) as wd,
        BenchDaemon(**POOLS_OFF) as nd,
        tempfile.TemporaryDirectory(prefix="nbd-bench-") as scratch,
    ):
        every = max(1, runs // max(1, no_pool_runs))
        for index in range(runs):
            await wait_pools(hd, lambda p: p["hot_kernels"]["ready"] == 1 and p["uv"]["ready"] == 1)
            await wait_pools(wd, lambda p: p["uv"]["ready"] == 2)
            hot.samples_ms.append(await new_notebook(hd))
            await wait_pools(hd, lambda p: p["hot_kernels"]["ready"] == 1 and p["uv"]["ready"] == 1)
            warm.samples_ms.append(await new_notebook(wd))
            if index % every == 0 and len(cold.samples_ms) < no_pool_runs:
                await wait_pools(wd, lambda p: p["uv"]["ready"] == 2)
                cold.samples_ms.append(await no_pool(nd, Path(scratch)))
            print(
                f"  run {index + 1}/{runs}: hot {hot.samples_ms[-1]:.0f} ms, "
                f"prewarmed {warm.samples_ms[-1]:.0f} ms",
                flush=True,
            )
    return hot, warm, cold


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--no-pool-runs", type=int, default=3)
    args = parser.parse_args()
    print("new notebook -> first result of 1+1 (ms); pools full before every run")
    hot, warm, cold = asyncio.run(measure(args.runs, args.no_pool_runs))
    print(f"{'':<46} {'p50':>8} {'p99':>8} {'mean':>8} {'max':>8}")
    for stats in (hot, warm, cold):
        print(stats.row())
    print()
    print(f"prewarmed env / hot kernel: {warm.p50 / hot.p50:.1f}x (target >= 5x)")
    print(f"no pool / hot kernel:       {cold.p50 / hot.p50:.1f}x")
    print(f"no pool / prewarmed env:    {cold.p50 / warm.p50:.1f}x")
    ok = hot.p50 < 150 and warm.p50 / hot.p50 >= 5
    print(f"hot kernel p50 {hot.p50:.0f} ms (target < 150 ms): {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    run_main(main)
