"""The Python environments on this machine a user may pick a kernel from, and whether
each has ipykernel.

The kernel picker offers the environments a user already has: the notebook's project
`.venv`, the conda environments conda registered (`~/.conda/environments.txt`) and the
folders in `~/.virtualenvs`. Listing them must stay cheap (the picker opens on a click),
so nothing here starts a Python per environment: ipykernel is looked for as a package
folder in site-packages. `has_ipykernel` asks the interpreter itself when that finds
nothing, and `install_ipykernel` adds it, which the caller does only after the user
agreed: nbdesk never changes an environment silently.

Preparing a project's environment is `projects`; the default (pooled) environment is
`environments`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nbdesk.daemon.envs.env import Processes, uv_pip_install
from nbdesk.daemon.envs.projects import find_project, shorten, venv_python
from nbdesk.daemon.wire.errors import EnvError, ErrorCode

CHECK_TIMEOUT = 30.0
FIND_IPYKERNEL = (
    "import importlib.util, sys; sys.exit(importlib.util.find_spec('ipykernel') is None)"
)
LIST_DISTRIBUTIONS = """
import importlib.metadata as m, json, re
seen = {}
for d in m.distributions():  # in sys.path order: the copy Python imports comes first
    name = d.metadata["Name"]
    if name:  # PEP 503-normalised, as `uv pip list` writes it
        name = re.sub(r"[-_.]+", "-", name).lower()
        seen.setdefault(name, (name, d.version))
print(json.dumps(sorted(seen.values())))
"""


@dataclass(frozen=True)
class FoundPython:
    """An interpreter the picker can offer, and what to call it."""

    python: str
    label: str
    has_ipykernel: bool


def python_environments(folder: Path | None, *, home: Path | None = None) -> list[FoundPython]:
    """The project's environment (its `.venv` or `venv`, when `folder` is in a project),
    the registered conda environments, then `~/.virtualenvs/*`; each environment once
    (by its folder's real path), and only those with a `bin/python`."""
    home = home or Path.home()
    found: list[FoundPython] = []
    seen: set[str] = set()

    def add(prefix: Path, label: str) -> None:
        python = venv_python(prefix)
        key = os.path.realpath(prefix)
        if python is None or key in seen:
            return
        seen.add(key)
        found.append(FoundPython(str(python), label, ipykernel_installed(prefix)))

    if folder is not None and (project := find_project(folder, home=home)) is not None:
        if project.kind == "venv":
            add(project.path, project.label())
        for name in (".venv", "venv"):
            add(project.root / name, f"project {shorten(project.root, home)} ({name}/)")
    for prefix in _conda_prefixes(home):
        add(prefix, _conda_label(prefix, home))
    virtualenvs = home / ".virtualenvs"
    if virtualenvs.is_dir():
        for prefix in sorted(virtualenvs.iterdir()):
            add(prefix, f"virtualenv {prefix.name}")
    return found


def _conda_prefixes(home: Path) -> list[Path]:
    """The prefixes conda records in `~/.conda/environments.txt`, one a line."""
    try:
        text = (home / ".conda" / "environments.txt").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return [Path(line.strip()) for line in text.splitlines() if line.strip()]


def _conda_label(prefix: Path, home: Path) -> str:
    # named environments live in `<base>/envs/<name>`; any other prefix is a base install
    name = prefix.name if prefix.parent.name == "envs" else "base"
    return f"conda {name} ({shorten(prefix, home)})"


def ipykernel_installed(prefix: Path) -> bool:
    """Whether the environment at `prefix` has an ipykernel package folder (venv and conda
    layouts alike put it in `lib/pythonX.Y/site-packages`)."""
    return any(prefix.glob("lib/python3*/site-packages/ipykernel/__init__.py"))


async def has_ipykernel(python: str) -> bool:
    """Whether `python` can import ipykernel: the package folder when it is there, else the
    interpreter's own answer (system site-packages, unusual layouts). A Python that does
    not run is an EnvError, not a missing ipykernel that an install would fix."""
    if ipykernel_installed(Path(python).parent.parent):
        return True
    processes = Processes()
    try:
        await processes.run(python, "-c", "pass", timeout=CHECK_TIMEOUT)
    except (EnvError, OSError) as exc:
        raise EnvError(
            f"the Python at {python} does not run ({exc}); repair or recreate that environment",
            code=ErrorCode.BAD_ENV,
        ) from None
    try:
        await processes.run(python, "-c", FIND_IPYKERNEL, timeout=CHECK_TIMEOUT)
    except EnvError:
        return False
    return True


async def install_ipykernel(
    python: str, *, processes: Processes, on_line: Callable[[str], None]
) -> None:
    """`uv pip install --python PY ipykernel`, uv's output streamed to `on_line`. Only ever
    called after the user agreed to change that environment."""
    try:
        await uv_pip_install(python, ("ipykernel",), processes, on_line)
    except EnvError as exc:
        raise EnvError(f"installing ipykernel into {python}: {exc}") from None


async def installed_packages(python: str, processes: Processes) -> list[tuple[str, str]]:
    """(name, version) of every distribution `python` imports from, asked of `python`
    itself, so a notebook's private layer lists its own packages and the shared
    environment's under it (`uv pip list` sees one site-packages)."""
    out = await processes.run(python, "-c", LIST_DISTRIBUTIONS, timeout=CHECK_TIMEOUT)
    try:
        return [(str(name), str(version)) for name, version in json.loads(out)]
    except (ValueError, TypeError) as exc:
        raise EnvError(f"{python} listed its packages unreadably: {exc}") from exc
