"""`%pip install` and `%uv pip install` in a kernel install into that notebook's own
environment, on a real daemon with real uv: two notebooks sharing one approved dependency
environment each get a private layer, so a package installed in one is importable there
and absent from the other and from the shared environment; it stays across a restart and
shows in `list_packages`. A taken pool environment is the notebook's alone, and on the
daemon's own interpreter (shared by every notebook without an environment) both magics
refuse."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from conftest import DaemonFactory, DaemonProcess
from test_pools import cli, wait_pools

from nbdesk.daemon.client.notebook_client import NotebookClient

pytestmark = pytest.mark.timeout(300)
BUILD = 240.0
ABSENT = "import importlib.util as u; print(u.find_spec({!r}) is None)"
WHERE = "import {0}, sys; print({0}.__file__.startswith(sys.prefix + '/'), {0}.__file__)"


def write_notebook(path: Path, deps: list[str]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["nbdesk"] = {"uv": {"dependencies": deps}}
    nbformat.write(nb, path)
    return path


async def text_of(client: NotebookClient, code: str, timeout: float = BUILD) -> str:
    """Everything the cell printed (streams of both kinds), having checked it succeeded."""
    result = await client.run(code, timeout=timeout)
    assert result.status == "ok", (code, result.outputs)
    return "".join(str(o.get("text", "")) for o in result.outputs if o["output_type"] == "stream")


async def prefix_of(client: NotebookClient) -> Path:
    return Path((await text_of(client, "import sys; print(sys.prefix)")).strip())


async def package_names(client: NotebookClient) -> set[str]:
    listed = await client.request("list_packages")
    return {package["name"].lower() for package in listed["packages"]}


async def test_pip_in_one_notebook_of_a_shared_dependency_set_stays_in_that_notebook(
    daemon: DaemonProcess, tmp_path: Path
) -> None:
    first_path = write_notebook(tmp_path / "first.ipynb", ["six"])
    second_path = write_notebook(tmp_path / "second.ipynb", ["six"])
    async with (
        NotebookClient.open(first_path, daemon.home) as first,
        NotebookClient.open(second_path, daemon.home) as second,
    ):
        trust = (await first.request("get_trust"))["trust"]
        await first.request("approve_trust", digest=trust["digest"])
        assert (await second.request("get_trust"))["trust"]["status"] == "trusted"
        await first.connection.request("launch_kernel", timeout=BUILD)
        await second.connection.request("launch_kernel", timeout=BUILD)

        # One shared environment holds six; each kernel runs on its own layer over it.
        [shared] = sorted(daemon.home.envs.glob("nbdesk-deps-*"))
        first_prefix, second_prefix = await prefix_of(first), await prefix_of(second)
        assert first_prefix != second_prefix
        for client, prefix in ((first, first_prefix), (second, second_prefix)):
            assert prefix.name.startswith("nbdesk-layer-") and prefix.parent == shared.parent
            six_file = (await text_of(client, WHERE.format("six"))).split()[1]
            assert six_file.startswith(f"{shared}/"), "six comes from the shared environment"
        for client in (first, second):
            for name in ("tomli_w", "tabulate"):
                assert (await text_of(client, ABSENT.format(name))).strip() == "True", name

        # %pip install in the first: there, in its own layer; not in the second.
        said = await text_of(first, "%pip install tomli-w")
        assert "tomli-w" in said and "restart the kernel" in said, said
        where = (await text_of(first, WHERE.format("tomli_w"))).split()
        assert where[0] == "True" and where[1].startswith(f"{first_prefix}/"), where
        assert (await text_of(second, ABSENT.format("tomli_w"))).strip() == "True"
        assert not list(shared.glob("lib/python*/site-packages/tomli_w"))

        # Arguments uv cannot be given get a reason and install nothing.
        said = await text_of(second, '%pip install "tomli-w')
        assert "No closing quotation" in said and "close the quote" in said, said
        assert (await text_of(second, ABSENT.format("tomli_w"))).strip() == "True"

        # %uv pip install in the second: there only.
        said = await text_of(second, "%uv pip install tabulate")
        assert "tabulate" in said, said
        where = (await text_of(second, WHERE.format("tabulate"))).split()
        assert where[0] == "True" and where[1].startswith(f"{second_prefix}/"), where
        assert (await text_of(first, ABSENT.format("tabulate"))).strip() == "True"
        assert not list(shared.glob("lib/python*/site-packages/tabulate*"))

        # The panel's "what the kernel's environment holds": the layer and the shared env.
        first_names, second_names = await package_names(first), await package_names(second)
        assert {"tomli-w", "six", "ipykernel"} <= first_names and "tabulate" not in first_names
        assert {"tabulate", "six", "ipykernel"} <= second_names
        assert "tomli-w" not in second_names

        # A restart (what %pip's note asks for) keeps the notebook's layer and its package.
        await first.connection.request("restart_kernel", timeout=BUILD)
        assert await prefix_of(first) == first_prefix
        where = (await text_of(first, WHERE.format("tomli_w"))).split()
        assert where[0] == "True", where

        # Collection keeps the shared environment while open notebooks' layers run on it.
        collected = cli(daemon, "gc", "--env-max-age", "0")
        assert collected.returncode == 0, collected.stderr
        assert shared.exists() and first_prefix.exists() and second_prefix.exists()
        assert (await text_of(second, "import six; print(six.__name__)")).strip() == "six"


async def test_a_taken_pool_environment_is_the_notebooks_alone(
    daemon_factory: DaemonFactory,
) -> None:
    daemon = daemon_factory(NBDESK_POOL_UV="1")
    await wait_pools(daemon.home, lambda pools: pools["uv"]["ready"] == 1)
    async with NotebookClient.create(daemon.home) as first:
        prefix = await prefix_of(first)
        assert prefix.name.startswith("nbdesk-uv-")
        marker = json.loads((prefix / "nbdesk-env.json").read_text())
        assert marker["owner"] == first.notebook_id, "taken: the marker names the notebook"
        assert (await text_of(first, ABSENT.format("tomli_w"))).strip() == "True"
        said = await text_of(first, "%pip install tomli-w")
        assert "tomli-w" in said, said
        where = (await text_of(first, WHERE.format("tomli_w"))).split()
        assert where[0] == "True" and where[1].startswith(f"{prefix}/"), where
        assert "tomli-w" in await package_names(first)

        # The pool refills with a new environment; the next notebook never gets the first's.
        status = await wait_pools(daemon.home, lambda pools: pools["uv"]["ready"] == 1)
        assert prefix.name not in status["pools"]["uv"]["envs"]
        async with NotebookClient.create(daemon.home) as second:
            other = await prefix_of(second)
            assert other != prefix and other.name.startswith("nbdesk-uv-")
            assert (await text_of(second, ABSENT.format("tomli_w"))).strip() == "True"


async def test_on_the_daemons_own_python_pip_and_uv_refuse(daemon: DaemonProcess) -> None:
    """Pools are off: the kernel runs on the interpreter every such notebook shares. The
    commands are dry runs, so even a broken refusal could not change that interpreter."""
    async with NotebookClient.create(daemon.home) as client:
        for magic in ("%pip install --dry-run tomli-w", "%uv pip install --dry-run tomli-w"):
            result = await client.run(magic, timeout=60)
            said = "".join(str(o.get("text", "")) for o in result.outputs)
            assert "nbdesk's own Python" in said and "nothing was installed" in said, said
            assert "Would install" not in said, said
