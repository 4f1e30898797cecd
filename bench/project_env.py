"""A new notebook in a folder whose project has a ready `.venv`: time to the first result
of `1+1`, against raw jupyter_client starting a kernel in that same environment, with the
default path (a new notebook with no folder, on a hot kernel) measured beside them.

A real daemon on a temporary home with its default settings (uv pool, one hot kernel).
The project is a temporary folder with `.git` and a `.venv` made by uv holding ipykernel
(built once, before timing). Each round runs the three in turn, so a slower stretch of
the machine is shared by all of them:

- nbdesk, project: `NotebookClient.create(folder=project)`, one cell `1+1`, `execute()`
  until its result is in the replica and fetched; the daemon resolves the project's
  `.venv` and starts a kernel there.
- raw jupyter_client: `AsyncKernelManager` on the `.venv`'s python (ipykernel), start,
  wait for `kernel_info`, execute `1+1`, read IOPub until the result.
- nbdesk, default: `NotebookClient.create()` and the same cell, once a hot kernel is
  ready (waited for outside the timing).

Run: `.venv/bin/python bench/project_env.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _daemon import BenchDaemon, run_main
from _raw_kernel import raw_first_result
from edit_latency import Stats

from nbdesk.daemon.client.control_client import ControlClient
from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.envs.env import uv_binary
from nbdesk.daemon.home.config import Home


def make_project(root: Path) -> str:
    """A project folder with `.git` and a `.venv` holding ipykernel; its python."""
    (root / ".git").mkdir(parents=True)
    venv = root / ".venv"
    uv = uv_binary()
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    python = str(venv / "bin" / "python")
    subprocess.run([uv, "pip", "install", "--quiet", "--python", python, "ipykernel"], check=True)
    return python


async def nbdesk_first_result(home: Home, folder: Path | None) -> float:
    started = time.perf_counter()
    async with NotebookClient.create(home, folder=folder) as client:
        result = await client.run("1+1", timeout=120)
        elapsed = time.perf_counter() - started
        assert result.outputs[0]["data"]["text/plain"] == "2", result
        await client.shutdown_kernel()
    return elapsed * 1000


async def wait_hot_kernel(home: Home) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        async with await ControlClient.connect(home) as control:
            status = await control.status()
        if status.pools["hot_kernels"]["ready"] >= 1:
            return
        await asyncio.sleep(0.2)
    raise RuntimeError("no hot kernel became ready within 300 s")


async def bench(runs: int) -> int:
    root = Path(tempfile.mkdtemp(prefix="nbdesk-bench-project-"))
    try:
        project = root / "project"
        python = make_project(project)
        samples: dict[str, list[float]] = {"project": [], "raw": [], "default": []}
        with BenchDaemon() as daemon:
            await wait_hot_kernel(daemon.home)
            await nbdesk_first_result(daemon.home, project)  # warm-up: imports, caches
            for _ in range(runs):
                samples["project"].append(await nbdesk_first_result(daemon.home, project))
                samples["raw"].append(await raw_first_result(python, project))
                await wait_hot_kernel(daemon.home)
                samples["default"].append(await nbdesk_first_result(daemon.home, None))
        stats = {
            "project": Stats("nbdesk, new notebook in the project", samples["project"]),
            "raw": Stats("raw jupyter_client, same .venv", samples["raw"]),
            "default": Stats("nbdesk, new notebook, hot kernel", samples["default"]),
        }
        print(f"{'first result of 1+1 (ms)':<46} {'p50':>8} {'p99':>8} {'mean':>8} {'max':>8}")
        for item in stats.values():
            print(item.row())
        raw = stats["raw"].p50
        print(f"project / raw jupyter_client (p50): {stats['project'].p50 / raw:.2f}x")
        print(f"default (hot kernel) / raw jupyter_client (p50): {stats['default'].p50 / raw:.2f}x")
        return 0
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    return asyncio.run(bench(args.runs))


if __name__ == "__main__":
    run_main(main)
