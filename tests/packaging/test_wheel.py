"""The wheel as a user installs it: one top-level package, `nbdesk`, with the built page
inside, next to PyPI's `python-daemon` (which owns the top-level name `daemon`)."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON_DAEMON = "python-daemon==3.1.2"

# Run inside the fresh venv: who is who, and the page served from the installed package.
PROBE = """
import asyncio, json, sys, urllib.request
from pathlib import Path
import daemon, nbdesk, nbdesk.daemon.server.daemon
from nbdesk.daemon.home.config import Home
from nbdesk.desktop.web_server import DEFAULT_WEB_DIR, ShellServer

async def fetch_page():
    server = ShellServer(Home(Path(sys.argv[1])))
    await server.start()
    try:
        def get(url):
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status, response.read().decode()
        page = await asyncio.to_thread(get, server.page_url())
        script = await asyncio.to_thread(get, f"{server.url}/app.js")
        return page, script[0], str(server.web_dir)
    finally:
        await server.close()

page, script_status, web_dir = asyncio.run(fetch_page())
print(json.dumps({
    "daemon": daemon.__file__, "daemon_context": hasattr(daemon, "DaemonContext"),
    "nbdesk": nbdesk.__file__, "web_dir": web_dir, "page_status": page[0],
    "page_has_app": "app.js" in page[1], "script_status": script_status,
}))
"""


def test_the_wheel_installs_beside_python_daemon_and_serves_the_page(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", wheels, ROOT],
        check=True,
        timeout=600,
    )
    [wheel] = wheels.glob("nbdesk-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {"nbdesk", "nbdesk-0.1.0.dist-info"}
    assert {"nbdesk/desktop/web/index.html", "nbdesk/desktop/web/app.js"} <= set(names)
    assert not [name for name in names if name.endswith(".map") or "interop-peer" in name]

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=120)
    [site] = (venv / "lib").glob("python3.*/site-packages")
    # nbdesk's dependencies come from this test's environment through a plain path line: a
    # path in a .pth file is not a site directory, so its own .pth files (this checkout's
    # editable nbdesk) are not run, and nbdesk can only come from the wheel.
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip = [
        venv / "bin" / "python",
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]
    subprocess.run([*pip, PYTHON_DAEMON], check=True, timeout=300)
    subprocess.run([*pip, "--no-deps", wheel], check=True, timeout=300)

    home = tmp_path / "home"
    probe = subprocess.run(
        [venv / "bin" / "python", "-c", PROBE, home],
        cwd=tmp_path,  # not the checkout: nothing may come from the source tree
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert probe.returncode == 0, probe.stderr
    found = json.loads(probe.stdout)
    assert found["daemon_context"] and found["daemon"].startswith(str(site)), found
    assert found["nbdesk"].startswith(str(site)), found
    assert found["web_dir"] == str(site / "nbdesk" / "desktop" / "web"), found
    assert found["page_status"] == 200 and found["page_has_app"], found
    assert found["script_status"] == 200, found

    usage = subprocess.run(
        [venv / "bin" / "nbdesk", "--help"], cwd=tmp_path, capture_output=True, text=True
    )
    assert usage.returncode == 0 and usage.stdout.startswith("usage: nbdesk"), usage
