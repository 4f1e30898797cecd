"""What `nbdesk [--create] [PATH...]` asks for, checked before any window or Qt exists.

A path that does not exist is not handed to the daemon (which would refuse it only once
a window is up): on a terminal the user is asked whether to start a new notebook there,
anywhere else the message names the command that would. Mistyped subcommands are
`nbdesk.cli`'s business; whether a display exists is `display`'s.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CREATE_FLAG = "--create"


class LaunchError(Exception):
    """A command line that cannot open its windows; the message says what to do."""


@dataclass
class LaunchPlan:
    paths: list[Path]
    to_create: list[Path] = field(default_factory=list)


def ask_on_terminal(question: str) -> bool | None:
    """The user's yes or no, or None when nobody is at a terminal to answer."""
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        return None
    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def plan(argv: list[str], ask: Callable[[str], bool | None] = ask_on_terminal) -> LaunchPlan:
    create = CREATE_FLAG in argv
    paths = [Path(arg).expanduser().resolve() for arg in argv if arg != CREATE_FLAG]
    to_create = []
    for path in paths:
        if path.exists():
            continue
        if not path.parent.is_dir():
            raise LaunchError(f"{path} does not exist, nor does its folder {path.parent}")
        if path.suffix != ".ipynb":
            raise LaunchError(
                f"{path} does not exist; a notebook's name ends in .ipynb: "
                f"nbdesk {CREATE_FLAG} {path}.ipynb starts a new one"
            )
        if not create:
            answer = ask(f"nbdesk: {path} does not exist. Start a new notebook there?")
            if answer is None:
                raise LaunchError(
                    f"{path} does not exist. To start a new notebook there: "
                    f"nbdesk {CREATE_FLAG} {path}"
                )
            if not answer:
                raise LaunchError(f"{path} does not exist; nothing was opened")
        to_create.append(path)
    return LaunchPlan(paths, to_create)


def empty_notebook() -> bytes:
    """An nbformat 4.5 notebook with one empty code cell (what a new notebook starts as),
    written without nbformat: the window path does not import it."""
    cell: dict[str, object] = {
        "cell_type": "code",
        "execution_count": None,
        "id": uuid.uuid4().hex[:8],
        "metadata": {},
        "outputs": [],
        "source": [],
    }
    body = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return (json.dumps(body, indent=1) + "\n").encode()


def create_notebook(path: Path) -> None:
    """Write a new notebook at `path`; never over a file that appeared meanwhile."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        return
    except OSError as exc:
        raise LaunchError(f"cannot create {path}: {exc.strerror}") from exc
    with os.fdopen(fd, "wb") as out:
        out.write(empty_notebook())
