"""The two apps the frontend benches compare, each serving one folder of notebooks: nbdesk
(a real daemon and the shell's own web server and relay, in a child process like the
desktop app's) and JupyterLab (the version pinned in pyproject [dev], on fresh settings,
workspace, config, data and runtime directories). Each yields the URL of its start page;
the benches add what to open. Not a benchmark itself: `python bench/_servers.py
--serve-shell HOME` is how the nbdesk side runs its shell server.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path

from _daemon import ROOT, BenchDaemon, spawn, stop_process

SELF = Path(__file__).resolve()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve_shell(home: str) -> None:
    """Child process: the shell's web server and relay for `home`, until SIGTERM."""
    from nbdesk.daemon.home.config import Home
    from nbdesk.desktop.web_server import ShellServer

    async def serve() -> None:
        server = ShellServer(Home(Path(home)), ROOT / "web" / "dist")
        await server.start()
        print(server.page_url(), flush=True)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        await server.close()

    asyncio.run(serve())


@contextlib.asynccontextmanager
async def nbdesk_server() -> AsyncIterator[str]:
    """A daemon and a shell server; yields the page URL (with its token) to add
    `&open=<path>` or `&join=<id>` to."""
    # Pools off: building environments at the daemon's start would compete with the page
    # for the two cores during the cold open, which is not what the benches compare.
    with BenchDaemon(NBDESK_POOL_UV="0", NBDESK_POOL_CONDA="0", NBDESK_HOT_KERNELS="0") as daemon:
        shell = spawn(str(SELF), "--serve-shell", str(daemon.root), env=daemon.env)
        try:
            assert shell.stdout is not None
            base = (await asyncio.to_thread(shell.stdout.readline)).decode().strip()
            if not base.startswith("http"):
                raise RuntimeError("the shell server did not start")
            yield base
        finally:
            stop_process(shell)


@contextlib.asynccontextmanager
async def jupyterlab_server(root_dir: Path) -> AsyncIterator[tuple[str, str]]:
    """`jupyter lab --no-browser` on `root_dir`; yields its base URL and token."""
    scratch = Path(tempfile.mkdtemp(prefix="jlab-"))
    dirs = {
        name: scratch / name for name in ("settings", "workspaces", "config", "data", "runtime")
    }
    for path in dirs.values():
        path.mkdir()
    # No news or update pop-ups in the way of the clicks.
    notification = dirs["settings"] / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}'
    )
    token = secrets.token_hex(16)
    port = free_port()
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
        "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]),
        "JUPYTER_CONFIG_DIR": str(dirs["config"]),
        "JUPYTER_DATA_DIR": str(dirs["data"]),
        "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "jupyter"),
            "lab",
            "--no-browser",
            f"--port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root_dir}",
            "--LabApp.news_url=",
            # jupyter refuses to run as root without it (containers, CI).
            *(["--allow-root"] if os.geteuid() == 0 else []),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        await wait_for_http(f"{base}/api/status?token={token}", server)
        yield base, token
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(10)
        shutil.rmtree(scratch, ignore_errors=True)


async def wait_for_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {proc.returncode}")
        with contextlib.suppress(OSError):
            await asyncio.to_thread(urllib.request.urlopen, url, timeout=2)
            return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"jupyter lab did not answer {url} within {timeout} s")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve-shell"] and len(sys.argv) == 3:
        serve_shell(sys.argv[2])
    else:
        sys.exit("usage: python bench/_servers.py --serve-shell HOME")
