"""The handlers of the notebook's packages: its trust state, approving it, editing the
list (the dependencies panel) and what the kernel's environment holds.

Approval is checked at the time of use: the request names the digest of the list the
dialog showed (and the server first waits for the document heads the dialog was drawn
from), and is refused with `trust_changed` when the list in the document now is another,
whether another window, a script or an edit of the file on disk changed it. A list
written through `set_dependencies` is signed as written, because the user typed it
(what they add is remembered as approved), unless it keeps packages from a list that was
never approved (then the list still asks).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nbdesk.daemon.doc.dependencies import declared_dependencies, nbdesk_metadata_with
from nbdesk.daemon.doc.requirements import check_requirement, requirement_name
from nbdesk.daemon.envs.python_envs import installed_packages
from nbdesk.daemon.rooms.room import Room
from nbdesk.daemon.wire.enums import TrustStatus
from nbdesk.daemon.wire.errors import EnvError, ErrorCode, KernelError
from nbdesk.daemon.wire.requests import ApproveTrust, GetTrust, ListPackages, SetDependencies
from nbdesk.daemon.wire.responses import Package, Packages, Result, TrustReply


async def get_trust(room: Room, request: GetTrust) -> TrustReply:
    return TrustReply(trust=room.trust.current())


async def approve_trust(room: Room, request: ApproveTrust) -> TrustReply:
    declared_dependencies(room.doc.get_metadata)  # a list nbdesk cannot install: say why
    shown = request.digest
    now = room.trust.current()
    if now.digest != shown:
        listed = ", ".join(now.dependencies) or "no packages"
        raise EnvError(
            f"the notebook's dependencies changed since they were shown (it now lists "
            f"{listed}): nothing was approved; look at the list again and approve that one",
            code=ErrorCode.TRUST_CHANGED,
        )
    if not now.dependencies:
        return TrustReply(trust=now)
    room.doc.set_metadata("nbdesk", room.context.environments.trust.signed(room.doc.get_metadata))
    room.local_change()
    return TrustReply(trust=room.trust.current())


async def set_dependencies(room: Room, request: SetDependencies) -> TrustReply:
    written = list(
        dict.fromkeys(
            check_requirement(item, "set_dependencies")
            for item in request.dependencies
            if item.strip()
        )
    )
    before = room.trust.current()
    trust = room.context.environments.trust
    trust.remember([item for item in written if item not in before.dependencies])
    kept = {requirement_name(item) for item in written if item in before.dependencies}
    if before.status in (TrustStatus.TRUSTED, TrustStatus.NO_DEPENDENCIES) or (
        kept <= trust.approved.names
    ):
        value = trust.signed(room.doc.get_metadata, written)
    else:  # it keeps packages never approved: the new list asks, as the old one did
        value = nbdesk_metadata_with(room.doc.get_metadata, dependencies=written)
    room.doc.set_metadata("nbdesk", value)
    room.local_change()
    return TrustReply(trust=room.trust.current())


async def list_packages(room: Room, request: ListPackages) -> Packages:
    session = room.kernel.session
    if session is None:
        raise KernelError(
            "no kernel is running, so there is no environment to list: start the kernel",
            code=ErrorCode.NO_KERNEL,
        )
    python = session.python
    if python is None or session.language.lower() != "python":
        return Packages(python=None, packages=[])
    listed = await installed_packages(python, room.context.environments.builders)
    packages = [Package(name=name, version=version) for name, version in listed]
    return Packages(python=python, packages=sorted(packages, key=lambda p: p.name.lower()))


HANDLERS: dict[type, Callable[[Room, Any], Awaitable[Result]]] = {
    GetTrust: get_trust,
    ApproveTrust: approve_trust,
    SetDependencies: set_dependencies,
    ListPackages: list_packages,
}
