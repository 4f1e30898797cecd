"""The native menus: every item names an action, the same names as the page's toolbar
`data-action`s, so a menu item and a shortcut do exactly the same thing.

pywebview's `MenuAction` takes no accelerator, so the page's own key handler keeps the
shortcuts; the titles show them so they can be learned from the menus. The File → Export
items are the shell's own (`exports.py`): they need a save dialog and the client, not the
page. File → Open Recent lists `recent.py`'s notebooks as they were when the window
opened (pywebview builds a window's menu bar once), each opening its notebook.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from nbdesk.desktop.recent import RecentNotebook

MOD = "Cmd" if sys.platform == "darwin" else "Ctrl"

# (menu title, [(item title, action) or None for a separator])
MENUS: list[tuple[str, list[tuple[str, str] | None]]] = [
    (
        "File",
        [
            (f"New Notebook  {MOD}+N", "new-window"),
            (f"Open…  {MOD}+O", "open"),
            None,
            (f"Save  {MOD}+S", "save"),
            (f"Save As…  {MOD}+Shift+S", "save-as"),
            None,
            ("Export as HTML…", "export-html"),
            ("Export as Script…", "export-script"),
            ("Export as Markdown…", "export-markdown"),
            ("Export as PDF…", "export-pdf"),
            None,
            (f"Close Window  {MOD}+W", "close"),
            ("Quit", "quit"),
        ],
    ),
    (
        "Edit",
        [
            (f"Find…  {MOD}+F", "find"),
            (f"Find and Replace…  {MOD}+H", "find-replace"),
            ("Find Next  F3", "find-next"),
            ("Find Previous  Shift+F3", "find-previous"),
            ("Undo Replace", "undo-replace"),
            None,
            (f"Settings…  {MOD}+,", "settings"),
        ],
    ),
    (
        "View",
        [
            (f"Outline  {MOD}+Shift+O", "outline"),
            None,
            ("Hide/Show Input  Shift+I", "toggle-input"),
            ("Hide/Show Outputs  O", "toggle-outputs"),
            ("Scroll Long Outputs  Shift+O", "toggle-scrolled"),
        ],
    ),
    (
        "Cell",
        [
            ("Insert Cell Above", "add-above"),
            ("Insert Cell Below", "add-below"),
            ("Delete Cells  D D", "delete"),
            ("Undo Cell Deletion  Z", "undo-delete"),
            None,
            ("Cut Cells  X", "cut"),
            ("Copy Cells  C", "copy"),
            ("Paste Cells Below  V", "paste"),
            ("Merge Cells  Shift+M", "merge"),
            None,
            (f"Select All Cells  {MOD}+A", "select-all"),
            (f"Move Cells Up  {MOD}+Shift+Up", "move-up"),
            (f"Move Cells Down  {MOD}+Shift+Down", "move-down"),
            None,
            ("Make Code  Y", "to-code"),
            ("Make Markdown  M", "to-markdown"),
            ("Make Raw  R", "to-raw"),
            None,
            ("Clear Outputs", "clear-outputs"),
            ("Clear All Outputs", "clear-all-outputs"),
        ],
    ),
    (
        "Kernel",
        [
            (f"Run Cells  {MOD}+Enter", "run"),
            ("Run Cells and Advance  Shift+Enter", "run-next"),
            ("Run Selected Cells", "run-selected"),
            ("Run All Above", "run-above"),
            ("Run Selected and All Below", "run-below"),
            ("Run All", "run-all"),
            None,
            ("Interrupt  I I", "interrupt"),
            ("Restart…  0 0", "restart"),
            ("Restart and Run All…", "restart-run-all"),
            ("Restart and Clear Outputs…", "restart-clear"),
            None,
            ("Change Kernel…", "change-kernel"),
            ("Dependencies…", "dependencies"),
        ],
    ),
]


RECENT_TITLE = "Open Recent"
NO_RECENT = "No Recent Notebooks"


def build_menus(
    on_action: Callable[[str], None],
    recent: Sequence[RecentNotebook] = (),
    on_open_recent: Callable[[Path], None] | None = None,
) -> list[Any]:
    """pywebview menus whose items call `on_action(action)` (on a thread of their own);
    File → Open Recent's call `on_open_recent(path)`."""
    from webview.menu import Menu, MenuAction, MenuSeparator

    def item(entry: tuple[str, str] | None) -> Any:
        if entry is None:
            return MenuSeparator()
        title, action = entry
        return MenuAction(title, lambda: on_action(action))

    def recent_item(notebook: RecentNotebook) -> Any:
        opened = on_open_recent or (lambda _path: None)
        return MenuAction(notebook.title, lambda: opened(notebook.path))

    recent_items = [recent_item(n) for n in recent] or [MenuAction(NO_RECENT, lambda: None)]
    menus = []
    for title, items in MENUS:
        built = [item(entry) for entry in items]
        if title == "File":
            after_open = 1 + next(i for i, e in enumerate(items) if e and e[1] == "open")
            built.insert(after_open, Menu(RECENT_TITLE, recent_items))
        menus.append(Menu(title, built))
    return menus
