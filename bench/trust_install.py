"""From "Approve and install" to the first result, for a notebook needing one small
package, against doing the same by hand: `uv venv` + `uv pip install` + a raw
jupyter_client kernel start, measured in the same run.

A real daemon on a temporary home, with the pools and hot kernels off (the measured path
uses neither, and warming them would load the 2 cores while the two sides are timed).
uv's cache is warmed once before timing (one untimed build of each side), so both sides
install from the cache, as a user who installed the package before does. Each round
runs the two sides in turn, so a slower stretch of the machine is shared:

- nbdesk: a notebook listing `--package` (written as it comes from elsewhere: no
  signature) is opened; its kernel runs on the default environment. Timed from here:
  `approve_trust` with the digest `get_trust` showed, `restart_kernel` (the daemon builds
  the notebook's environment: `uv venv`, `uv pip install` of ipykernel, ipywidgets and
  the package, bytecode compiled, then starts the kernel there), then a cell importing
  the package, until its result is in the client's replica. The environment is removed
  after each round so every round builds it.
- by hand: `uv venv` and `uv pip install --compile-bytecode` of the same packages into a
  fresh folder, an `AsyncKernelManager` on its python, `wait_for_ready`, the same cell,
  IOPub read until its result.

Run: `.venv/bin/python bench/trust_install.py [--runs N] [--package NAME]`.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import nbformat
from _daemon import BenchDaemon, run_main
from _raw_kernel import raw_first_result
from edit_latency import Stats

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.envs.env import KERNEL_PACKAGES, base_python, uv_binary
from nbdesk.daemon.home.config import Home


def cell_for(package: str) -> str:
    return f"import {package.replace('-', '_')}, sys; {package.replace('-', '_')}.__name__"


def mailed_notebook(path: Path, package: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(cell_for(package)))
    nb.metadata["nbdesk"] = {"uv": {"dependencies": [package]}}
    nbformat.write(nb, path)
    return path


async def nbdesk_approve_to_result(home: Home, path: Path, package: str) -> float:
    async with NotebookClient.open(path, home) as client:
        shown = await client.get_trust()
        started = time.perf_counter()
        await client.request("approve_trust", digest=shown.digest)
        await client.connection.request("restart_kernel", timeout=600)
        result = await client.execute(client.doc.cell_ids()[0], timeout=120)
        elapsed = time.perf_counter() - started
        assert result.outputs[0]["data"]["text/plain"] == repr(package.replace("-", "_")), result
        await client.shutdown_kernel()
    for env in home.envs.glob("nbdesk-deps-*"):
        shutil.rmtree(env)
    return elapsed * 1000


async def by_hand(folder: Path, package: str) -> float:
    uv = uv_binary()
    venv = folder / "venv"
    started = time.perf_counter()
    try:
        subprocess.run([uv, "venv", "--quiet", "--python", base_python(), str(venv)], check=True)
        python = str(venv / "bin" / "python")
        install = [uv, "pip", "install", "--quiet", "--compile-bytecode", "--python", python]
        subprocess.run([*install, *KERNEL_PACKAGES, package], check=True)
        built = (time.perf_counter() - started) * 1000
        return built + await raw_first_result(python, folder, cell_for(package))
    finally:
        shutil.rmtree(venv, ignore_errors=True)


async def bench(runs: int, package: str) -> int:
    root = Path(tempfile.mkdtemp(prefix="nbdesk-bench-trust-"))
    try:
        samples: dict[str, list[float]] = {"nbdesk": [], "hand": []}
        with BenchDaemon(NBDESK_POOL_UV="0", NBDESK_HOT_KERNELS="0") as daemon:
            for index in range(runs + 1):  # the first round warms uv's cache and imports
                path = mailed_notebook(root / f"mailed-{index}.ipynb", package)
                nbdesk = await nbdesk_approve_to_result(daemon.home, path, package)
                hand = await by_hand(root, package)
                if index > 0:
                    samples["nbdesk"].append(nbdesk)
                    samples["hand"].append(hand)
        stats = {
            "nbdesk": Stats(f"nbdesk: approve -> first result ({package})", samples["nbdesk"]),
            "hand": Stats("uv venv + uv pip install + jupyter_client", samples["hand"]),
        }
        print(f"{'approve to first result (ms)':<46} {'p50':>8} {'p99':>8} {'mean':>8} {'max':>8}")
        for item in stats.values():
            print(item.row())
        ratio = stats["nbdesk"].p50 / stats["hand"].p50
        print(f"nbdesk / by hand (p50): {ratio:.2f}x")
        return 0
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--package", default="tabulate")
    args = parser.parse_args()
    return asyncio.run(bench(args.runs, args.package))


if __name__ == "__main__":
    run_main(main)
