"""A home deeper than a Unix socket address allows (107 bytes) still works: the daemon's
socket and every kernel's IPC sockets move to a short private folder named from the
home, which the daemon, the app and clients all find; one planted there is refused."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import DaemonProcess

import nbdesk
from nbdesk.daemon.client.control_client import ControlClient
from nbdesk.daemon.home.config import Home
from nbdesk.daemon.home.runtime import SOCKET_PATH_MAX, RuntimeDirError


@pytest.fixture
def deep_home() -> Iterator[Path]:
    top = Path(tempfile.mkdtemp(prefix="nbd-"))
    home = top / ("a-rather-long-folder-name-" * 3) / ("and-another-one-below-it-" * 3) / "home"
    assert len(os.fsencode(home / "run" / "daemon.sock")) > SOCKET_PATH_MAX
    yield home
    shutil.rmtree(top, ignore_errors=True)
    shutil.rmtree(Home(home).run_dir, ignore_errors=True)


@pytest.fixture(params=["tmp", "xdg"])
def runtime_env(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """Without XDG_RUNTIME_DIR (root in a container) and with one (a desktop session)."""
    if request.param == "tmp":
        yield {"XDG_RUNTIME_DIR": ""}
        return
    xdg = Path(tempfile.mkdtemp(prefix="xdg-"))
    yield {"XDG_RUNTIME_DIR": str(xdg)}
    shutil.rmtree(xdg, ignore_errors=True)


async def test_a_deep_home_runs_the_daemon_and_kernels(
    deep_home: Path, runtime_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in runtime_env.items():
        monkeypatch.setenv(name, value)  # the client computes the same folder
    daemon = DaemonProcess(deep_home, **runtime_env).start()
    try:
        run_dir = daemon.home.run_dir
        assert not run_dir.is_relative_to(deep_home)
        if runtime_env["XDG_RUNTIME_DIR"]:
            assert run_dir.parent == Path(runtime_env["XDG_RUNTIME_DIR"])
        info = run_dir.stat()
        assert stat.S_IMODE(info.st_mode) == 0o700 and info.st_uid == os.getuid()
        assert stat.S_ISSOCK(daemon.home.socket.stat().st_mode)
        async with nbdesk.create(home=daemon.home) as nb:
            result = await nb.run("import os; 6 * 7")
            assert result.ok and result.outputs[0].data["text/plain"] == "42"
        sockets = [p for p in daemon.home.kernel_dir.iterdir() if p.is_socket()]
        assert sockets, "the kernel's IPC sockets are in the short folder"
        assert all(len(os.fsencode(p)) <= SOCKET_PATH_MAX for p in sockets)
        async with await ControlClient.connect(daemon.home) as control:
            assert (await control.status()).home == str(deep_home)
    finally:
        daemon.stop()
    assert not daemon.home.socket.exists()


def test_a_planted_run_folder_is_refused(
    deep_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", "")
    elsewhere = tmp_path / "someone-elses"
    elsewhere.mkdir(mode=0o700)
    run_dir = Home(deep_home).run_dir
    run_dir.symlink_to(elsewhere)
    started = subprocess.run(
        [sys.executable, "-m", "nbdesk.daemon", "--quiet"],
        env={**os.environ, "NBDESK_HOME": str(deep_home)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 1
    assert "is not a folder of this user" in started.stderr and "NBDESK_HOME" in started.stderr
    assert not any(elsewhere.iterdir()), "nothing was created through the link"
    with pytest.raises(RuntimeDirError):
        Home(deep_home).checked_socket()
    run_dir.unlink()
