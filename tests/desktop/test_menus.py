"""The native menus name only actions the page knows (plus the shell's own Quit and
exports), each once, so a menu item can never send something nobody handles."""

from __future__ import annotations

from nbdesk.daemon.wire.control import Action
from nbdesk.desktop.exports import EXPORT_ACTIONS
from nbdesk.desktop.menus import MENUS

SHELL_ACTIONS = {"quit", *EXPORT_ACTIONS}


def test_every_menu_item_is_a_page_action_listed_once() -> None:
    actions = [entry[1] for _, items in MENUS for entry in items if entry is not None]
    assert len(actions) == len(set(actions)), "an action appears in two menu items"
    unknown = [a for a in actions if a not in SHELL_ACTIONS and a not in set(Action)]
    assert unknown == []


def test_the_run_variants_and_folds_are_in_the_menus() -> None:
    actions = {entry[1] for _, items in MENUS for entry in items if entry is not None}
    wanted = {
        "run-selected",
        "run-above",
        "run-below",
        "restart-run-all",
        "restart-clear",
        "merge",
        "select-all",
        "toggle-input",
        "toggle-outputs",
        "toggle-scrolled",
        "undo-delete",
    }
    assert wanted <= actions, wanted - actions
