"""Blocking nbdesk for scripts and the REPL: `with nbdesk.sync.open("a.ipynb") as nb:`."""

from nbdesk.daemon.client.sync import SyncNotebook, create, join, open

__all__ = ["SyncNotebook", "create", "join", "open"]
