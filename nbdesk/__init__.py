"""nbdesk: a desktop Jupyter notebook app over a per-user daemon.

The public Python API is here: `nbdesk.open(path)`, `nbdesk.create()` and
`nbdesk.join(notebook_id)` give an async notebook client (see `nbdesk.daemon.client`).
They are loaded on first use, so `import nbdesk` (and the app's window path) stays cheap.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_PUBLIC = {
    "open": "nbdesk.daemon.client.notebook_client",
    "create": "nbdesk.daemon.client.notebook_client",
    "join": "nbdesk.daemon.client.notebook_client",
    "NotebookClient": "nbdesk.daemon.client.notebook_client",
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'nbdesk' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
