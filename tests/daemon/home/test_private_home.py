"""The home is private to its user on a shared machine: another Unix user cannot list or
read docs/, blobs/ or logs/, whatever the umask the daemon started under, and a home an
older nbdesk left readable is tightened when the daemon starts."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import DaemonProcess

import nbdesk

OTHER_USER = "nbdesk-other"
PRIVATE_PARTS = ("docs", "blobs", "logs")


@pytest.fixture(scope="module")
def other_user() -> str:
    """A second Unix user (created when missing: the tests run as root)."""
    if os.geteuid() != 0:
        pytest.fail("these tests create and switch to a second user: run them as root")
    if subprocess.run(["id", OTHER_USER], capture_output=True).returncode != 0:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", OTHER_USER],
            check=True,
        )
    return OTHER_USER


def as_other(user: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """`argv` run as `user`, with that user's own groups (not root's)."""
    return subprocess.run(
        ["runuser", "-u", user, "--", *argv], capture_output=True, text=True, errors="replace"
    )


@pytest.fixture
def open_parent(other_user: str) -> Iterator[Path]:
    """A folder every user may enter (like a Debian home, 0755): only the home's own
    permissions can keep the other user out of what is inside it."""
    parent = Path(tempfile.mkdtemp(prefix="nbd-"))
    parent.chmod(0o755)
    control = parent / "readable.txt"
    control.write_text("anyone\n")
    control.chmod(0o644)
    # The control: the other user can read here at all, so a refusal below is the home's.
    assert as_other(other_user, "cat", str(control)).stdout == "anyone\n"
    yield parent
    shutil.rmtree(parent, ignore_errors=True)


def start_daemon(home: Path, umask: int) -> DaemonProcess:
    previous = os.umask(umask)  # the daemon inherits it
    try:
        return DaemonProcess(home).start()
    finally:
        os.umask(previous)


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]


def assert_private(home: Path, user: str) -> None:
    for part in PRIVATE_PARTS:
        folder = home / part
        inside = files_under(folder)
        assert inside, f"{part}/ holds no file to try"
        listing = as_other(user, "ls", str(folder))
        assert listing.returncode != 0 and "Permission denied" in listing.stderr, listing
        for path in inside:
            read = as_other(user, "cat", str(path))
            assert read.returncode != 0 and "Permission denied" in read.stderr, (path, read)
    for path in (home, *home.rglob("*")):
        if path.is_symlink() or not (path.is_dir() or path.is_file()):
            continue  # a socket's mode does not matter: only its folder's does
        mode = stat.S_IMODE(path.lstat().st_mode)
        assert mode & 0o077 == 0, f"{path} is {mode:o}"
        if path.is_dir():
            # (jupyter_client sets the sticky bit on a kernel runtime folder)
            assert mode & 0o777 == 0o700, f"{path} is {mode:o}"


async def fill(daemon: DaemonProcess, folder: Path) -> None:
    """A saved notebook with an output: a document in docs/, a blob in blobs/, log lines."""
    path = folder / "secret.ipynb"
    async with nbdesk.create(folder=str(folder), home=daemon.home) as nb:
        result = await nb.run("print('the secret output ' * 20)")
        assert result.ok
        await nb.save(path)
    assert "the secret output" in path.read_text()


async def test_a_new_home_is_private_under_an_open_umask(
    open_parent: Path, other_user: str
) -> None:
    home = open_parent / "home"
    daemon = start_daemon(home, umask=0o000)
    try:
        await fill(daemon, open_parent)
        assert_private(home, other_user)
    finally:
        daemon.stop()
    # What the next start finds is still private (nothing is loosened on the way out).
    assert_private(home, other_user)


async def test_an_existing_readable_home_is_tightened_on_start(
    open_parent: Path, other_user: str
) -> None:
    home = open_parent / "home"
    daemon = start_daemon(home, umask=0o022)
    try:
        await fill(daemon, open_parent)
    finally:
        daemon.stop()
    # As an older nbdesk left it: everything readable by everyone.
    for path in (home, *home.rglob("*")):
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)
    (home / ".private").unlink()
    assert as_other(other_user, "cat", str(files_under(home / "docs")[0])).returncode == 0

    daemon = start_daemon(home, umask=0o022)
    try:
        assert_private(home, other_user)
    finally:
        daemon.stop()


async def test_a_users_notebook_keeps_its_own_permissions(
    daemon: DaemonProcess, tmp_path: Path
) -> None:
    """Only the home is private: saving a notebook leaves the permissions its owner chose."""
    path = tmp_path / "shared.ipynb"
    async with nbdesk.create(home=daemon.home) as nb:
        await nb.save(path)
    path.chmod(0o664)
    async with nbdesk.open(path, home=daemon.home) as nb:
        nb.add_cell("x = 1")
        await nb.save()
    assert "x = 1" in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o664
