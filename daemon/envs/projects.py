"""Project environments near a notebook: the nearest `.venv` / `venv` with a Python in it.

(pyproject.toml and environment.yml projects are being added; until then they are
reported as not supported, never half-used.)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from nbdesk.daemon.envs.env import Processes, uv_binary
from nbdesk.daemon.wire.errors import EnvError, ErrorCode


@dataclass(frozen=True)
class Project:
    kind: Literal["pyproject", "environment_yml", "venv"]
    path: Path
    root: Path

    def label(self) -> str:
        return f"project {self.root} ({self.path.name})"


def _venv_python(folder: Path) -> Path | None:
    python = folder / "bin" / "python"
    return python if python.exists() and os.access(python, os.X_OK) else None


def find_project(folder: Path, *, home: Path | None = None) -> Project | None:
    """The nearest `.venv`/`venv` walking up from `folder`, stopping after a folder that
    holds `.git`, or at the home directory."""
    home = (home or Path.home()).resolve()
    current = folder.resolve()
    while True:
        for name in (".venv", "venv"):
            if _venv_python(current / name) is not None:
                return Project("venv", current / name, current)
        if (current / ".git").is_dir() or current == home or current.parent == current:
            return None
        current = current.parent


async def project_python(
    project: Project,
    *,
    envs_root: Path,
    cache_dir: Path,
    processes: Processes,
    on_line: Callable[[str], None],
) -> str:
    if project.kind != "venv":
        raise EnvError(f"{project.path}: not supported yet", code=ErrorCode.BAD_PROJECT)
    python = _venv_python(project.path)
    if python is None:
        raise EnvError(f"{project.path} has no runnable python", code=ErrorCode.BAD_PROJECT)
    return str(python)


async def has_ipykernel(python: str) -> bool:
    lib = Path(python).parent.parent / "lib"
    return any(lib.glob("python*/site-packages/ipykernel/__init__.py"))


async def install_ipykernel(
    python: str, *, processes: Processes, on_line: Callable[[str], None]
) -> None:
    await processes.run(uv_binary(), "pip", "install", "--quiet", "--python", python, "ipykernel")


@dataclass(frozen=True)
class FoundPython:
    python: str
    label: str
    has_ipykernel: bool


def _has_ipykernel_now(python: Path) -> bool:
    return any((python.parent.parent / "lib").glob("python*/site-packages/ipykernel/__init__.py"))


def python_environments(folder: Path | None, *, home: Path | None = None) -> list[FoundPython]:
    """The notebook's project environment and the conda environments the user registered."""
    home = home or Path.home()
    prefixes: list[tuple[Path, str]] = []
    project = find_project(folder, home=home) if folder is not None else None
    if project is not None and project.kind == "venv":
        prefixes.append((project.path, project.label()))
    try:
        registered = (home / ".conda" / "environments.txt").read_text().splitlines()
    except OSError:
        registered = []
    prefixes += [
        (Path(line.strip()), f"conda {line.strip()}") for line in registered if line.strip()
    ]
    found: dict[str, FoundPython] = {}
    for prefix, label in prefixes:
        python = _venv_python(prefix)
        if python is not None:
            key = os.path.realpath(prefix)
            found.setdefault(key, FoundPython(str(python), label, _has_ipykernel_now(python)))
    return list(found.values())
