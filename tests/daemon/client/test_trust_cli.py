"""`nbdesk trust` and `nbdesk run` on notebooks that list packages, as a user types them,
against a real daemon and real uv builds (small packages, through uv's cache)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import nbformat
import pytest
from conftest import DaemonProcess, nbdesk_cli

pytestmark = pytest.mark.timeout(600)


def notebook(path: Path, deps: list[str], source: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(source))
    nb.metadata["nbdesk"] = {"uv": {"dependencies": deps}}
    nbformat.write(nb, path)
    return path


def nbdesk(daemon: DaemonProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return nbdesk_cli(daemon.env, *args)


def deps_envs(daemon: DaemonProcess) -> list[str]:
    return sorted(path.name for path in daemon.home.envs.glob("nbdesk-deps-*"))


# the notebook's dependency environment (its kernel runs on a private layer over it)
IN_ITS_ENV = "import tabulate; print('/nbdesk-deps-' in tabulate.__file__, tabulate.__file__)"


def printed(path: Path) -> str:
    cell = nbformat.read(path, as_version=4).cells[0]
    return "".join(output.get("text", "") for output in cell.outputs)


def test_run_refuses_unapproved_packages_and_trust_approves_them(
    daemon: DaemonProcess, tmp_path: Path
) -> None:
    mailed = notebook(tmp_path / "mailed.ipynb", ["tabulate"], IN_ITS_ENV)
    before = mailed.read_bytes()
    out = tmp_path / "out.ipynb"

    refused = nbdesk(daemon, "run", str(mailed), "-o", str(out))
    assert refused.returncode == 3, refused.stderr
    assert f"nbdesk trust {mailed}" in refused.stderr and "tabulate" in refused.stderr
    assert "--trust" in refused.stderr
    assert not out.exists() and mailed.read_bytes() == before
    assert deps_envs(daemon) == []

    # Without a terminal to ask on, `nbdesk trust` wants --yes and changes nothing.
    asked = nbdesk(daemon, "trust", str(mailed))
    assert asked.returncode == 1 and "--yes" in asked.stderr
    assert "tabulate" in asked.stdout, "the list is shown first"
    assert mailed.read_bytes() == before

    # --trust approves for the run: the package is installed in the notebook's own env.
    ran = nbdesk(daemon, "run", str(mailed), "-o", str(out), "--trust")
    assert ran.returncode == 0, ran.stderr
    assert printed(out).startswith("True ") and "nbdesk-deps-" in printed(out)
    assert len(deps_envs(daemon)) == 1


def test_trust_signs_the_file_then_run_runs_it(daemon: DaemonProcess, tmp_path: Path) -> None:
    path = notebook(tmp_path / "report.ipynb", ["tabulate", "reqeusts"], "1")
    shown = nbdesk(daemon, "trust", str(path), "--yes")
    assert shown.returncode == 0, shown.stderr
    assert "tabulate" in shown.stdout and "reqeusts" in shown.stdout
    assert "! reqeusts is one letter away from the popular package requests" in shown.stdout
    signature = nbformat.read(path, as_version=4).metadata["nbdesk"]["trust"]["signature"]
    assert len(signature) == 64

    again = nbdesk(daemon, "trust", str(path))
    assert again.returncode == 0 and "already approved" in again.stderr


def test_bad_input_to_trust_and_run(daemon: DaemonProcess, tmp_path: Path) -> None:
    bad = notebook(tmp_path / "bad.ipynb", ["six", "--index-url https://evil.example"], "1")
    for args in (["run", str(bad)], ["trust", str(bad), "--yes"]):
        result = nbdesk(daemon, *args)
        assert result.returncode == 2, result.stderr
        assert "installer option" in result.stderr
    missing = nbdesk(daemon, "trust", str(tmp_path / "nowhere.ipynb"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    assert deps_envs(daemon) == []
