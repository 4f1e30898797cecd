"""A room's trust state: assessed from its document, broadcast to its peers as
`trust_state` when it changes, and sent to each peer that joins.

Assessing reads only the metadata keys a dependency list or signature can live in, and is
redone only when one of them (or the user's approvals) changed, so typing in a cell costs
a few dictionary lookups. The rules are `nbdesk.daemon.envs.trust`'s.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from nbdesk.daemon.doc.dependencies import CONDA_KEYS, KEYS
from nbdesk.daemon.doc.notebook_doc import NotebookDoc
from nbdesk.daemon.envs.trust import Trust
from nbdesk.daemon.wire.broadcasts import TrustState

WATCHED_KEYS = tuple(dict.fromkeys((*KEYS, *CONDA_KEYS)))


class RoomTrust:
    def __init__(
        self, doc: NotebookDoc, trust: Trust, broadcast: Callable[[msgspec.Struct], None]
    ) -> None:
        self.doc = doc
        self.trust = trust
        self._broadcast = broadcast
        self._assessed: tuple[object, ...] | None = None
        self._state: TrustState | None = None
        self._sent: TrustState | None = None
        trust.watch(self)  # an approval elsewhere can trust this notebook's packages too

    def __repr__(self) -> str:
        return f"RoomTrust({self._state.status if self._state else 'unassessed'})"

    def current(self) -> TrustState:
        inputs = (self.trust.generation, *(self.doc.get_metadata(k) for k in WATCHED_KEYS))
        if self._state is None or inputs != self._assessed:
            self._state = self.trust.assess(self.doc.get_metadata)
            self._assessed = inputs
        return self._state

    def changed(self) -> None:
        """After a document change: tell the peers if the state is not what they heard."""
        state = self.current()
        if state != self._sent:
            self._sent = state
            self._broadcast(state)
