"""`nbdesk trust NOTEBOOK`: show the packages a notebook would install and approve them.

The list (with names close to popular packages flagged) is printed, the user is asked,
and the approval goes to the daemon with the digest of exactly the list printed, so a
list that changed meanwhile is refused, never approved unseen. The signature is then
written into the notebook file. `--yes` approves without asking (for scripts that have
shown the list some other way); without a terminal to ask on, it is required.

`nbdesk run` uses `check_trust` here: it refuses (exit status 3) a notebook whose
packages were not approved, unless `--trust` approves them for the run.

Exit status: 0 approved (or nothing to approve), 1 not approved, 2 bad input.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.home.config import Home
from nbdesk.daemon.wire.broadcasts import TrustState
from nbdesk.daemon.wire.enums import TrustStatus
from nbdesk.daemon.wire.errors import ErrorCode, NbdeskError
from nbdesk.daemon.wire.responses import TrustReply

UNTRUSTED_EXIT = 3  # `nbdesk run` on a notebook whose packages were not approved


def needs_approval(state: TrustState) -> bool:
    return state.status in (TrustStatus.UNTRUSTED, TrustStatus.SIGNATURE_INVALID) and bool(
        state.dependencies
    )


def describe(state: TrustState, name: str) -> str:
    """The list as the user reviews it: one package a line, flags under it."""
    why = (
        "its packages changed outside nbdesk since they were approved"
        if state.status == TrustStatus.SIGNATURE_INVALID
        else "its packages were not approved on this machine"
    )
    lines = [f"{name}: {why}. Approving lets nbdesk install:"]
    lines += [f"  {dependency}" for dependency in state.dependencies]
    lines += [f"  ! {flag}" for flag in state.flagged]
    return "\n".join(lines)


async def approve(client: NotebookClient, state: TrustState) -> TrustState:
    """Approve exactly the list `state` holds (refused with `trust_changed` otherwise)."""
    return (await client.call("approve_trust", TrustReply, digest=state.digest)).trust


async def check_trust(client: NotebookClient, source: Path, *, approve_it: bool) -> bool:
    """For `nbdesk run`: True when the notebook's packages may be installed (approving
    them first with `--trust`); else says how to approve them and returns False."""
    state = await client.get_trust()
    if not state.dependencies and state.flagged:
        raise NbdeskError(state.flagged[0], code=ErrorCode.BAD_DEPENDENCY)
    if not needs_approval(state):
        return True
    if approve_it:
        await approve(client, state)
        return True
    print(
        f"{describe(state, source.name)}\nnothing was installed or run: review and approve "
        f"them with `nbdesk trust {source}`, or pass --trust to approve them for this run",
        file=sys.stderr,
    )
    return False


def ask(question: str) -> bool:
    try:
        return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
    except EOFError:
        return False


async def trust_notebook(path: Path, home: Home, *, yes: bool) -> int:
    async with NotebookClient.open(path, home) as client:
        state = await client.get_trust()
        if not state.dependencies and state.flagged:
            raise NbdeskError(state.flagged[0], code=ErrorCode.BAD_DEPENDENCY)
        if not state.dependencies:
            print(f"{path.name} lists no packages: nothing to approve", file=sys.stderr)
            return 0
        if not needs_approval(state):
            listed = ", ".join(state.dependencies)
            print(f"{path.name}: already approved here ({listed})", file=sys.stderr)
            return 0
        print(describe(state, path.name))
        if not yes:
            if not sys.stdin.isatty():
                print(
                    "nbdesk trust: no terminal to ask on: pass --yes to approve the list above",
                    file=sys.stderr,
                )
                return 1
            if not ask("Approve these packages?"):
                print("not approved: nothing changed", file=sys.stderr)
                return 1
        approved = await approve(client, state)
        await client.save()
        print(f"approved {', '.join(approved.dependencies)}; signed in {path}", file=sys.stderr)
        return 0


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(
        prog="nbdesk trust",
        description="Show the packages a notebook would install, and approve them.",
    )
    parse.add_argument("notebook", type=Path)
    parse.add_argument("-y", "--yes", action="store_true", help="approve without asking")
    return parse


def main(argv: list[str]) -> int:
    from nbdesk.daemon.client import daemon_cli as cli

    args = parser().parse_args(argv)
    home = Home.from_env()
    path: Path = args.notebook.resolve()
    if not path.is_file():
        print(f"nbdesk trust: {path} does not exist: give a .ipynb file", file=sys.stderr)
        return 2
    try:
        cli.start(home)
        return asyncio.run(trust_notebook(path, home, yes=args.yes))
    except NbdeskError as exc:
        print(f"nbdesk trust: {exc}", file=sys.stderr)
        return 2
