"""Project environments on real tools: `uv sync` against PyPI (through uv's cache),
environment.yml solved and installed by py-rattler from a local conda channel, real
venvs, and a bad input of each kind."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conda_channel import make_channel

from nbdesk.daemon.envs.env import MARKER, Processes, conda_spec, read_env, uv_binary
from nbdesk.daemon.envs.pools import EnvPool
from nbdesk.daemon.envs.projects import Project, find_project, project_python
from nbdesk.daemon.envs.python_envs import (
    has_ipykernel,
    install_ipykernel,
    python_environments,
)
from nbdesk.daemon.wire.errors import EnvError, ErrorCode

pytestmark = pytest.mark.timeout(300)
PYPROJECT = """[project]
name = "proj"
version = "0"
requires-python = ">=3.11"
dependencies = [{deps}]
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def pyproject(folder: Path, *deps: str) -> Path:
    return write(folder / "pyproject.toml", PYPROJECT.format(deps=", ".join(map(repr, deps))))


def make_venv(folder: Path) -> Path:
    subprocess.run([uv_binary(), "venv", "--quiet", str(folder)], check=True, timeout=60)
    return folder / "bin" / "python"


def python_says(python: str, code: str) -> str:
    done = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


class Prepare:
    """`project_python` with one Processes, the lines it streamed and what was running."""

    def __init__(self, tmp_path: Path) -> None:
        self.envs_root = tmp_path / "envs"
        self.cache_dir = tmp_path / "rattler-cache"
        self.processes = Processes()
        self.lines: list[str] = []
        self.running_at_first_line: int | None = None

    def on_line(self, line: str) -> None:
        if not self.lines:
            self.running_at_first_line = len(self.processes)
        self.lines.append(line)

    async def __call__(self, project: Project) -> str:
        self.lines.clear()
        return await project_python(
            project,
            envs_root=self.envs_root,
            cache_dir=self.cache_dir,
            processes=self.processes,
            on_line=self.on_line,
        )


@pytest.fixture
def prepare(tmp_path: Path) -> Prepare:
    return Prepare(tmp_path)


# -- finding ----------------------------------------------------------------------------------


def test_each_kind_is_found_walking_up_and_the_nearest_wins(tmp_path: Path) -> None:
    outer = tmp_path / "outer"
    pyproject(outer, "six")
    yml = write(outer / "data" / "environment.yaml", "dependencies: [python]\n")
    make_venv(outer / "data" / "deep" / "venv")
    notebooks = outer / "data" / "deep" / "notebooks"
    notebooks.mkdir()

    found = find_project(notebooks, home=tmp_path)
    assert found == Project("venv", outer / "data" / "deep" / "venv", outer / "data" / "deep")
    assert found.label() == f"project {outer / 'data' / 'deep'} (venv/)"
    assert find_project(outer / "data", home=tmp_path) == Project(
        "environment_yml", yml, yml.parent
    )
    assert find_project(outer, home=tmp_path) == Project(
        "pyproject", outer / "pyproject.toml", outer
    )


def test_at_one_level_pyproject_then_environment_yml_then_venv(tmp_path: Path) -> None:
    folder = tmp_path / "proj"
    make_venv(folder / ".venv")
    assert find_project(folder, home=tmp_path) == Project("venv", folder / ".venv", folder)
    write(folder / "environment.yml", "dependencies: [python]\n")
    assert find_project(folder, home=tmp_path) == Project(
        "environment_yml", folder / "environment.yml", folder
    )
    pyproject(folder, "six")
    assert find_project(folder, home=tmp_path) == Project(
        "pyproject", folder / "pyproject.toml", folder
    )


def test_the_walk_stops_after_the_git_folder(tmp_path: Path) -> None:
    pyproject(tmp_path / "outer", "six")
    repo = tmp_path / "outer" / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "src").mkdir()
    assert find_project(repo / "src", home=tmp_path) is None
    write(repo / "environment.yml", "dependencies: [python]\n")
    assert find_project(repo / "src", home=tmp_path) == Project(
        "environment_yml", repo / "environment.yml", repo
    )


def test_the_walk_stops_at_the_home_directory(tmp_path: Path) -> None:
    home = tmp_path / "home"
    pyproject(tmp_path, "six")  # above home
    pyproject(home, "six")  # in home itself
    (home / "notes").mkdir()
    assert find_project(home / "notes", home=home) is None
    pyproject(home / "notes", "six")
    assert find_project(home / "notes", home=home) == Project(
        "pyproject", home / "notes" / "pyproject.toml", home / "notes"
    )


def test_a_venv_without_a_python_is_skipped(tmp_path: Path) -> None:
    pyproject(tmp_path / "proj", "six")
    folder = tmp_path / "proj" / "analysis"
    (folder / ".venv" / "bin").mkdir(parents=True)  # no python at all
    (folder / "venv" / "bin").mkdir(parents=True)
    (folder / "venv" / "bin" / "python").symlink_to(tmp_path / "gone" / "python3")
    assert find_project(folder, home=tmp_path) == Project(
        "pyproject", tmp_path / "proj" / "pyproject.toml", tmp_path / "proj"
    )


def test_a_tool_only_pyproject_is_not_a_project(tmp_path: Path) -> None:
    yml = write(tmp_path / "environment.yml", "dependencies: [python]\n")
    write(tmp_path / "sub" / "pyproject.toml", "[tool.ruff]\nline-length = 100\n")
    assert find_project(tmp_path / "sub", home=tmp_path.parent) == Project(
        "environment_yml", yml, tmp_path
    )
    make_venv(tmp_path / "sub" / ".venv")  # with a venv beside it, it is one (used as is)
    assert find_project(tmp_path / "sub", home=tmp_path.parent) == Project(
        "pyproject", tmp_path / "sub" / "pyproject.toml", tmp_path / "sub"
    )


# -- streaming --------------------------------------------------------------------------------


async def test_lines_reach_the_callback_while_the_process_runs(tmp_path: Path) -> None:
    """The process writes a line, then waits until the callback has seen it: without
    streaming it would wait until the timeout and the run would fail."""
    release = tmp_path / "release"
    script = (
        "import os, sys, time\n"
        "print('first', file=sys.stderr, flush=True)\n"
        "while not os.path.exists(sys.argv[1]): time.sleep(0.01)\n"
        "print('released', file=sys.stderr)\n"
        "print('the result')\n"
    )
    lines: list[str] = []

    def on_line(line: str) -> None:
        lines.append(line)
        release.touch()

    output = await Processes().run(
        sys.executable, "-c", script, str(release), timeout=60, on_line=on_line
    )
    assert lines == ["first", "released"]
    assert output == "the result\n"


# -- pyproject.toml ---------------------------------------------------------------------------


async def test_pyproject_is_synced_then_used_as_is(tmp_path: Path, prepare: Prepare) -> None:
    folder = tmp_path / "proj"
    pyproject(folder, "six")
    project = find_project(folder, home=tmp_path)
    assert project is not None

    python = await prepare(project)
    assert python == str(folder / ".venv" / "bin" / "python")
    assert python_says(python, "import six, sys; print(sys.prefix)") == str(folder / ".venv")
    assert any("six" in line for line in prepare.lines), prepare.lines
    assert prepare.running_at_first_line == 1  # uv's first line came while uv still ran
    assert (folder / "uv.lock").is_file()

    started = time.perf_counter()
    assert await prepare(project) == python
    check = time.perf_counter() - started
    assert prepare.lines == []  # `uv sync --check` found it in sync: nothing installed
    print(f"in-sync check: {check * 1000:.0f} ms")

    # ipykernel added with the user's consent stays: the project is still in sync ...
    await install_ipykernel(python, processes=prepare.processes, on_line=prepare.on_line)
    assert await prepare(project) == python
    assert prepare.lines == []
    pyproject(folder, "six", "idna")  # ... and a sync for a changed project keeps it
    assert await prepare(project) == python
    assert any("idna" in line for line in prepare.lines), prepare.lines
    python_says(python, "import idna, six, ipykernel")


async def test_a_project_with_numpy_and_matplotlib(tmp_path: Path, prepare: Prepare) -> None:
    """The issue's done-when: a project whose environment has numpy and matplotlib."""
    folder = tmp_path / "science"
    pyproject(folder, "numpy", "matplotlib")
    (folder / "notebooks").mkdir()
    project = find_project(folder / "notebooks", home=tmp_path)
    assert project == Project("pyproject", folder / "pyproject.toml", folder)

    python = await prepare(project)
    code = (
        "import matplotlib; matplotlib.use('Agg')\n"
        "import matplotlib.pyplot as plt, numpy as np\n"
        "plt.plot(np.arange(3)); plt.savefig('plot.png')\n"
        "print(np.__file__)"
    )
    done = subprocess.run(
        [python, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(str(folder / ".venv")), done.stdout
    assert (tmp_path / "plot.png").read_bytes().startswith(b"\x89PNG")


async def test_a_malformed_pyproject_names_the_file_and_line(
    tmp_path: Path, prepare: Prepare
) -> None:
    path = write(tmp_path / "proj" / "pyproject.toml", '[project]\nname = "x"\nversion = \n')
    project = find_project(path.parent, home=tmp_path)
    assert project == Project("pyproject", path, path.parent)
    with pytest.raises(EnvError) as caught:
        await prepare(project)
    assert caught.value.code == ErrorCode.BAD_PROJECT
    assert str(path) in caught.value.message and "line 3" in caught.value.message
    assert "fix" in caught.value.message
    assert not (path.parent / ".venv").exists()


async def test_a_dependency_missing_from_pypi_fails_with_uvs_message(
    tmp_path: Path, prepare: Prepare
) -> None:
    missing = "nbdesk-issue14-no-such-package"
    folder = tmp_path / "proj"
    pyproject(folder, missing)
    project = find_project(folder, home=tmp_path)
    assert project is not None
    for _attempt in range(2):  # a second try fails the same: nothing was left as ready
        with pytest.raises(EnvError) as caught:
            await prepare(project)
        assert caught.value.code == ErrorCode.ENV_ERROR
        assert missing in caught.value.message and "uv sync" in caught.value.message
        assert any(missing in line for line in prepare.lines)  # streamed as it happened
        assert not (folder / ".venv").exists()


async def test_a_pyproject_without_a_project_table_uses_its_venv(
    tmp_path: Path, prepare: Prepare
) -> None:
    folder = tmp_path / "proj"
    write(folder / "pyproject.toml", "[tool.black]\nline-length = 100\n")
    python = make_venv(folder / ".venv")
    project = find_project(folder, home=tmp_path)
    assert project == Project("pyproject", folder / "pyproject.toml", folder)
    assert await prepare(project) == str(python)
    assert not (folder / "uv.lock").exists()  # used as is: uv never ran on it

    (folder / ".venv").rename(folder / "old")  # and without the venv, a clear error
    with pytest.raises(EnvError) as caught:
        await prepare(project)
    assert caught.value.code == ErrorCode.BAD_PROJECT
    assert "no [project] table" in caught.value.message


# -- venv ---------------------------------------------------------------------------------------


async def test_a_venv_is_used_as_is(tmp_path: Path, prepare: Prepare) -> None:
    python = make_venv(tmp_path / "proj" / ".venv")
    project = find_project(tmp_path / "proj", home=tmp_path)
    assert project is not None
    assert await prepare(project) == str(python)
    assert prepare.lines == []


async def test_a_venv_whose_python_does_not_run_is_a_clear_error(
    tmp_path: Path, prepare: Prepare
) -> None:
    python = write(tmp_path / "proj" / ".venv" / "bin" / "python", "#!/bin/sh\nexit 3\n")
    python.chmod(0o755)
    project = find_project(tmp_path / "proj", home=tmp_path)
    assert project == Project("venv", tmp_path / "proj" / ".venv", tmp_path / "proj")
    with pytest.raises(EnvError) as caught:
        await prepare(project)
    assert caught.value.code == ErrorCode.BAD_PROJECT
    assert "does not run" in caught.value.message and "recreate" in caught.value.message


# -- environment.yml --------------------------------------------------------------------------


async def test_environment_yml_is_built_once_and_reused(tmp_path: Path, prepare: Prepare) -> None:
    channel = await make_channel(tmp_path / "channel")
    folder = tmp_path / "proj"
    text = f"name: analysis\nchannels: [file://{channel}]\ndependencies:\n  - python\n"
    yml = write(folder / "environment.yml", text)
    project = find_project(folder, home=tmp_path)
    assert project == Project("environment_yml", yml, folder)

    python = await prepare(project)
    env_path = Path(python).parent.parent
    assert env_path.parent == prepare.envs_root
    assert env_path.name.startswith("nbdesk-conda-yml-")
    assert (env_path / "share" / "nbdesk-test" / "ipykernel").is_file()  # added by nbdesk
    assert any(line.startswith("solving") for line in prepare.lines), prepare.lines
    marker = json.loads((env_path / MARKER).read_text())
    assert marker["owner"] == f"project:{yml}" and marker["kind"] == "conda"
    python_says(python, "import ipykernel")

    assert await prepare(project) == python  # reused: no solve
    assert prepare.lines == []
    write(yml, text + "# a comment changes nothing that is installed\n")
    assert await prepare(project) == python
    write(yml, text + "  - ipywidgets\n")
    other = await prepare(project)
    assert (
        other != python and (Path(other).parent.parent / "share/nbdesk-test/ipywidgets").is_file()
    )

    # the conda pool scans `nbdesk-conda-*`: it leaves the project's environments alone
    pool = EnvPool(
        conda_spec((f"file://{channel}",)),
        1,
        prepare.envs_root,
        cache_dir=prepare.cache_dir,
        backoff=1,
        backoff_max=1,
        on_progress=lambda kind, phase, message: None,
    )
    await pool.adopt()
    assert read_env(env_path) is not None and not pool.ready


async def test_environment_yml_pip_section_installs_with_uv(
    tmp_path: Path, prepare: Prepare
) -> None:
    channel = await make_channel(tmp_path / "channel", venv_python=True)
    yml = write(
        tmp_path / "proj" / "environment.yml",
        f"channels: [file://{channel}]\ndependencies:\n  - python\n  - pip:\n    - six\n",
    )
    python = await prepare(Project("environment_yml", yml, yml.parent))
    env_path = Path(python).parent.parent
    assert python_says(python, "import six; print(six.__file__)").startswith(str(env_path))
    assert any("six" in line for line in prepare.lines), prepare.lines


async def test_an_environment_yml_that_cannot_be_solved(tmp_path: Path, prepare: Prepare) -> None:
    channel = await make_channel(tmp_path / "channel")
    yml = write(
        tmp_path / "proj" / "environment.yml",
        f"channels: [file://{channel}]\ndependencies: [python, nbdesk-no-such-conda-package]\n",
    )
    with pytest.raises(EnvError) as caught:
        await prepare(Project("environment_yml", yml, yml.parent))
    assert caught.value.code == ErrorCode.ENV_ERROR
    assert "nbdesk-no-such-conda-package" in caught.value.message
    assert list(prepare.envs_root.glob("nbdesk-conda-yml-*")) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dependencies:\n  - python\n  - [unclosed\n", "line 4"),
        ("dependencies:\n\t- python\n", "line 2"),
        ("- python\n", "must be a mapping"),
        ("dependencies: python\n", "must be a list"),
        ("dependencies:\n  - {conda: [x]}\n", "dependencies item 1"),
        ("dependencies:\n  - numpy ===~~\n", "'numpy ===~~' is not a conda package spec"),
        ("channels: conda-forge\ndependencies: [python]\n", "`channels:` must be a list"),
        ("dependencies:\n  - pip: six\n", "`dependencies: pip:` must be a list"),
    ],
)
async def test_a_malformed_environment_yml_says_what_to_fix(
    tmp_path: Path, prepare: Prepare, text: str, expected: str
) -> None:
    yml = write(tmp_path / "proj" / "environment.yml", text)
    with pytest.raises(EnvError) as caught:
        await prepare(Project("environment_yml", yml, yml.parent))
    assert caught.value.code == ErrorCode.BAD_PROJECT
    assert str(yml) in caught.value.message and expected in caught.value.message
    assert not prepare.envs_root.exists()


# -- the machine's environments and ipykernel ----------------------------------------------


async def test_python_environments_and_ipykernel_on_consent(tmp_path: Path) -> None:
    home = tmp_path / "home"
    project = home / "code" / "proj"
    pyproject(project, "six")
    project_python = make_venv(project / ".venv")
    conda_env = home / "miniconda3" / "envs" / "analysis"
    make_venv(conda_env)
    make_venv(home / ".virtualenvs" / "tools")
    (home / ".virtualenvs" / "again").symlink_to(conda_env)  # the same environment twice
    write(
        home / ".conda" / "environments.txt",
        f"{conda_env}\n{home / 'miniconda3' / 'envs' / 'removed'}\n\n",
    )
    (project / "notebooks").mkdir()

    found = python_environments(project / "notebooks", home=home)
    assert [(env.python, env.label, env.has_ipykernel) for env in found] == [
        (str(project_python), "project ~/code/proj (.venv/)", False),
        (str(conda_env / "bin" / "python"), "conda analysis (~/miniconda3/envs/analysis)", False),
        (str(home / ".virtualenvs" / "tools" / "bin" / "python"), "virtualenv tools", False),
    ]
    assert await has_ipykernel(str(project_python)) is False

    processes = Processes()
    lines: list[str] = []
    await install_ipykernel(str(project_python), processes=processes, on_line=lines.append)
    assert any("ipykernel" in line for line in lines), lines
    assert await has_ipykernel(str(project_python)) is True
    assert python_environments(project / "notebooks", home=home)[0].has_ipykernel is True
    assert python_environments(None, home=home)[0].label.startswith("conda analysis")


async def test_has_ipykernel_asks_python_when_site_packages_do_not_say(tmp_path: Path) -> None:
    wrapper = write(
        tmp_path / "env" / "bin" / "python", f'#!/bin/sh\nexec "{sys.executable}" "$@"\n'
    )
    wrapper.chmod(0o755)
    assert await has_ipykernel(str(wrapper)) is True  # this interpreter has ipykernel
    broken = write(tmp_path / "broken" / "bin" / "python", "#!/bin/sh\nexit 3\n")
    broken.chmod(0o755)
    with pytest.raises(EnvError) as caught:
        await has_ipykernel(str(broken))
    assert caught.value.code == ErrorCode.BAD_ENV and "does not run" in caught.value.message


async def test_installing_ipykernel_into_a_python_uv_refuses(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere" / "bin" / "python")
    with pytest.raises(EnvError) as caught:
        await install_ipykernel(missing, processes=Processes(), on_line=lambda line: None)
    assert "installing ipykernel into" in caught.value.message and missing in caught.value.message
