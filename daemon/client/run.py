"""`nbdesk run NOTEBOOK [-o OUT]`: execute every cell through the daemon and write the result.

The notebook is loaded into a fresh untitled room (the input file is never autosaved
over while it runs), executed cell by cell with a progress line, and saved to OUT (or
back to NOTEBOOK). Like nbclient, the exit status is non-zero when a cell fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import TextIO

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.doc.ipynb import parse_ipynb
from nbdesk.daemon.home.config import Home
from nbdesk.daemon.wire.errors import NbdeskError


class Progress:
    """One line that redraws itself on a terminal, one line per cell otherwise."""

    def __init__(self, total: int, stream: TextIO = sys.stderr) -> None:
        self.total = total
        self.done = 0
        self.stream = stream
        self.tty = stream.isatty()

    def update(self, cell_id: str, status: str, seconds: float) -> None:
        self.done += 1
        width = 30
        filled = width * self.done // max(self.total, 1)
        bar = "#" * filled + "-" * (width - filled)
        line = f"[{bar}] {self.done}/{self.total}  cell {cell_id}: {status} ({seconds:.2f} s)"
        if self.tty:
            self.stream.write("\r" + line.ljust(100))
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


async def run_notebook(source: Path, target: Path, home: Home, timeout: float | None) -> int:
    nb = parse_ipynb(source.read_bytes(), source=source)
    client = await NotebookClient.create(home=home)
    try:
        with client.edit() as doc:
            for key, value in nb.metadata.items():
                doc.set_metadata(key, json.dumps(value, ensure_ascii=False, sort_keys=True))
            doc.append_cells(
                [
                    {
                        "cell_id": cell.get("id"),
                        "cell_type": cell.cell_type,
                        "source": cell.source,
                        "metadata": dict(cell.metadata),
                        "attachments": cell.get("attachments"),
                    }
                    for cell in nb.cells
                ]
            )
        reply = await client.request("run_all")
        progress = Progress(len(reply["execution_ids"]))
        failed: str | None = None
        for execution_id, cell_id in zip(reply["execution_ids"], reply["cell_ids"], strict=True):
            started = time.monotonic()
            done = await client.wait_done(execution_id, timeout)
            progress.update(cell_id, done["status"], time.monotonic() - started)
            if done["status"] == "error" and failed is None:
                failed = cell_id
        await client.save(target)
        await client.shutdown_kernel()
    finally:
        await client.close()
    if failed is not None:
        print(f"cell {failed} raised an error; the notebook was saved to {target}", file=sys.stderr)
        return 1
    print(f"wrote {target}", file=sys.stderr)
    return 0


def main(argv: list[str]) -> int:
    from nbdesk.daemon.client import daemon_cli as cli

    parser = argparse.ArgumentParser(
        prog="nbdesk run", description="Execute a notebook headlessly."
    )
    parser.add_argument("notebook", type=Path)
    parser.add_argument("-o", "--output", type=Path, help="where to write the executed notebook")
    parser.add_argument("--timeout", type=float, default=None, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    home = Home.from_env()
    try:
        cli.start(home)
        target = (args.output or args.notebook).resolve()
        return asyncio.run(run_notebook(args.notebook.resolve(), target, home, args.timeout))
    except NbdeskError as exc:
        print(f"nbdesk run: {exc}", file=sys.stderr)
        return 2
