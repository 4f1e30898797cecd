"""File → Export in the app: which menu action writes which format, the name the save
dialog suggests, and the export itself, which is `nbdesk export`'s (the client reads the
daemon's document, so what the window shows, unsaved edits included, is what is written;
PDF is printed by the app's own Qt WebEngine, `qt_pdf.py`, where the app runs on Qt). Imports nbconvert only when
an export runs, so opening a window does not pay for it. Does not show dialogs
(`app.py` does).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from nbdesk.daemon.home.config import Home

# menu action -> `nbdesk export --to` format
EXPORT_ACTIONS = {
    "export-html": "html",
    "export-script": "script",
    "export-markdown": "markdown",
    "export-pdf": "pdf",
}
# A script's suffix is the kernel's language's, which the export adds when the name has none.
SUGGESTED_SUFFIX = {"html": ".html", "script": "", "markdown": ".md", "pdf": ".pdf"}


def suggested_name(notebook_path: str | None, fmt: str) -> str:
    stem = Path(notebook_path).stem if notebook_path else "Untitled"
    return stem + SUGGESTED_SUFFIX[fmt]


def chosen_path(chosen: object) -> Path | None:
    """A save dialog's answer (a str on macOS, a 1-tuple elsewhere), or None if cancelled."""
    if not chosen:
        return None
    if isinstance(chosen, str):
        return Path(chosen)
    if isinstance(chosen, tuple | list):
        return Path(str(chosen[0]))
    return None


async def export_with_dialog(
    home: Home, notebook_id: str, fmt: str, ask: Callable[[str, str], object]
) -> Path | None:
    """Export the notebook a window shows to where `ask(folder, suggested_name)` (the save
    dialog, blocking, run on a thread) says; the path written, or None when cancelled."""
    from nbdesk.daemon.client.export import ExportFormat, export
    from nbdesk.daemon.client.notebook_client import NotebookClient
    from nbdesk.desktop.qt_pdf import qt_printer

    async with NotebookClient.join(notebook_id, home) as client:
        folder = str(Path(client.path).parent) if client.path else ""
        name = suggested_name(client.path, fmt)
        target = chosen_path(await asyncio.to_thread(ask, folder, name))
        if target is None:
            return None
        return await export(client, ExportFormat(fmt), target, printer=qt_printer())
