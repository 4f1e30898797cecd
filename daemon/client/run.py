"""`nbdesk run NOTEBOOK`: execute a notebook headlessly through the daemon, as nbclient does.

The notebook is loaded into a fresh untitled room living in the notebook's folder (so
the kernel's working directory is that folder and the daemon resolves the kernel from
there; the input file is never autosaved over while it runs), the kernel is launched
(`--kernel NAME`: that kernelspec; `--server NAME`: a kernel of that Jupyter server, of
the `--kernel` kernelspec or else the one the notebook names), and the cells are executed one by one from here
under nbclient's rules (`run_plan`): empty cells and cells tagged `skip-execution` are
not run, `input()` raises, a cell tagged `raises-exception` (any cell with
`--allow-errors`) may fail and the run goes on, `--timeout` interrupts a cell that runs
too long. papermill-style parameters (`parameters`) are injected first. The result is
saved to OUT (or back to NOTEBOOK), also when the run stops early.

A notebook listing packages not approved on this machine (`nbdesk trust`) is not run:
nothing is installed or executed unless `--trust` approves them for the run.

Exit status, as nbclient's `jupyter execute`: 0 when every cell ran or failed only where
allowed (`--allow-errors` included), 1 when a cell stopped the run, 2 for bad input; and
3 when the notebook's packages were not approved (see `nbdesk trust`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import nbformat

from nbdesk.daemon.client import parameters
from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.client.run_plan import RAISES_TAG, CellPlan, may_raise, plan, tags
from nbdesk.daemon.client.run_progress import Progress
from nbdesk.daemon.client.trust_cli import UNTRUSTED_EXIT, check_trust
from nbdesk.daemon.doc.ipynb import parse_ipynb
from nbdesk.daemon.home import servers
from nbdesk.daemon.home.config import Home
from nbdesk.daemon.wire.enums import KernelChoiceKind
from nbdesk.daemon.wire.errors import ErrorCode, NbdeskError
from nbdesk.daemon.wire.ids import CellId
from nbdesk.daemon.wire.responses import KernelLaunched

INTERRUPT_GRACE = 30.0  # seconds a timed-out cell has to stop once interrupted


@dataclass(frozen=True)
class RunOptions:
    source: Path
    target: Path
    kernel: str | None = None
    server: str | None = None  # a Jupyter server the user added (`nbdesk server add`)
    timeout: float | None = None
    allow_errors: bool = False
    parameters: dict[str, Any] | None = None  # None: inject nothing
    trust: bool = False  # approve the notebook's packages for this run


class Outcome(StrEnum):
    OK = "ok"
    ERROR = "error"
    TIMED_OUT = "timed out"
    STUCK = "stuck"  # timed out and did not stop when interrupted
    DIED = "kernel died"
    ABORTED = "aborted"


@dataclass(frozen=True)
class CellFailure:
    index: int  # 1-based, among all the notebook's cells
    cell_id: str
    outcome: Outcome
    reason: str

    @property
    def where(self) -> str:
        return f"cell {self.index} ({self.cell_id})"


@dataclass
class RunReport:
    stopped_by: CellFailure | None = None
    allowed: list[CellFailure] = field(default_factory=list)  # passed over by --allow-errors


def load(options: RunOptions) -> nbformat.NotebookNode:
    """The notebook to run, checked before any daemon is asked for anything."""
    try:
        data = options.source.read_bytes()
    except FileNotFoundError:
        raise NbdeskError(
            f"{options.source} does not exist: give the path of a .ipynb file",
            code=ErrorCode.BAD_PATH,
        ) from None
    except OSError as exc:
        raise NbdeskError(
            f"{options.source} cannot be read: {exc}", code=ErrorCode.BAD_PATH
        ) from exc
    nb = parse_ipynb(data, source=options.source)
    if not options.target.parent.is_dir():
        raise NbdeskError(
            f"the output folder {options.target.parent} does not exist: create it or pick "
            "another -o",
            code=ErrorCode.BAD_PATH,
        )
    return nb


async def check_kernel(client: NotebookClient, kernel: str) -> None:
    """An unknown `--kernel` fails before anything runs, naming the installed ones."""
    names = sorted(
        choice.name
        for choice in await client.list_kernels()
        if choice.kind == KernelChoiceKind.KERNELSPEC
    )
    if kernel not in names:
        raise NbdeskError(
            f"no kernel named {kernel!r} is installed here (installed: "
            f"{', '.join(names) or 'none'}): pass one of those to --kernel, or install that "
            "kernel's kernelspec",
            code=ErrorCode.NO_SUCH_KERNELSPEC,
        )


def remote_kernelspec(options: RunOptions, nb: nbformat.NotebookNode) -> str:
    """The server's kernelspec to run on: `--kernel`, else the one the notebook names,
    else `python3` (what Jupyter servers call their Python); the server says if it has
    no such kernel, naming the ones it has."""
    if options.kernel is not None:
        return options.kernel
    named = nb.metadata.get("kernelspec", {}).get("name")
    return str(named) if named else "python3"


async def launch(
    client: NotebookClient, options: RunOptions, nb: nbformat.NotebookNode
) -> KernelLaunched:
    """The run's kernel: on the server when `--server` was given (the daemon asks the
    server before anything starts: an unreachable one or a refused token is an error
    naming it), else the kernelspec given, else wherever the daemon's resolution says."""
    if options.server is None:
        return await client.launch_kernel(kernelspec=options.kernel)
    name = servers.pick_name(options.server, remote_kernelspec(options, nb))
    return await client.change_kernel(KernelChoiceKind.REMOTE, name)


def write(client: NotebookClient, nb: nbformat.NotebookNode) -> list[CellId]:
    """The notebook's metadata and cells into the room (without outputs: a clean run)."""
    with client.edit() as doc:
        for key, value in nb.metadata.items():
            doc.set_metadata(key, json.dumps(value, ensure_ascii=False, sort_keys=True))
        return doc.append_cells(
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


async def run_cell(
    client: NotebookClient, cell_id: str, timeout: float | None
) -> tuple[Outcome, dict[str, Any] | None]:
    """Execute one cell (`input()` raises, as under nbclient); interrupt it past `timeout`."""
    execution_id = await client.queue_cell(cell_id, allow_stdin=False)
    timed_out = False
    try:
        done = await client.wait_done(execution_id, timeout)
    except TimeoutError:
        timed_out = True
        await client.interrupt()
        try:
            done = await client.wait_done(execution_id, INTERRUPT_GRACE)
        except TimeoutError:
            await client.shutdown_kernel()
            return Outcome.STUCK, None
    if client.kernel_status == "dead":
        return Outcome.DIED, done
    if timed_out:
        return Outcome.TIMED_OUT, done
    if done["status"] == "aborted":
        return Outcome.ABORTED, done
    return (Outcome.OK if done["status"] == "ok" else Outcome.ERROR), done


async def describe(
    client: NotebookClient, cell_id: str, outcome: Outcome, timeout: float | None
) -> str:
    if outcome == Outcome.ERROR:
        error = next(
            (o for o in await client.outputs(cell_id) if o.get("output_type") == "error"), None
        )
        if error is None:
            return "failed"
        return f"raised {error.get('ename', 'an error')}: {error.get('evalue', '')}".rstrip(": ")
    if outcome == Outcome.TIMED_OUT:
        return f"was still running after {timeout:g} s and was interrupted"
    if outcome == Outcome.STUCK:
        return (
            f"was still running after {timeout:g} s and did not stop when interrupted "
            f"(within {INTERRUPT_GRACE:g} s), so its kernel was shut down"
        )
    if outcome == Outcome.DIED:
        return "killed its kernel (the kernel died while running it)"
    return "was aborted: the kernel was interrupted, restarted or shut down from elsewhere"


def stops_the_run(cell: nbformat.NotebookNode, outcome: Outcome, allow_errors: bool) -> bool:
    if outcome == Outcome.ERROR:
        return not may_raise(cell, allow_errors)
    if outcome == Outcome.TIMED_OUT:
        return not allow_errors
    return outcome != Outcome.OK  # a dead, stuck or aborted kernel runs nothing more


async def execute(
    client: NotebookClient, nb: nbformat.NotebookNode, cell_ids: list[CellId], options: RunOptions
) -> RunReport:
    report = RunReport()
    progress = Progress(sum(plan(cell) != CellPlan.NOT_CODE for cell in nb.cells))
    for index, (cell, cell_id) in enumerate(zip(nb.cells, cell_ids, strict=True), start=1):
        what = plan(cell)
        label = f"{index} ({cell_id})"
        if what == CellPlan.NOT_CODE:
            continue
        if what != CellPlan.RUN:
            progress.update(label, str(what))
            continue
        started = time.monotonic()
        outcome, _ = await run_cell(client, cell_id, options.timeout)
        seconds = time.monotonic() - started
        if outcome == Outcome.OK:
            progress.update(label, "ok", seconds)
            continue
        failure = CellFailure(
            index, cell_id, outcome, await describe(client, cell_id, outcome, options.timeout)
        )
        if stops_the_run(cell, outcome, options.allow_errors):
            progress.update(label, failure.reason, seconds)
            progress.stop()
            report.stopped_by = failure
            break
        expected = outcome == Outcome.ERROR and RAISES_TAG in tags(cell)
        progress.update(
            label, f"{failure.reason} ({'expected' if expected else 'allowed'})", seconds
        )
        if not expected:
            report.allowed.append(failure)
    return report


def next_step(failure: CellFailure) -> str:
    if failure.outcome == Outcome.ERROR:
        return (
            "fix the cell, tag it raises-exception if the error is expected, or pass "
            "--allow-errors to run past errors"
        )
    if failure.outcome in (Outcome.TIMED_OUT, Outcome.STUCK):
        return "give it more time with --timeout SECONDS, or pass --allow-errors to go on after it"
    return "look at what the cell does (memory, os._exit, signals) and run again"


def summary(report: RunReport, target: Path) -> tuple[int, str]:
    """The exit status and the last words."""
    if report.stopped_by is not None:
        failure = report.stopped_by
        return 1, (
            f"{failure.where} {failure.reason}; the run stopped there and the notebook, "
            f"with the outputs so far, was saved to {target}.\nNext: {next_step(failure)}."
        )
    lines = [
        f"{failure.where} {failure.reason} (run past with --allow-errors)"
        for failure in report.allowed
    ]
    return 0, "\n".join([*lines, f"wrote {target}"])


async def run_notebook(options: RunOptions, nb: nbformat.NotebookNode, home: Home) -> int:
    client = await NotebookClient.create(home, folder=options.source.parent, launch=False)
    try:
        if options.kernel is not None and options.server is None:
            await check_kernel(client, options.kernel)
        injected = None
        if options.parameters is not None:
            injected = parameters.inject(nb, "")  # its source once the kernel's language is known
            nb.metadata.setdefault("papermill", {})["parameters"] = options.parameters
        cell_ids = write(client, nb)
        if not await check_trust(client, options.source, approve_it=options.trust):
            return UNTRUSTED_EXIT
        launched = await launch(client, options, nb)
        try:
            print(f"running {options.source.name} on {launched.display_name}", file=sys.stderr)
            if injected is not None and options.parameters is not None:
                language = launched.language or parameters.notebook_language(nb)
                nb.cells[injected].source = parameters.render(options.parameters, language)
                client.set_source(cell_ids[injected], nb.cells[injected].source)
            report = await execute(client, nb, cell_ids, options)
            await client.save(options.target)
        finally:
            await client.shutdown_kernel()
    finally:
        await client.close()
    status, words = summary(report, options.target)
    print(words, file=sys.stderr)
    return status


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(
        prog="nbdesk run",
        description="Execute a notebook headlessly, in its own folder, as nbclient does.",
    )
    parse.add_argument("notebook", type=Path)
    parse.add_argument("-o", "--output", type=Path, help="where to write the executed notebook")
    parse.add_argument(
        "--kernel",
        metavar="NAME",
        help="a kernelspec to run on: an installed one, or with --server one of that server's",
    )
    parse.add_argument(
        "--server",
        metavar="NAME",
        help="run on a kernel of this Jupyter server (added with `nbdesk server add`)",
    )
    parse.add_argument(
        "--timeout", type=positive_seconds, default=None, help="seconds allowed per cell"
    )
    parse.add_argument(
        "--allow-errors", action="store_true", help="go on after a cell fails (exit status 0)"
    )
    parse.add_argument(
        "--trust",
        action="store_true",
        help="approve the packages the notebook lists (else one not approved exits with 3)",
    )
    parse.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="a parameter, typed as papermill types it (repeatable)",
    )
    parse.add_argument(
        "-f",
        "--parameters-file",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="a YAML file of parameters (repeatable; -p wins over it)",
    )
    return parse


def positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not seconds > 0:
        raise argparse.ArgumentTypeError("the timeout must be more than 0 seconds")
    return seconds


def main(argv: list[str]) -> int:
    from nbdesk.daemon.client import daemon_cli as cli

    args = parser().parse_args(argv)
    home = Home.from_env()
    try:
        injected = args.parameter or args.parameters_file
        options = RunOptions(
            source=args.notebook.resolve(),
            target=(args.output or args.notebook).resolve(),
            kernel=args.kernel,
            server=args.server,
            timeout=args.timeout,
            allow_errors=args.allow_errors,
            trust=args.trust,
            parameters=(
                parameters.collect(args.parameters_file, [tuple(p) for p in args.parameter])
                if injected
                else None
            ),
        )
        nb = load(options)
        if options.server is not None:
            servers.get(home, options.server)  # an unknown name fails before a daemon starts
        cli.start(home)
        return asyncio.run(run_notebook(options, nb, home))
    except NbdeskError as exc:
        print(f"nbdesk run: {exc}", file=sys.stderr)
        return 2
