"""`nbdesk` where no window can open or the words are wrong: no display gives a message
naming the headless commands (never a Qt abort), a mistyped subcommand gets the one
meant, and a path that does not exist is offered as a new notebook."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import DaemonProcess
from desktop_app import ROOT, App, display, needs_desktop, wait_until

from nbdesk.desktop.display import display_problem

__all__ = ["display"]  # a fixture


def nbdesk(*argv: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    return subprocess.run(
        [sys.executable, "-m", "nbdesk.cli", *argv],
        cwd=ROOT,
        env={**clean, "NBDESK_HOME": str(home), **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


def unused_display() -> str:
    number = next(n for n in range(200, 300) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    return f":{number}"


@pytest.fixture
def notebook(tmp_path: Path) -> Path:
    path = tmp_path / "here.ipynb"
    path.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n')
    return path


@pytest.mark.parametrize("display_env", [{}, {"DISPLAY": "unused"}])
def test_no_display_names_the_headless_commands(
    tmp_path: Path, notebook: Path, display_env: dict[str, str]
) -> None:
    env = {k: unused_display() if v == "unused" else v for k, v in display_env.items()}
    home = tmp_path / "home"
    result = nbdesk(str(notebook), home=home, **env)
    assert result.returncode == 1, result
    expected = "cannot connect to the display (DISPLAY=:" if env else "no display found"
    assert expected in result.stderr
    assert "nbdesk run NOTEBOOK" in result.stderr and "nbdesk daemon" in result.stderr
    assert "Aborted" not in result.stderr and "qt.qpa" not in result.stderr
    assert not home.exists(), "nothing starts when no window can open"


@needs_desktop
def test_a_running_x_server_is_a_display(display: str) -> None:
    assert display_problem({"DISPLAY": display}) is None
    assert display_problem({"DISPLAY": display, "WAYLAND_DISPLAY": "no-such-wayland"}) is None


@pytest.mark.parametrize(
    ("argv", "meant"),
    [
        (["rnu", "a.ipynb"], "nbdesk run"),
        (["exprot", "x.ipynb"], "nbdesk export"),
        (["deamon"], "nbdesk daemon"),
        (["daemon", "stauts"], "nbdesk daemon status"),
    ],
)
def test_a_mistyped_command_suggests_the_one_meant(
    tmp_path: Path, argv: list[str], meant: str
) -> None:
    home = tmp_path / "home"
    result = nbdesk(*argv, home=home)
    assert result.returncode == 2, result
    assert f"Did you mean `{meant}`?" in result.stderr
    assert not home.exists(), "a typo starts nothing"


def test_a_word_that_is_no_command_and_no_file_is_refused(tmp_path: Path) -> None:
    result = nbdesk("frobnicate", home=tmp_path / "home")
    assert result.returncode == 2
    assert (
        "'frobnicate' is neither a command (daemon, run, export, mcp, server, diff, kernel) nor a file here"
        in result.stderr
    )


def test_a_missing_path_names_the_command_that_creates_it(tmp_path: Path) -> None:
    missing = tmp_path / "new.ipynb"
    result = nbdesk(str(missing), home=tmp_path / "home")
    assert result.returncode == 2
    assert (
        f"{missing} does not exist. To start a new notebook there: nbdesk --create {missing}"
        in (result.stderr)
    )
    assert not missing.exists()
    nowhere = tmp_path / "nowhere" / "new.ipynb"
    result = nbdesk("--create", str(nowhere), home=tmp_path / "home")
    assert result.returncode == 2 and f"nor does its folder {nowhere.parent}" in result.stderr


class Terminal:
    """`nbdesk` on a pseudo-terminal, as a user at a shell runs it."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "nbdesk.cli", *argv],
            cwd=ROOT,
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
        )
        os.close(slave)
        self.seen = ""

    async def expect(self, text: str, timeout: float = 30) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while text not in self.seen:
            assert loop.time() < deadline, f"no {text!r} in {self.seen!r}"
            chunk = await asyncio.wait_for(
                loop.run_in_executor(None, os.read, self.master, 4096), deadline - loop.time()
            )
            self.seen += chunk.decode(errors="replace")

    def answer(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\n")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(15)
        os.close(self.master)


async def test_declining_on_a_terminal_opens_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "new.ipynb"
    terminal = Terminal([str(missing)], {**os.environ, "NBDESK_HOME": str(tmp_path / "home")})
    try:
        await terminal.expect(f"{missing} does not exist. Start a new notebook there? [y/N]")
        terminal.answer("n")
        await terminal.expect("nothing was opened")
        assert await asyncio.to_thread(terminal.proc.wait, 15) == 2
    finally:
        terminal.close()
    assert not missing.exists()


@needs_desktop
async def test_accepting_on_a_terminal_opens_a_new_notebook_there(
    daemon: DaemonProcess, display: str, tmp_path: Path
) -> None:
    missing = tmp_path / "fresh.ipynb"
    app = App(daemon, display)
    terminal = Terminal([str(missing)], app.env)
    app.proc = terminal.proc
    try:
        await terminal.expect("Start a new notebook there? [y/N]")
        terminal.answer("y")
        await wait_until(lambda: "fresh.ipynb" in app.window_names(), timeout=60)
        opened = nbformat.read(missing, as_version=4)
        nbformat.validate(opened)
        assert [cell.cell_type for cell in opened.cells] == ["code"]
    finally:
        app.stop()
        terminal.close()
