"""`nbdesk run --server NAME`: a notebook executed on a kernel of a real `jupyter server`,
and each way the server can be wrong (unknown name, unreachable, refused token, no such
kernel) answered before anything runs, with what to do next."""

from __future__ import annotations

import subprocess
from pathlib import Path

import nbformat
import pytest
from conftest import DaemonProcess, nbdesk_cli
from jupyter_servers import JupyterServerProcess, free_port

from nbdesk.daemon.home import servers


@pytest.fixture(scope="module")
def lab(module_daemon: DaemonProcess, jupyter_server: JupyterServerProcess) -> JupyterServerProcess:
    """The suite's `jupyter server`, added as `lab` the way a user adds it."""
    servers.add(module_daemon.home, "lab", jupyter_server.url, jupyter_server.token)
    return jupyter_server


def notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    return path


def run_cli(daemon: DaemonProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return nbdesk_cli(daemon.env, "run", *args, timeout=180)


def test_run_on_a_servers_kernel(
    module_daemon: DaemonProcess, lab: JupyterServerProcess, tmp_path: Path
) -> None:
    source = notebook(
        tmp_path / "remote.ipynb",
        "import os\nprint(os.getcwd())",
        "x = 6 * 7\nx",
        "import ipywidgets\nipywidgets.IntSlider(3)",
    )
    target = tmp_path / "out.ipynb"
    kernels_before = {kernel["id"] for kernel in lab.kernels()}
    result = run_cli(module_daemon, str(source), "--server", "lab", "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert "on lab" in result.stderr  # "running remote.ipynb on Python 3 (ipykernel) on lab"
    nb = nbformat.read(target, as_version=4)
    nbformat.validate(nb)
    # the kernel ran in the server's folder, not the notebook's: it is the server's kernel
    assert nb.cells[0].outputs[0]["text"] == f"{lab.root / 'work'}\n"
    assert nb.cells[1].outputs[0]["data"]["text/plain"] == "42"
    assert "application/vnd.jupyter.widget-view+json" in nb.cells[2].outputs[0]["data"]
    assert nb.metadata["nbdesk"]["server"] == "lab"  # the name only
    assert lab.url not in target.read_text() and lab.token not in target.read_text()
    # the run's kernel is shut down on the server when the run ends
    assert {kernel["id"] for kernel in lab.kernels()} <= kernels_before


def test_run_with_a_kernel_the_server_has(
    module_daemon: DaemonProcess, lab: JupyterServerProcess, tmp_path: Path
) -> None:
    source = notebook(tmp_path / "named.ipynb", "print('hi')")
    nb = nbformat.read(source, as_version=4)
    nb.metadata["kernelspec"]["name"] = "not-on-the-server"  # --kernel wins over this
    source.write_text(nbformat.writes(nb), encoding="utf-8")
    result = run_cli(module_daemon, str(source), "--server", "lab", "--kernel", "python3")
    assert result.returncode == 0, result.stderr
    assert nbformat.read(source, as_version=4).cells[0].outputs[0]["text"] == "hi\n"


def test_a_kernel_the_server_does_not_have(
    module_daemon: DaemonProcess, lab: JupyterServerProcess, tmp_path: Path
) -> None:
    source = notebook(tmp_path / "k.ipynb", "print('never')")
    before = source.read_bytes()
    result = run_cli(module_daemon, str(source), "--server", "lab", "--kernel", "no-such-kernel")
    assert result.returncode == 2
    assert "the Jupyter server lab has no kernel named 'no-such-kernel'" in result.stderr
    assert "python3" in result.stderr  # the ones it has
    assert source.read_bytes() == before


def test_an_unknown_server_name(
    module_daemon: DaemonProcess, lab: JupyterServerProcess, tmp_path: Path
) -> None:
    source = notebook(tmp_path / "u.ipynb", "print('never')")
    result = run_cli(module_daemon, str(source), "--server", "nowhere")
    assert result.returncode == 2
    assert "no Jupyter server named 'nowhere' is set up here (known: lab" in result.stderr
    assert "nbdesk server add nowhere URL" in result.stderr


def test_an_unreachable_server(module_daemon: DaemonProcess, tmp_path: Path) -> None:
    servers.add(module_daemon.home, "down", f"http://127.0.0.1:{free_port()}", "t")
    source = notebook(tmp_path / "d.ipynb", "print('never')")
    before = source.read_bytes()
    result = run_cli(module_daemon, str(source), "--server", "down")
    assert result.returncode == 2
    assert "the Jupyter server down" in result.stderr and "is unreachable" in result.stderr
    assert "Check that it runs" in result.stderr
    assert source.read_bytes() == before


def test_a_refused_token(
    module_daemon: DaemonProcess, lab: JupyterServerProcess, tmp_path: Path
) -> None:
    servers.add(module_daemon.home, "wrong", lab.url, "not-the-token")
    source = notebook(tmp_path / "t.ipynb", "print('never')")
    result = run_cli(module_daemon, str(source), "--server", "wrong")
    assert result.returncode == 2
    assert "the Jupyter server wrong" in result.stderr and "refused nbdesk's token" in result.stderr
    assert f"nbdesk server add wrong {lab.url}" in result.stderr
