"""`nbdesk export NOTEBOOK --to html|script|markdown|pdf [-o OUT]`.

NOTEBOOK is a path (the daemon's room on that file: a window's unsaved edits are in the
export) or `--id NOTEBOOK_ID` for a notebook open in the daemon without a file. Without
`-o` the export lands beside the notebook, named after it. Exit status: 0 when written,
1 when the export failed, 2 for bad input.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from nbdesk.daemon.client.export import ExportFormat, export
from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.home.config import Home
from nbdesk.daemon.wire.errors import ErrorCode, NbdeskError

BAD_INPUT = {ErrorCode.NO_SUCH_NOTEBOOK, ErrorCode.BAD_NOTEBOOK, ErrorCode.BAD_PATH}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="nbdesk export",
        description="Export a notebook, as the daemon holds it (unsaved edits included).",
    )
    p.add_argument("notebook", type=Path, nargs="?", help="the notebook file")
    p.add_argument("--id", dest="notebook_id", help="a notebook open in the daemon, by id")
    p.add_argument("--to", required=True, choices=[f.value for f in ExportFormat])
    p.add_argument("-o", "--output", type=Path, help="the file to write")
    return p


async def export_notebook(
    home: Home,
    fmt: ExportFormat,
    notebook: Path | None,
    notebook_id: str | None,
    output: Path | None,
) -> Path:
    opening = (
        NotebookClient.join(notebook_id, home)
        if notebook_id
        else NotebookClient.open(notebook or Path(), home)
    )
    async with opening as client:
        return await export(client, fmt, output.resolve() if output else None)


def main(argv: list[str]) -> int:
    from nbdesk.daemon.client import daemon_cli as cli

    args = parser().parse_args(argv)
    if (args.notebook is None) == (args.notebook_id is None):
        print("nbdesk export: give a notebook file or --id NOTEBOOK_ID (one)", file=sys.stderr)
        return 2
    if args.notebook is not None and not args.notebook.is_file():
        print(f"nbdesk export: no notebook file at {args.notebook}", file=sys.stderr)
        return 2
    home = Home.from_env()
    try:
        cli.start(home)
        written = asyncio.run(
            export_notebook(
                home, ExportFormat(args.to), args.notebook, args.notebook_id, args.output
            )
        )
    except NbdeskError as exc:
        print(f"nbdesk export: {exc}", file=sys.stderr)
        return 2 if exc.code in BAD_INPUT else 1
    print(written)
    return 0
