"""nbdesk: a desktop Jupyter notebook app over a per-user daemon.

The public Python API is here:

    async with nbdesk.open("a.ipynb") as nb:       # or nbdesk.create(), nbdesk.join(id)
        result = await nb.run("1 + 1")              # an ExecutionResult

and `nbdesk.sync.open(...)` for scripts and the REPL (see `nbdesk.daemon.client`).
Names are loaded on first use, so `import nbdesk` (and the app's window path) stays
cheap: it imports neither Automerge nor nbformat.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_CLIENT = "nbdesk.daemon.client"
_PUBLIC = {
    "open": f"{_CLIENT}.notebook_client",
    "create": f"{_CLIENT}.notebook_client",
    "join": f"{_CLIENT}.notebook_client",
    "NotebookClient": f"{_CLIENT}.notebook_client",
    "ControlClient": f"{_CLIENT}.control_client",
    "DaemonNotRunning": f"{_CLIENT}.connection",
    "ExecutionResult": f"{_CLIENT}.results",
    "Completion": "nbdesk.daemon.wire.responses",
    "DaemonStatusReply": "nbdesk.daemon.wire.responses",
    "Pong": "nbdesk.daemon.wire.responses",
    "NbdeskError": "nbdesk.daemon.wire.errors",
}
_SUBMODULES = {"sync": "nbdesk.sync"}

__all__ = ["__version__", "sync", *_PUBLIC]


def __getattr__(name: str) -> Any:
    import importlib

    if name in _SUBMODULES:
        return importlib.import_module(_SUBMODULES[name])
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'nbdesk' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
