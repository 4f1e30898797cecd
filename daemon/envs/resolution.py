"""Where a notebook's kernel runs, decided per notebook in a documented order.

1. the user's own choice (the kernel picker, `nbdesk run --kernel`), kept per room; a
   kernel of a Jupyter server the user added is one of these choices;
   then the notebook's own `metadata.nbdesk.server` (a remote kernel chosen where the
   notebook was written: that server's kernelspec `metadata.kernelspec.name`);
2. the notebook's inline dependencies (`metadata.nbdesk.uv` and friends), only once the
   user approved them here (`nbdesk.daemon.envs.trust`); an unapproved list is skipped
   and the kernel runs on what comes next, without those packages;
3. the nearest project near the notebook (`pyproject.toml`, `environment.yml`, a
   `.venv`), walking up to a `.git` folder or the home directory;
4. `metadata.kernelspec.name` when a kernelspec of that name is installed (`python3`,
   which every Python notebook names, means "a Python 3" and falls through);
5. the prewarmed default: the environment the room already owns, a hot kernel, the uv
   pool, and failing all of those the daemon's own interpreter.

Untitled notebooks with no folder skip the project step: a new notebook starts at once.
The result is a `KernelTarget`: what to start and what the status line says about it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Generic, Protocol

from jupyter_client.kernelspec import KernelSpec

from nbdesk.daemon.envs import kernelspecs, projects, python_envs
from nbdesk.daemon.envs.env import Env, Processes
from nbdesk.daemon.envs.hot_kernels import HotKernel, HotKernels, S
from nbdesk.daemon.envs.trust import Approval, Trust
from nbdesk.daemon.home import servers
from nbdesk.daemon.home.config import Home
from nbdesk.daemon.home.servers import RemoteKernelRef
from nbdesk.daemon.wire.broadcasts import EnvProgress
from nbdesk.daemon.wire.enums import KernelChoiceKind, ResolutionSource
from nbdesk.daemon.wire.errors import EnvError, ErrorCode, MissingIpykernel, MissingKernelspec

DEFAULT_LABEL = "nbdesk's prewarmed Python"
PYTHON_NAME = "Python 3 (ipykernel)"


# What the user picked: a kind and a name (kernelspec name, interpreter, project file).
KernelPick = tuple[KernelChoiceKind, str]


@dataclass
class KernelTarget(Generic[S]):
    """What to start (ipykernel from `python`, or `kernelspec`), and for people where."""

    source: ResolutionSource
    display_name: str
    language: str
    env_label: str
    python: str | None = None
    kernelspec: KernelSpec | None = None
    kernelspec_name: str | None = None
    env: Env | None = None
    hot: HotKernel[S] | None = None
    deps: tuple[str, ...] = ()
    missing_kernelspec: str | None = None
    remote: RemoteKernelRef | None = None

    def for_restart(self) -> KernelTarget[S]:
        """The same place without the hot kernel it may have come from."""
        return replace(self, hot=None)


def named_kernelspec(get_metadata: Callable[[str], str | None]) -> tuple[str, str]:
    """(name, language) of `metadata.kernelspec`, empty strings when absent or unusable."""
    raw = get_metadata("kernelspec")
    try:
        value = json.loads(raw) if raw else None
    except ValueError:
        return "", ""
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        return "", ""
    language = value.get("language")
    return value["name"], language if isinstance(language, str) else ""


def notebook_server(get_metadata: Callable[[str], str | None]) -> str | None:
    """`metadata.nbdesk.server`: the name (only) of the Jupyter server the notebook runs on."""
    raw = get_metadata("nbdesk")
    try:
        value = json.loads(raw) if raw else None
    except ValueError:
        return None
    server = value.get("server") if isinstance(value, dict) else None
    return server if isinstance(server, str) and server else None


def remote_target(
    home: Home, server_name: str, kernelspec: str, source: ResolutionSource
) -> KernelTarget[S]:
    """A kernel of a server the user added; its display name and language come from the
    server once it starts."""
    server = servers.get(home, server_name)
    return KernelTarget(
        source=source,
        display_name=f"{kernelspec} on {server.name}",
        language="",
        env_label=server.url,
        kernelspec_name=kernelspec,
        remote=RemoteKernelRef(server, kernelspec),
    )


def kernelspec_target(name: str, spec: KernelSpec, source: ResolutionSource) -> KernelTarget[S]:
    return KernelTarget(
        source=source,
        display_name=str(spec.display_name),
        language=str(spec.language),
        env_label=kernelspecs.program(spec),
        kernelspec=spec,
        kernelspec_name=name,
    )


def python_target(python: str | None, label: str, source: ResolutionSource) -> KernelTarget[S]:
    return KernelTarget(
        source=source, display_name=PYTHON_NAME, language="python", env_label=label, python=python
    )


class EnvironmentSource(Protocol[S]):
    """What the resolution takes environments from (`environments.Environments`)."""

    root: Path
    cache_dir: Path
    nbdesk_home: Home  # where the user's Jupyter servers are kept
    builders: Processes
    hot: HotKernels[S]
    trust: Trust

    def owned_by(self, owner: str) -> Env | None: ...

    def take(self, kind: str, owner: str) -> Env | None: ...

    async def layer_for(self, base: Env, owner: str) -> Env: ...

    async def take_waiting(self, kind: str, owner: str) -> Env: ...

    async def deps_env(
        self,
        deps: tuple[str, ...],
        approval: Approval | None,
        on_progress: Callable[[EnvProgress], None],
    ) -> Env: ...


class Resolver(Generic[S]):
    """Runs the resolution order against the daemon's environments."""

    def __init__(self, environments: EnvironmentSource[S], home: Path | None = None) -> None:
        self.envs = environments
        self.home = home

    async def resolve(
        self,
        owner: str,
        *,
        folder: Path | None,
        get_metadata: Callable[[str], str | None],
        chosen: KernelPick | None,
        deps: tuple[str, ...],
        on_progress: Callable[[EnvProgress], None],
        on_line: Callable[[str], None],
    ) -> KernelTarget[S]:
        if chosen is not None:
            return await self.chosen(owner, chosen, folder, on_line)
        if (server := notebook_server(get_metadata)) is not None:
            name = named_kernelspec(get_metadata)[0] or "python3"
            return remote_target(self.envs.nbdesk_home, server, name, ResolutionSource.SERVER)
        approval = self.envs.trust.approval(get_metadata) if deps else None
        if approval is not None:
            shared = await self.envs.deps_env(deps, approval, on_progress)
            env = await self.envs.layer_for(shared, owner)  # %pip installs here, not there
            label = f"the notebook's dependencies ({', '.join(deps)})"
            target: KernelTarget[S] = python_target(env.python, label, ResolutionSource.INLINE_DEPS)
            target.env, target.deps = env, deps
            return target
        target = await self._without_dependencies(owner, folder, get_metadata, on_line)
        if deps:
            target.env_label += f", without {', '.join(deps)} (not approved here)"
        return target

    async def _without_dependencies(
        self,
        owner: str,
        folder: Path | None,
        get_metadata: Callable[[str], str | None],
        on_line: Callable[[str], None],
    ) -> KernelTarget[S]:
        """Steps 3 to 5 of the order."""
        if folder is not None and (project := projects.find_project(folder, home=self.home)):
            return await self.project(project, ResolutionSource.PROJECT, on_line)
        name, language = named_kernelspec(get_metadata)
        missing = None
        if name and name not in kernelspecs.GENERIC_PYTHON:
            spec = kernelspecs.find(name)
            if spec is not None:
                return kernelspec_target(name, spec, ResolutionSource.KERNELSPEC)
            if language.lower() not in ("", "python"):
                raise MissingKernelspec(
                    f"this notebook asks for the kernel {name!r} ({language}), which is not "
                    "installed here: install it, or choose another kernel with Change kernel…",
                    name,
                )
            missing = name  # a Python notebook from elsewhere: the default Python runs it
        target = await self.default(owner)
        target.missing_kernelspec = missing
        return target

    async def chosen(
        self,
        owner: str,
        pick: KernelPick,
        folder: Path | None,
        on_line: Callable[[str], None],
    ) -> KernelTarget[S]:
        kind, name = pick
        source = ResolutionSource.CHOSEN
        if kind == KernelChoiceKind.KERNELSPEC:
            return kernelspec_target(name, kernelspecs.require(name), source)
        if kind == KernelChoiceKind.REMOTE:
            server, kernelspec = servers.split_pick(name)
            return remote_target(self.envs.nbdesk_home, server, kernelspec, source)
        if kind == KernelChoiceKind.PYTHON:
            await check_python(name)
            return python_target(name, name, source)
        if kind == KernelChoiceKind.PROJECT:
            project = projects.find_project(folder, home=self.home) if folder else None
            if project is None or str(project.path) != name:
                raise EnvError(
                    f"the project {name} is no longer this notebook's: choose a kernel again",
                    code=ErrorCode.BAD_PROJECT,
                )
            return await self.project(project, source, on_line)
        target = await self.default(owner)
        target.source = source
        return target

    async def project(
        self, project: projects.Project, source: ResolutionSource, on_line: Callable[[str], None]
    ) -> KernelTarget[S]:
        python = await projects.project_python(
            project,
            envs_root=self.envs.root,
            cache_dir=self.envs.cache_dir,
            processes=self.envs.builders,
            on_line=on_line,
        )
        if not await python_envs.has_ipykernel(python):
            raise MissingIpykernel(python)
        return python_target(python, project.label(), source)

    async def pool(self, kind: str, owner: str) -> KernelTarget[S]:
        """An environment from the `kind` pool ("uv" or "conda"), waiting for one."""
        env = await self.envs.take_waiting(kind, owner)
        target: KernelTarget[S] = python_target(
            env.python, f"a {kind} pool environment", ResolutionSource.CHOSEN
        )
        target.env = env
        return target

    async def default(self, owner: str) -> KernelTarget[S]:
        """The prewarmed default: the room's own pool environment, a hot kernel, the uv
        pool, or the daemon's own interpreter."""
        envs = self.envs
        if (env := envs.owned_by(owner)) is not None:
            env.touch()
            target: KernelTarget[S] = python_target(
                env.python, DEFAULT_LABEL, ResolutionSource.DEFAULT
            )
            target.env = env
            return target
        if (hot := envs.hot.take()) is not None:  # the caller moves it to its folder
            if hot.env is not None:
                hot.env.touch(owner)
            python = hot.env.python if hot.env else None
            target = python_target(python, DEFAULT_LABEL, ResolutionSource.DEFAULT)
            target.env, target.hot = hot.env, hot
            return target
        env = envs.take("uv", owner)
        if env is None:
            return python_target(None, "nbdesk's own Python", ResolutionSource.DEFAULT)
        target = python_target(env.python, DEFAULT_LABEL, ResolutionSource.DEFAULT)
        target.env = env
        return target


async def check_python(python: str) -> None:
    """A picked interpreter must exist and hold ipykernel (consent is asked before)."""
    if not (os.path.isfile(python) and os.access(python, os.X_OK)):
        raise EnvError(
            f"{python} is not a Python interpreter here: choose another kernel",
            code=ErrorCode.BAD_ENV,
        )
    if not await python_envs.has_ipykernel(python):
        raise MissingIpykernel(python)
