"""What the frozen app relies on, checked quickly from the source tree: the `nbdesk daemon
serve` and `nbdesk kernel` subcommands (the frozen executable runs its daemon and kernels
through them; tests/test_installer.py checks the frozen build itself) and the committed
icons being what packaging/make_icons.py renders from icons/nbdesk.svg."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from jupyter_client import BlockingKernelClient
from jupyter_client.connect import write_connection_file

from nbdesk.daemon.client.daemon_cli import wait_until_serving
from nbdesk.daemon.home.config import Home

ROOT = Path(__file__).resolve().parents[2]


def test_nbdesk_daemon_serve_is_the_daemon(tmp_path: Path) -> None:
    env = {**os.environ, "NBDESK_HOME": str(tmp_path / "home")}
    daemon = subprocess.Popen(
        [sys.executable, "-m", "nbdesk.cli", "daemon", "serve", "--quiet"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_serving(Home(tmp_path / "home"), daemon)
        status = subprocess.run(
            [sys.executable, "-m", "nbdesk.cli", "daemon", "status", "--json"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert f'"pid": {daemon.pid}' in status.stdout
        subprocess.run(
            [sys.executable, "-m", "nbdesk.cli", "daemon", "stop"],
            cwd=ROOT,
            env=env,
            timeout=60,
            check=True,
        )
        assert daemon.wait(30) == 0
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait(10)


def test_nbdesk_kernel_runs_an_ipykernel(tmp_path: Path) -> None:
    connection_file, _ = write_connection_file(
        str(tmp_path / "kernel.json"), transport="ipc", ip=str(tmp_path / "k")
    )
    kernel = subprocess.Popen(
        [sys.executable, "-m", "nbdesk.cli", "kernel", "-f", connection_file],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = BlockingKernelClient(connection_file=connection_file)
    client.load_connection_file()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        printed: list[str] = []

        def collect(message: dict) -> None:
            if message["msg_type"] == "stream":
                printed.append(message["content"]["text"])

        reply = client.execute_interactive("print(6 * 7)", timeout=30, output_hook=collect)
        assert reply["content"]["status"] == "ok"
        assert printed == ["42\n"]
    finally:
        client.shutdown()
        client.stop_channels()
        try:
            kernel.wait(15)
        except subprocess.TimeoutExpired:
            kernel.kill()
            kernel.wait(5)


def test_the_committed_icons_are_rendered_from_the_svg(tmp_path: Path) -> None:
    from PIL import Image, ImageChops

    rendered = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "make_icons.py"), str(tmp_path)],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.split()
    assert "nbdesk.ico" in rendered and "nbdesk.icns" in rendered
    for name in rendered:
        committed = ROOT / "icons" / name
        assert committed.exists(), f"icons/{name} is missing: run `make icons`"
        with Image.open(committed) as old, Image.open(tmp_path / name) as new:
            assert old.size == new.size, name
            diff = ImageChops.difference(old.convert("RGBA"), new.convert("RGBA"))
            assert diff.getbbox() is None, f"icons/{name} is stale: run `make icons`"
    with Image.open(ROOT / "icons" / "nbdesk.ico") as ico:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
