"""Where a notebook's kernel runs, on real daemons with real kernels: kernelspecs named by
the notebook or picked by the user, a project's `.venv` beside the notebook, the default;
and each way that goes wrong (a kernelspec not installed, a missing program, a kernel
that dies while starting or never answers, an environment without ipykernel)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import DaemonFactory

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.envs.env import uv_binary
from nbdesk.daemon.wire.errors import NbdeskError

pytestmark = pytest.mark.timeout(180)


def install_kernelspec(root: Path, name: str, argv: list[str], display: str, language: str) -> None:
    folder = root / "kernels" / name
    folder.mkdir(parents=True)
    spec = {"argv": argv, "display_name": display, "language": language}
    (folder / "kernel.json").write_text(json.dumps(spec))


def ipykernel_argv(python: str = sys.executable) -> list[str]:
    return [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"]


@pytest.fixture
def jupyter_path(tmp_path: Path) -> Path:
    """A kernelspec folder only the test's daemon looks in (JUPYTER_PATH)."""
    root = tmp_path / "jupyter"
    install_kernelspec(root, "alt", ipykernel_argv(), "Alt Python", "python")
    install_kernelspec(
        root, "nothere", ["/nonexistent/kernel", "{connection_file}"], "Gone", "fortran"
    )
    install_kernelspec(
        root, "dies", [sys.executable, "-c", "import sys; sys.exit(3)"], "Dies", "python"
    )
    install_kernelspec(
        root, "mute", [sys.executable, "-c", "import time; time.sleep(600)"], "Mute", "python"
    )
    return root


def write_notebook(path: Path, kernelspec: dict[str, str] | None = None) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("1 + 1"))
    if kernelspec is not None:
        nb.metadata["kernelspec"] = kernelspec
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


async def location(client: NotebookClient, phase: str) -> dict[str, Any]:
    """The next kernel_location broadcast in `phase` (earlier phases are passed over)."""
    while True:
        event = await client.next_broadcast("kernel_location", timeout=120)
        if event["phase"] == phase:
            return event


async def run_print(client: NotebookClient, code: str) -> str:
    result = await client.run(code, timeout=60)
    assert result.status == "ok", result
    return "".join(o.get("text", "") for o in result.outputs).strip()


async def test_a_kernelspec_the_notebook_names_runs_it(
    daemon_factory: DaemonFactory, jupyter_path: Path, tmp_path: Path
) -> None:
    daemon = daemon_factory(JUPYTER_PATH=str(jupyter_path))
    path = write_notebook(tmp_path / "nb" / "a.ipynb", {"name": "alt", "display_name": "x"})
    async with NotebookClient.open(path, daemon.home) as client:
        result = await client.launch_kernel()
        assert result.display_name == "Alt Python"
        ready = await location(client, "ready")
        assert ready["source"] == "kernelspec" and ready["kernelspec"] == "alt"
        assert await run_print(client, "import os; print(os.getcwd())") == str(path.parent)


async def test_a_kernelspec_not_installed_is_reported_and_the_metadata_kept(
    daemon_factory: DaemonFactory, jupyter_path: Path, tmp_path: Path
) -> None:
    daemon = daemon_factory(JUPYTER_PATH=str(jupyter_path))
    spec = {"name": "ir-not-here", "display_name": "R", "language": "R"}
    path = write_notebook(tmp_path / "b.ipynb", spec)
    async with NotebookClient.open(path, daemon.home) as client:
        with pytest.raises(NbdeskError, match=r"ir-not-here.*not installed") as caught:
            await client.launch_kernel()
        assert caught.value.code == "no_such_kernelspec"
        failed = await location(client, "error")
        assert failed["missing_kernelspec"] == "ir-not-here"
        assert json.loads(await client.get_raw_metadata("kernelspec") or "{}") == spec
        names = {choice.name for choice in await client.list_kernels()}
        assert {"alt", ""} <= names  # the picker is offered instead


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("nothere", "'/nonexistent/kernel' was not found"),
        ("dies", "exited while starting"),
        ("mute", "did not answer within 3 s"),
    ],
)
async def test_a_kernel_that_cannot_start_says_why(
    daemon_factory: DaemonFactory, jupyter_path: Path, name: str, message: str
) -> None:
    daemon = daemon_factory(JUPYTER_PATH=str(jupyter_path), NBDESK_KERNEL_READY_TIMEOUT="3")
    async with NotebookClient.create(daemon.home, launch=False) as client:
        with pytest.raises(NbdeskError, match=message):
            await client.launch_kernel(kernelspec=name)
        assert (await location(client, "error"))["reason"]
        # the daemon goes on: the same notebook still gets a kernel
        await client.launch_kernel(kernelspec="alt")
        assert await run_print(client, "print(6 * 7)") == "42"


async def test_an_untitled_notebook_in_a_folder_runs_there(
    daemon_factory: DaemonFactory, tmp_path: Path
) -> None:
    daemon = daemon_factory()
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "data.csv").write_text("a,b\n1,2\n")
    async with NotebookClient.create(daemon.home, folder=folder) as client:
        assert await run_print(client, "print(open('data.csv').read().split()[1])") == "1,2"
    with pytest.raises(NbdeskError, match="does not exist"):
        await NotebookClient.create(daemon.home, folder=tmp_path / "missing")


def make_venv(path: Path, *packages: str) -> str:
    uv = uv_binary()
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(path)], check=True)
    python = str(path / "bin" / "python")
    if packages:
        subprocess.run([uv, "pip", "install", "--quiet", "--python", python, *packages], check=True)
    return python


async def test_a_project_venv_beside_the_notebook_runs_its_kernel(
    daemon_factory: DaemonFactory, tmp_path: Path
) -> None:
    project = tmp_path / "proj"
    python = make_venv(project / ".venv", "ipykernel", "six")
    (project / ".git").mkdir()
    path = write_notebook(project / "notebooks" / "a.ipynb")
    daemon = daemon_factory()
    async with NotebookClient.open(path, daemon.home) as client:
        await client.launch_kernel()
        ready = await location(client, "ready")
        assert ready["source"] == "project" and ready["python"] == python
        assert await run_print(client, "import six, sys; print(sys.prefix)") == str(
            project / ".venv"
        )
        await client.restart()  # restarts stay in the project
        assert await run_print(client, "import sys; print(sys.prefix)") == str(project / ".venv")


async def test_an_environment_without_ipykernel_is_changed_only_with_consent(
    daemon_factory: DaemonFactory, tmp_path: Path
) -> None:
    project = tmp_path / "bare"
    python = make_venv(project / ".venv")
    path = write_notebook(project / "a.ipynb")
    daemon = daemon_factory()
    async with NotebookClient.open(path, daemon.home) as client:
        with pytest.raises(NbdeskError, match="has no ipykernel") as caught:
            await client.launch_kernel()
        assert caught.value.code == "no_ipykernel"
        assert (await location(client, "error"))["needs_ipykernel"] == python
        assert not list((project / ".venv").glob("lib/python*/site-packages/ipykernel"))
        with pytest.raises(NbdeskError, match="has no ipykernel"):
            await client.change_kernel("python", python)
        await client.change_kernel("python", python, install_ipykernel=True)
        assert await run_print(client, "import sys; print(sys.prefix)") == str(project / ".venv")


async def test_a_picked_kernel_is_written_to_the_notebook_and_kept_across_restarts(
    daemon_factory: DaemonFactory, jupyter_path: Path, tmp_path: Path
) -> None:
    settings = {"JUPYTER_PATH": str(jupyter_path)}
    daemon = daemon_factory(**settings)
    path = write_notebook(tmp_path / "c.ipynb")
    async with NotebookClient.open(path, daemon.home) as client:
        async with NotebookClient.join(client.notebook_id, daemon.home) as other:
            choices = await client.list_kernels()
            alt = next(c for c in choices if c.name == "alt")
            assert (alt.kind, alt.display_name, alt.language) == (
                "kernelspec",
                "Alt Python",
                "python",
            )
            await client.change_kernel("kernelspec", "alt")
            followed = await location(other, "ready")
            assert followed["kernelspec"] == "alt" and followed["source"] == "chosen"
            kernelspec = json.loads(await other.get_raw_metadata("kernelspec") or "{}")
            assert kernelspec == {"name": "alt", "display_name": "Alt Python", "language": "python"}
            language_info = json.loads(await other.get_raw_metadata("language_info") or "{}")
            assert language_info["name"] == "python" and "version" in language_info
            assert [c.name for c in await other.list_kernels() if c.current] == ["alt"]
        notebook_id = client.notebook_id
    daemon.stop()
    daemon = daemon_factory(**settings)
    async with NotebookClient.join(notebook_id, daemon.home) as client:
        await client.launch_kernel()
        ready = await location(client, "ready")
        assert ready["kernelspec"] == "alt" and ready["source"] == "chosen"


async def test_input_is_asked_of_every_window_and_answered_by_one(
    daemon_factory: DaemonFactory,
) -> None:
    daemon = daemon_factory()
    async with (
        NotebookClient.create(daemon.home) as client,
        NotebookClient.join(client.notebook_id, daemon.home) as other,
    ):
        cell = client.add_cell("name = input('Name? ')\nprint('hello', name)")
        queued = await client.request("execute_cell", cell_id=cell)
        asked = await other.next_broadcast("input_request", timeout=60)
        assert asked["prompt"] == "Name? " and asked["password"] is False
        assert asked["execution_id"] == queued["execution_id"]
        with pytest.raises(NbdeskError) as caught:
            await client.answer_input("not-this-one", "x")
        assert caught.value.code == "no_input_pending"
        await other.answer_input(asked["execution_id"], "Ada")
        assert (await client.next_broadcast("input_answered"))["execution_id"] == asked[
            "execution_id"
        ]
        done = await client.wait_done(queued["execution_id"], 60)
        assert done["status"] == "ok"
        outputs = await client.outputs(cell)
        assert "hello Ada" in "".join(o.get("text", "") for o in outputs)


async def test_an_interrupted_input_drops_the_prompt_and_input_can_be_refused(
    daemon_factory: DaemonFactory,
) -> None:
    daemon = daemon_factory()
    async with NotebookClient.create(daemon.home) as client:
        cell = client.add_cell("input('Waiting: ')")
        queued = await client.request("execute_cell", cell_id=cell)
        await client.next_broadcast("input_request", timeout=60)
        await client.interrupt()
        assert (await client.next_broadcast("input_answered"))["execution_id"] == queued[
            "execution_id"
        ]
        done = await client.wait_done(queued["execution_id"], 60)
        assert done["status"] == "error"
        refused = await client.execute(client.add_cell("input('x')"), 60, allow_stdin=False)
        assert refused.status == "error"
        assert "StdinNotImplementedError" in json.dumps(refused.outputs)


async def test_a_classic_notebook_in_a_project_with_numpy_and_matplotlib_plots(
    daemon_factory: DaemonFactory, tmp_path: Path
) -> None:
    """The issue's user: `import numpy` and `%matplotlib inline` in a project whose `.venv`
    has them; every cell runs and the plot is an image."""
    project = tmp_path / "analysis"
    make_venv(project / ".venv", "ipykernel", "numpy", "matplotlib")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import numpy as np\n%matplotlib inline"),
        nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\nplt.plot(np.arange(10) ** 2)"),
    ]
    path = project / "plot.ipynb"
    nbformat.write(nb, path)
    daemon = daemon_factory()
    async with NotebookClient.open(path, daemon.home) as client:
        results = await client.run_all(timeout=120)
        assert [r.status for r in results] == ["ok", "ok"], results
        plots = [o for o in results[1].outputs if "image/png" in o.get("data", {})]
        assert len(plots) == 1 and len(plots[0]["data"]["image/png"]) > 1000


async def test_a_pyproject_is_synced_and_runs_the_kernel_and_a_broken_one_says_where(
    daemon_factory: DaemonFactory, tmp_path: Path
) -> None:
    project = tmp_path / "pkg"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "pkg"\nversion = "0.1"\nrequires-python = ">=3.11"\n'
        'dependencies = ["ipykernel", "six"]\n'
    )
    path = write_notebook(project / "a.ipynb")
    daemon = daemon_factory()
    async with NotebookClient.open(path, daemon.home) as client:
        await client.launch_kernel()
        ready = await location(client, "ready")
        assert ready["source"] == "project" and "pyproject.toml" in ready["env"]
        assert await run_print(client, "import six, sys; print(sys.prefix)") == str(
            project / ".venv"
        )
        (project / "pyproject.toml").write_text("[project\nname = 'pkg'\n")
        with pytest.raises(NbdeskError, match=r"pyproject\.toml.*line 1") as caught:
            await client.restart()
        assert caught.value.code == "bad_project"
        failed = await location(client, "error")
        assert "pyproject.toml" in failed["reason"]
        assert path.exists() and (project / "pyproject.toml").read_text().startswith("[project\n")
