"""The native menus: every item names an action, the same names as the page's toolbar
`data-action`s, so a menu item and a shortcut do exactly the same thing.

pywebview's `MenuAction` takes no accelerator, so the page's own key handler keeps the
shortcuts; the titles show them so they can be learned from the menus. The File → Export
items are the shell's own (`exports.py`): they need a save dialog and the client, not the
page.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

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
        ],
    ),
    (
        "View",
        [(f"Outline  {MOD}+Shift+O", "outline")],
    ),
    (
        "Cell",
        [
            ("Insert Cell Above", "add-above"),
            ("Insert Cell Below", "add-below"),
            ("Delete Cell", "delete"),
            None,
            ("Move Cell Up", "move-up"),
            ("Move Cell Down", "move-down"),
            None,
            ("Make Code", "to-code"),
            ("Make Markdown", "to-markdown"),
            ("Make Raw", "to-raw"),
        ],
    ),
    (
        "Kernel",
        [
            ("Run Cell  Ctrl+Enter", "run"),
            ("Run Cell and Advance  Shift+Enter", "run-next"),
            ("Run All", "run-all"),
            None,
            ("Interrupt", "interrupt"),
            ("Restart", "restart"),
            None,
            ("Change Kernel…", "change-kernel"),
        ],
    ),
]


def build_menus(on_action: Callable[[str], None]) -> list[Any]:
    """pywebview menus whose items call `on_action(action)` (on a thread of their own)."""
    from webview.menu import Menu, MenuAction, MenuSeparator

    def item(entry: tuple[str, str] | None) -> Any:
        if entry is None:
            return MenuSeparator()
        title, action = entry
        return MenuAction(title, lambda: on_action(action))

    return [Menu(title, [item(entry) for entry in items]) for title, items in MENUS]
