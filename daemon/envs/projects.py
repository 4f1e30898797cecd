"""A notebook's project and the interpreter of that project's environment.

A notebook in a project folder should run where the project's packages are, so nbdesk
looks for the nearest project file above the notebook (`find_project`) and prepares the
environment that file describes (`project_python`): a `pyproject.toml` is synced with uv
into the project's own `.venv`, an `environment.yml` is solved and installed with
py-rattler into a content-addressed environment nbdesk owns, and an existing `.venv` or
`venv` folder is used as it is.

This module does not decide the order in which a notebook's kernel sources are tried
(the rooms do), start kernels, or add ipykernel to an environment (that needs the
user's consent: `python_envs.install_ipykernel`).
"""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from nbdesk.daemon.envs.env import (
    EnvSpec,
    Processes,
    build,
    read_env,
    remove_env,
    uv_binary,
)
from nbdesk.daemon.home.private import private_dir
from nbdesk.daemon.wire.errors import EnvError, ErrorCode

ProjectKind = Literal["pyproject", "environment_yml", "venv"]
ENVIRONMENT_FILES = ("environment.yml", "environment.yaml")
VENV_FOLDERS = (".venv", "venv")
YML_ENV_PREFIX = "nbdesk-conda-yml-"
# conda's `defaults` is Anaconda's own channel, not a name py-rattler resolves
CHANNEL_ALIASES = {"defaults": "https://repo.anaconda.com/pkgs/main"}
PIP_PATH_OPTIONS = ("-r", "--requirement", "-e", "--editable", "-c", "--constraint")
RUNS_TIMEOUT = 30.0

_yml_locks: dict[Path, asyncio.Lock] = {}


@dataclass(frozen=True)
class Project:
    """A project file (or venv folder) and the folder it was found in."""

    kind: ProjectKind
    path: Path
    root: Path

    def label(self) -> str:
        """For people: `project ~/code/proj (pyproject.toml)`."""
        what = f"{self.path.name}/" if self.kind == "venv" else self.path.name
        return f"project {shorten(self.root)} ({what})"


def shorten(path: Path, home: Path | None = None) -> str:
    """`path` with the home directory written as `~`."""
    home = home or Path.home()
    try:
        return str(Path("~") / path.relative_to(home))
    except ValueError:
        return str(path)


def venv_python(folder: Path) -> Path | None:
    """`folder/bin/python` when it exists (a dangling link does not) and is executable."""
    python = folder / "bin" / "python"
    return python if python.is_file() and os.access(python, os.X_OK) else None


def find_project(folder: Path, *, home: Path | None = None) -> Project | None:
    """The nearest project walking up from `folder`: at each level a `pyproject.toml`,
    then `environment.yml`/`.yaml`, then a `.venv/` or `venv/` holding `bin/python`.

    The walk stops after the folder holding `.git` (a repository's projects are inside
    it) and before the home directory (a file in `~` is not a project of everything
    below it). A `pyproject.toml` that only configures tools (no `[project]` table, no
    uv workspace, no venv beside it) is not a project: the walk goes on above it."""
    home = (home or Path.home()).resolve()
    here = folder.resolve()
    for level in (here, *here.parents):
        if level == home:
            return None
        if (project := _project_at(level)) is not None:
            return project
        if (level / ".git").exists():
            return None
    return None


def _project_at(level: Path) -> Project | None:
    pyproject = level / "pyproject.toml"
    if pyproject.is_file() and _is_project(pyproject):
        return Project("pyproject", pyproject, level)
    for name in ENVIRONMENT_FILES:
        if (level / name).is_file():
            return Project("environment_yml", level / name, level)
    for name in VENV_FOLDERS:
        if venv_python(level / name) is not None:
            return Project("venv", level / name, level)
    return None


def _is_project(pyproject: Path) -> bool:
    try:
        table = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True  # the user meant a project: `project_python` says what is wrong
    return _uv_can_sync(table) or _existing_venv(pyproject.parent) is not None


def _uv_can_sync(table: dict[str, Any]) -> bool:
    tool = table.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    return "project" in table or (isinstance(uv, dict) and "workspace" in uv)


def _existing_venv(root: Path) -> Path | None:
    for name in VENV_FOLDERS:
        if (python := venv_python(root / name)) is not None:
            return python
    return None


async def project_python(
    project: Project,
    *,
    envs_root: Path,
    cache_dir: Path,
    processes: Processes,
    on_line: Callable[[str], None],
    default_channels: tuple[str, ...] = ("conda-forge",),
) -> str:
    """The interpreter of `project`'s environment, prepared as needed; the installers'
    output lines go to `on_line` as they are written. Raises EnvError: BAD_PROJECT for a
    file nbdesk cannot read, ENV_ERROR with uv's or the solver's message for a build
    that fails (and then nothing is left that a later call would take as ready)."""
    if project.kind == "pyproject":
        return await _pyproject_python(project, processes, on_line)
    if project.kind == "environment_yml":
        spec = read_environment_yml(project.path, default_channels)
        return await _yml_python(project, spec, envs_root, cache_dir, processes, on_line)
    python = venv_python(project.path)
    if python is None:
        raise _bad(project.path, "has no bin/python: recreate it (python -m venv --clear)")
    await _check_runs(str(python), project.path, processes)
    return str(python)


# -- pyproject.toml -------------------------------------------------------------------------


async def _pyproject_python(
    project: Project, processes: Processes, on_line: Callable[[str], None]
) -> str:
    """`uv sync` into the project's environment unless `uv sync --check` finds it in sync.

    `--inexact` keeps what the user (or nbdesk, with their consent: ipykernel) added to
    the venv beyond the project's dependencies; `--output-format json` reports where the
    environment is (the workspace's `.venv` for a workspace member)."""
    table = _read_toml(project.path)
    if not _uv_can_sync(table):
        python = _existing_venv(project.root)
        if python is None:
            raise _bad(
                project.path,
                "has no [project] table and no .venv beside it: add a [project] table "
                "listing the dependencies, or create a .venv in that folder",
            )
        await _check_runs(str(python), python.parent.parent, processes)
        return str(python)
    sync = (uv_binary(), "sync", "--inexact", "--output-format", "json")
    try:
        return _synced_python(await processes.run(*sync, "--check", cwd=project.root), project)
    except EnvError:
        pass  # not in sync (or uv could not tell): sync, which reports the reason if any
    venv = project.root / ".venv"
    venv_existed = venv.exists()
    try:
        report = await processes.run(*sync, cwd=project.root, on_line=on_line)
    except EnvError as exc:
        if not venv_existed:
            await remove_env(venv)  # uv made it before failing: it must not look ready
        # uv's own story ("Using CPython …", "Creating virtual environment …") went to
        # on_line already; the message keeps what went wrong
        message = exc.message
        reason = message[message.find("error:") :] if "error:" in message else message
        raise EnvError(f"{project.label()}: uv sync failed: {reason}") from None
    return _synced_python(report, project)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _bad(path, f"cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise _bad(path, "is not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:  # its message names the line and column
        raise _bad(path, f"is not valid TOML: {exc}; fix that line") from None


def _synced_python(report: str, project: Project) -> str:
    """The interpreter uv's JSON report names, falling back to the project's `.venv`."""
    try:
        python = str(json.loads(report)["sync"]["environment"]["python"]["path"])
    except (ValueError, KeyError, TypeError):
        python = str(project.root / ".venv" / "bin" / "python")
    if not Path(python).is_file():
        raise EnvError(f"uv sync in {shorten(project.root)} left no interpreter at {python}")
    return python


# -- environment.yml ------------------------------------------------------------------------


def read_environment_yml(path: Path, default_channels: tuple[str, ...]) -> EnvSpec:
    """The conda environment an `environment.yml` describes, with ipykernel added (the
    environment is nbdesk's own, built for this project); BAD_PROJECT when malformed."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _bad(path, f"cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise _bad(path, "is not UTF-8 text; save it as UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise _bad(path, f"is not valid YAML{line}: {problem}; fix that line") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise _bad(path, "must be a mapping with `channels:` and `dependencies:` keys")
    channels = _strings(path, data.get("channels") or list(default_channels), "channels")
    dependencies = data.get("dependencies") or []
    if not isinstance(dependencies, list):
        raise _bad(path, "`dependencies:` must be a list")
    conda: list[str] = []
    pip: list[str] = []
    for index, item in enumerate(dependencies):
        if isinstance(item, str):
            conda.append(_match_spec(path, item))
        elif isinstance(item, dict) and set(item) == {"pip"}:
            for entry in _strings(path, item["pip"] or [], "dependencies: pip"):
                pip.extend(_pip_arguments(entry, path.parent))
        else:
            raise _bad(
                path,
                f"dependencies item {index + 1} ({item!r}) is neither a package nor a `pip:` list",
            )
    if not any(_package_name(spec) == "ipykernel" for spec in conda):
        conda.append("ipykernel")
    if pip and not any(_package_name(spec) == "python" for spec in conda):
        conda.append("python")  # `uv pip install` needs the environment's own interpreter
    resolved = tuple(CHANNEL_ALIASES.get(channel, channel) for channel in channels)
    return EnvSpec("conda", tuple(conda), resolved, pip=tuple(pip))


def _strings(path: Path, value: object, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _bad(path, f"`{key}:` must be a list of names")
    return value


def _match_spec(path: Path, spec: str) -> str:
    try:
        import rattler
    except ImportError:
        return spec  # `build_conda` explains that conda needs py-rattler
    try:
        rattler.MatchSpec(spec)
    except Exception as exc:
        raise _bad(path, f"dependency {spec!r} is not a conda package spec: {exc}") from None
    return spec


def _package_name(spec: str) -> str:
    name = spec.split("::")[-1].strip()
    for stop in " =<>!~[":
        name = name.split(stop)[0]
    return name.lower()


def _pip_arguments(entry: str, folder: Path) -> list[str]:
    """One `pip:` line as `uv pip install` arguments, a relative `-r`/`-e` path taken from
    the environment.yml's folder (as conda does) rather than the daemon's."""
    words = shlex.split(entry)
    for index in range(1, len(words)):
        target = words[index]
        if words[index - 1] in PIP_PATH_OPTIONS and "://" not in target:
            words[index] = str(folder / target)
    return words


async def _yml_python(
    project: Project,
    spec: EnvSpec,
    envs_root: Path,
    cache_dir: Path,
    processes: Processes,
    on_line: Callable[[str], None],
) -> str:
    """The environment named by the hash of what the file asks for: built once, reused by
    every later call (and every project whose file asks for the same)."""
    path = envs_root / f"{YML_ENV_PREFIX}{spec.hash[:16]}"
    async with _yml_locks.setdefault(path, asyncio.Lock()):
        env = read_env(path)
        if env is not None and env.usable(spec.hash):
            env.touch()
            return env.python
        await remove_env(path)  # an unfinished build (no marker) or a stale one
        private_dir(envs_root)
        # an owner keeps the conda pool (which scans `nbdesk-conda-*`) from adopting it
        owner = f"project:{project.path}"
        try:
            env = await build(path, spec, processes, cache_dir, owner=owner, on_line=on_line)
        except EnvError as exc:
            raise EnvError(f"{project.label()}: {exc}") from None
        return env.python


# -- shared ---------------------------------------------------------------------------------


async def _check_runs(python: str, venv: Path, processes: Processes) -> None:
    try:
        await processes.run(python, "-c", "pass", timeout=RUNS_TIMEOUT)
    except (EnvError, OSError) as exc:
        raise _bad(
            venv,
            f"has a Python that does not run ({exc}): recreate it (python -m venv --clear "
            f"{shorten(venv)}) or delete it",
        ) from None


def _bad(path: Path, problem: str) -> EnvError:
    return EnvError(f"{shorten(path)} {problem}", code=ErrorCode.BAD_PROJECT)
