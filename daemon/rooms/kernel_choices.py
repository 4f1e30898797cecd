"""The kernel picker, daemon side: what a notebook may run on, and the user's pick.

`list_choices` offers every installed kernelspec, the notebook's project, the Python
environments found on this machine, the prewarmed default, and the kernelspecs of every
Jupyter server the user added ("NAME on SERVER"; a server that does not answer within
`REMOTE_LIST_TIMEOUT` is left out and logged, so it never holds the picker up). `change_kernel` checks a
pick (installing ipykernel only when the user agreed), remembers it for the room (so
restarts and daemon restarts keep it), writes `metadata.kernelspec` and `language_info`
so the file says what it runs on (for a remote kernel `metadata.nbdesk.server` holds the
server's name, never its URL or token), and restarts the kernel there; every window follows
through the document and the `kernel_location` broadcast.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from pathlib import Path
from typing import Any

from nbdesk.daemon.envs import kernelspecs, projects, python_envs
from nbdesk.daemon.envs.resolution import DEFAULT_LABEL, PYTHON_NAME
from nbdesk.daemon.home import servers
from nbdesk.daemon.home.servers import Server
from nbdesk.daemon.kernels.jupyter_api import JupyterApi, RemoteSpec, list_kernelspecs
from nbdesk.daemon.rooms.room import Room
from nbdesk.daemon.wire.enums import KernelChoiceKind, ResolutionSource
from nbdesk.daemon.wire.errors import EnvError, ErrorCode, MissingIpykernel, NbdeskError
from nbdesk.daemon.wire.requests import ChangeKernel
from nbdesk.daemon.wire.responses import KernelChoice

DEFAULT_NAME = "Python 3 (prewarmed default)"
REMOTE_LIST_TIMEOUT = 3.0
log = logging.getLogger(__name__)


async def list_choices(room: Room) -> list[KernelChoice]:
    choices = local_choices(room)
    choices.extend(await remote_choices(room))
    return choices


async def remote_choices(room: Room) -> list[KernelChoice]:
    """Every added server's kernelspecs, asked of all servers at once."""
    try:
        known = list(servers.load(room.context.home).values())
    except NbdeskError as exc:
        log.warning("not offering remote kernels: %s", exc)
        return []
    listed = await asyncio.gather(
        *(list_kernelspecs(server, REMOTE_LIST_TIMEOUT) for server in known),
        return_exceptions=True,
    )
    location, pick = room.kernel.location, room.kernel_choice
    choices = []
    for server, specs in zip(known, listed, strict=True):
        if isinstance(specs, BaseException):
            log.warning("not offering the kernels of %s: %s", server.name, specs)
            continue
        for spec in specs.values():
            name = servers.pick_name(server.name, spec.name)
            current = pick == (KernelChoiceKind.REMOTE, name) or (
                pick is None
                and location is not None
                and location.source == ResolutionSource.SERVER
                and location.env == server.url
                and location.kernelspec == spec.name
            )
            choices.append(_remote_choice(server, spec, current))
    return choices


def _remote_choice(server: Server, spec: RemoteSpec, current: bool) -> KernelChoice:
    return KernelChoice(
        kind=KernelChoiceKind.REMOTE,
        name=servers.pick_name(server.name, spec.name),
        display_name=f"{spec.display_name} on {server.name}",
        language=spec.language,
        env=server.url,
        current=current,
    )


def local_choices(room: Room) -> list[KernelChoice]:
    location = room.kernel.location
    running = location.phase if location else None
    pick = room.kernel_choice

    def current(kind: KernelChoiceKind, name: str) -> bool:
        if running is None or location is None:
            return False
        if pick is not None:
            return pick == (kind, name)
        if kind == KernelChoiceKind.KERNELSPEC:
            return location.source == ResolutionSource.KERNELSPEC and location.kernelspec == name
        if kind == KernelChoiceKind.PROJECT:
            return location.source == ResolutionSource.PROJECT
        if kind == KernelChoiceKind.DEFAULT:
            return location.source == ResolutionSource.DEFAULT
        return False

    choices = [
        KernelChoice(
            kind=KernelChoiceKind.KERNELSPEC,
            name=name,
            display_name=str(spec.display_name),
            language=str(spec.language),
            env=kernelspecs.program(spec),
            current=current(KernelChoiceKind.KERNELSPEC, name),
        )
        for name, spec in kernelspecs.installed().items()
    ]
    folder = room.project_folder
    project = projects.find_project(folder) if folder else None
    if project is not None:
        choices.append(
            KernelChoice(
                kind=KernelChoiceKind.PROJECT,
                name=str(project.path),
                display_name=f"Python ({project.label()})",
                language="python",
                env=str(project.root),
                current=current(KernelChoiceKind.PROJECT, str(project.path)),
            )
        )
    for found in python_envs.python_environments(folder):
        if project is not None and Path(found.python).is_relative_to(project.root):
            continue  # offered above as the project itself
        choices.append(
            KernelChoice(
                kind=KernelChoiceKind.PYTHON,
                name=found.python,
                display_name=f"Python ({found.label})",
                language="python",
                env=found.python,
                has_ipykernel=found.has_ipykernel,
                current=current(KernelChoiceKind.PYTHON, found.python),
            )
        )
    choices.append(
        KernelChoice(
            kind=KernelChoiceKind.DEFAULT,
            name="",
            display_name=DEFAULT_NAME,
            language="python",
            env=DEFAULT_LABEL,
            current=current(KernelChoiceKind.DEFAULT, ""),
        )
    )
    return choices


async def change_kernel(room: Room, request: ChangeKernel) -> None:
    kind, name = request.kind, request.name
    server_name: str | None = None
    if kind == KernelChoiceKind.REMOTE:
        # asked before anything changes: an unreachable server leaves the room as it was
        server_name, spec_name = servers.split_pick(name)
        remote = await _remote_spec(servers.get(room.context.home, server_name), spec_name)
        kernelspec = {
            "name": spec_name,
            "display_name": remote.display_name,
            "language": remote.language,
        }
    elif kind == KernelChoiceKind.KERNELSPEC:
        spec = kernelspecs.require(name)
        kernelspec = {"name": name, "display_name": spec.display_name, "language": spec.language}
    else:
        if kind == KernelChoiceKind.PYTHON:
            await _python_ready(room, name, consent=request.install_ipykernel)
        kernelspec = {"name": "python3", "display_name": PYTHON_NAME, "language": "python"}
    before = (room.kernel_choice, {key: room.doc.get_metadata(key) for key in _PICK_METADATA})
    await room.choose_kernel((kind, name))
    with room.doc.change():
        room.doc.set_metadata("kernelspec", json.dumps(kernelspec))
        room.doc.set_metadata("language_info", json.dumps({"name": kernelspec["language"]}))
        _write_server(room, server_name)
    room.local_change()
    try:
        await room.kernel.launch()
    except Exception:
        await _take_back(room, *before)  # a server that refuses the kernel changes nothing
        raise
    session = room.kernel.session
    language_info = session.kernel_info.get("language_info") if session else None
    if isinstance(language_info, dict) and language_info:
        room.doc.set_metadata("language_info", json.dumps(language_info))
        room.local_change()


_PICK_METADATA = ("kernelspec", "language_info", "nbdesk")


async def _take_back(
    room: Room, pick: tuple[KernelChoiceKind, str] | None, metadata: dict[str, str | None]
) -> None:
    """Put back the pick and the metadata a refused kernel was about to replace."""
    await room.choose_kernel(pick)
    with room.doc.change():
        for key, value in metadata.items():
            if value is None:
                room.doc.delete_metadata(key)
            else:
                room.doc.set_metadata(key, value)
    room.local_change()


async def _python_ready(room: Room, python: str, *, consent: bool) -> None:
    """A picked interpreter exists and holds ipykernel, installed now if the user agreed."""
    if not (os.path.isfile(python) and os.access(python, os.X_OK)):
        raise EnvError(
            f"{python} is not a Python interpreter here: choose another kernel",
            code=ErrorCode.BAD_ENV,
        )
    if await python_envs.has_ipykernel(python):
        return
    if not consent:
        raise MissingIpykernel(python)
    envs = room.environments
    await python_envs.install_ipykernel(
        python, processes=envs.builders, on_line=room.kernel.on_build_line
    )


async def _remote_spec(server: Server, name: str) -> RemoteSpec:
    api = JupyterApi(server)
    try:
        return await api.kernelspec(name)
    finally:
        await api.close()


def _write_server(room: Room, server_name: str | None) -> None:
    """`metadata.nbdesk.server`: the server's name for a remote kernel, absent otherwise
    (the rest of `metadata.nbdesk`, such as its dependencies, is kept)."""
    raw = room.doc.get_metadata("nbdesk")
    try:
        section: Any = json.loads(raw) if raw else {}
    except ValueError:
        section = {}
    if not isinstance(section, dict):
        section = {}
    if server_name is None:
        if "server" not in section:
            return
        section.pop("server")
    else:
        section["server"] = server_name
    room.doc.set_metadata("nbdesk", json.dumps(section))
