"""Whether a notebook's dependencies may be installed on this machine, and approving them.

A list is trusted when `metadata.nbdesk.trust.signature` is this user's HMAC (`trust_key`)
of the list's digest (`DeclaredDependencies.digest`: the normalised uv and conda lists and
channels, never code or outputs, so editing code keeps a notebook trusted while a
dependency changed outside nbdesk asks again), or when every package in it was approved
by this user before (`approved_packages`). Names close to popular ones are flagged
(`typosquat`).

Only `Trust.approval` makes an `Approval`, and `Environments.deps_env` builds nothing
without one for exactly the list it is asked to build: the daemon, not the page, is what
keeps an unapproved list from being installed.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from nbdesk.daemon.doc.dependencies import (
    DeclaredDependencies,
    GetMetadata,
    declared_dependencies,
    nbdesk_metadata_with,
    written_signature,
)
from nbdesk.daemon.doc.requirements import requirement_name
from nbdesk.daemon.envs import typosquat
from nbdesk.daemon.envs.approved_packages import ApprovedPackages
from nbdesk.daemon.envs.trust_key import TrustKey
from nbdesk.daemon.wire.broadcasts import TrustState
from nbdesk.daemon.wire.enums import TrustStatus
from nbdesk.daemon.wire.errors import EnvError, ErrorCode


@dataclass(frozen=True)
class Approval:
    """The user's consent to install exactly `dependencies` (the sorted uv list)."""

    dependencies: tuple[str, ...]


class ApprovalWatcher(Protocol):
    def changed(self) -> None: ...


class Trust:
    def __init__(self, folder: Path) -> None:
        self.key = TrustKey(folder)
        self.approved = ApprovedPackages(folder)
        self.generation = 0  # counts approvals: a cached assessment older than one is stale
        self._on_approval: weakref.WeakSet[ApprovalWatcher] = weakref.WeakSet()

    def __repr__(self) -> str:
        return f"Trust({self.key!r}, {self.approved!r})"

    def assess(self, get_metadata: GetMetadata) -> TrustState:
        """The notebook's list, its trust status and flags, for the page and the CLI. A
        list nbdesk cannot install from at all is `untrusted` with nothing to approve and
        the reason as its only flag."""
        try:
            declared = declared_dependencies(get_metadata)
        except EnvError as exc:
            return TrustState(
                status=TrustStatus.UNTRUSTED, dependencies=[], flagged=[exc.message], digest=""
            )
        listed = declared.listed
        if not listed:
            status = TrustStatus.NO_DEPENDENCIES
        else:
            status = self._status(declared, written_signature(get_metadata))
        return TrustState(
            status=status,
            dependencies=listed,
            flagged=typosquat.flags(listed),
            digest=declared.digest,
        )

    def _status(self, declared: DeclaredDependencies, signature: str | None) -> TrustStatus:
        if signature and self.key.verify(declared.digest, signature):
            return TrustStatus.TRUSTED
        if not declared.conda and not declared.channels and self.approved.covers(names(declared)):
            return TrustStatus.TRUSTED
        return TrustStatus.UNTRUSTED if signature is None else TrustStatus.SIGNATURE_INVALID

    def approval(self, get_metadata: GetMetadata) -> Approval | None:
        """Consent to build the notebook's environment, if it was given on this machine."""
        declared = declared_dependencies(get_metadata)
        if self._status(declared, written_signature(get_metadata)) != TrustStatus.TRUSTED:
            return None
        return Approval(tuple(sorted(declared.uv)))

    @staticmethod
    def require(approval: Approval | None, dependencies: tuple[str, ...]) -> None:
        """Refuse to build `dependencies` without consent for exactly them."""
        if approval is None or approval.dependencies != tuple(sorted(dependencies)):
            raise EnvError(
                f"the notebook's dependencies ({', '.join(dependencies)}) were not approved on "
                "this machine, so nothing is installed: approve them in the notebook's window, "
                "or with `nbdesk trust PATH`",
                code=ErrorCode.UNTRUSTED,
            )

    def signed(self, get_metadata: GetMetadata, dependencies: list[str] | None = None) -> str:
        """`metadata.nbdesk` (raw JSON) holding `dependencies` (None: the ones there now)
        and this user's signature of the notebook's list; the packages are remembered as
        approved. Raises EnvError (`bad_dependency`) for a list nbdesk will not install."""
        with_deps = nbdesk_metadata_with(get_metadata, dependencies=dependencies)

        def after(key: str) -> str | None:
            return with_deps if key == "nbdesk" else get_metadata(key)

        declared = declared_dependencies(after)
        signature = self.key.sign(declared.digest)
        self.remember(declared.listed)
        return nbdesk_metadata_with(after, signature=signature)

    def remember(self, requirements: list[str]) -> None:
        """The user approved these packages (by name) on this machine."""
        self.approved.remember(requirement_name(r) for r in requirements)
        self.generation += 1
        for watcher in list(self._on_approval):
            watcher.changed()

    def watch(self, watcher: ApprovalWatcher) -> None:
        """Call `watcher.changed()` after each approval: approving packages in one notebook
        can make another open notebook with the same packages trusted (held weakly)."""
        self._on_approval.add(watcher)


def names(declared: DeclaredDependencies) -> set[str]:
    """The normalised names of every package the notebook lists."""
    return {requirement_name(requirement) for requirement in declared.listed}
