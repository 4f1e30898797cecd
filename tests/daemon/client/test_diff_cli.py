"""`nbdesk diff` as a user runs it, and as git runs it (`git difftool --tool=nbdesk`):
cell-aware output, outputs summarised (images by size and hash), no colour off a
terminal, and a clear error with a non-zero exit for input that is not a notebook."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[3]
PNG_A = b"\x89PNG\r\n\x1a\n" + b"a" * 100
PNG_B = b"\x89PNG\r\n\x1a\n" + b"b" * 120


def nbdesk(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "nbdesk", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
    )


def before_and_after(folder: Path) -> tuple[Path, Path]:
    old = nbformat.v4.new_notebook()
    old.cells = [
        nbformat.v4.new_markdown_cell("# Analysis"),
        nbformat.v4.new_code_cell(
            "x = 1\nprint(x)\n",
            outputs=[nbformat.v4.new_output("stream", name="stdout", text="1\n")],
        ),
        nbformat.v4.new_code_cell("scratch()"),
        nbformat.v4.new_code_cell(
            "plot()",
            outputs=[
                nbformat.v4.new_output(
                    "display_data", data={"image/png": base64.b64encode(PNG_A).decode()}
                )
            ],
        ),
    ]
    new = nbformat.reads(nbformat.writes(old), as_version=4)
    new.cells[1].source = "x = 2\nprint(x)\n"
    new.cells[1].outputs[0].text = "2\n"
    new.cells[3].outputs[0].data["image/png"] = base64.b64encode(PNG_B).decode()
    new.cells[0].metadata["tags"] = ["intro"]
    del new.cells[2]
    new.cells.append(nbformat.v4.new_code_cell("summary()"))
    a, b = folder / "old.ipynb", folder / "new.ipynb"
    nbformat.write(old, a)
    nbformat.write(new, b)
    return a, b


def check_cell_aware(text: str) -> None:
    assert "## cell 2 [code] modified" in text
    assert "  - x = 1" in text and "  + x = 2" in text and "    print(x)" in text
    assert "- [stdout] 1" in text and "+ [stdout] 2" in text
    assert f"image/png {len(PNG_A)} bytes sha256 {hashlib.sha256(PNG_A).hexdigest()[:16]}" in text
    assert f"image/png {len(PNG_B)} bytes sha256 {hashlib.sha256(PNG_B).hexdigest()[:16]}" in text
    assert "[code] removed" in text and "  - scratch()" in text
    assert "[code] added" in text and "  + summary()" in text
    assert "metadata changed: tags" in text
    assert "\x1b[" not in text  # not a terminal: no colour


def test_two_files_diff_cell_by_cell(tmp_path: Path) -> None:
    a, b = before_and_after(tmp_path)
    result = nbdesk("diff", str(a), str(b))
    assert result.returncode == 1, result.stderr
    check_cell_aware(result.stdout)
    assert result.stdout.rstrip().endswith("5 cells: 1 added, 1 removed, 3 modified")
    same = nbdesk("diff", str(a), str(a))
    assert same.returncode == 0 and "4 cells: 4 unchanged" in same.stdout
    coloured = nbdesk("diff", "--color=always", str(a), str(b))
    assert "\x1b[32m  + x = 2\x1b[0m" in coloured.stdout


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such file"),
        (b'{"cells": [', "not valid JSON"),
        (b'{"hello": "world"}', "not a Jupyter notebook"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
    ],
)
def test_bad_input_is_named_with_a_non_zero_exit(
    tmp_path: Path, content: bytes | None, expected: str
) -> None:
    a, _ = before_and_after(tmp_path)
    bad = tmp_path / "bad.ipynb"
    if content is not None:
        bad.write_bytes(content)
    result = nbdesk("diff", str(a), str(bad))
    assert result.returncode == 2
    assert result.stderr.startswith(f"nbdesk diff: {bad}") and expected in result.stderr
    assert result.stdout == ""


def test_git_difftool_shows_the_cell_aware_diff(tmp_path: Path) -> None:
    git = shutil.which("git")
    assert git is not None, "git is needed for the difftool test"
    repo = tmp_path / "repo"
    repo.mkdir()
    a, b = before_and_after(tmp_path)

    def run_git(*args: str) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"),
            "GIT_CONFIG_NOSYSTEM": "1",
        }
        return subprocess.run(
            [git, *args], cwd=repo, capture_output=True, text=True, env=env, timeout=120, check=True
        )

    run_git("init", "-q")
    run_git("config", "user.email", "t@example.com")
    run_git("config", "user.name", "Test")
    # the README's lines, with this interpreter standing in for the installed `nbdesk`
    command = f'{sys.executable} -m nbdesk diff "$LOCAL" "$REMOTE"'
    run_git("config", "difftool.nbdesk.cmd", command)
    shutil.copy(a, repo / "analysis.ipynb")
    run_git("add", "analysis.ipynb")
    run_git("commit", "-qm", "first")
    shutil.copy(b, repo / "analysis.ipynb")
    result = run_git("difftool", "--tool=nbdesk", "--no-prompt", "HEAD", "--", "analysis.ipynb")
    check_cell_aware(result.stdout)
