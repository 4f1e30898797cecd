"""The control plane between the shell and a page: JSON text messages on the page's
WebSocket, next to the binary frames the relay pipes. Each direction is one tagged union
(by `type`) of msgspec structs, generated into TypeScript like the daemon's messages.

Relay -> page: `connected` once, right after the handshake; `daemon_lost` when the daemon
connection ends and `reconnected` once it is back (the page then resyncs from scratch);
`status` while the shell is still starting the daemon; `error` before a fatal close.
Shell -> page: `save_as_path` (the path chosen in the save-as dialog) and `action` (a
native menu item). Page -> shell: `new_window`, `open_dialog`, `save_as_dialog`, `title`,
`dirty`, `ready` (the notebook is shown and editable) and `close`.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec

from nbdesk.daemon.wire.errors import ErrorCode
from nbdesk.daemon.wire.responses import HandshakeReply


class Action(StrEnum):
    """Every user action a window knows, by the name its toolbar buttons carry in
    `data-action` and that the shell's menus send."""

    ADD_ABOVE = "add-above"
    ADD_BELOW = "add-below"
    DELETE = "delete"
    MOVE_UP = "move-up"
    MOVE_DOWN = "move-down"
    TO_CODE = "to-code"
    TO_MARKDOWN = "to-markdown"
    TO_RAW = "to-raw"
    RUN = "run"
    RUN_NEXT = "run-next"
    RUN_ALL = "run-all"
    INTERRUPT = "interrupt"
    RESTART = "restart"
    SAVE = "save"
    SAVE_AS = "save-as"
    NEW_WINDOW = "new-window"
    OPEN = "open"
    CLOSE = "close"
    SELECT_UP = "select-up"
    SELECT_DOWN = "select-down"
    EDIT_MODE = "edit-mode"
    COMMAND_MODE = "command-mode"
    UNDO_DELETE = "undo-delete"
    COPY = "copy"
    CUT = "cut"
    PASTE = "paste"
    SPLIT = "split"
    RUN_INSERT = "run-insert"
    CLEAR_OUTPUTS = "clear-outputs"
    CLEAR_ALL_OUTPUTS = "clear-all-outputs"
    SHORTCUTS = "shortcuts"
    FIND = "find"
    FIND_REPLACE = "find-replace"
    FIND_NEXT = "find-next"
    FIND_PREVIOUS = "find-previous"
    UNDO_REPLACE = "undo-replace"
    OUTLINE = "outline"
    CHANGE_KERNEL = "change-kernel"
    DEPENDENCIES = "dependencies"
    EXTEND_UP = "extend-up"
    EXTEND_DOWN = "extend-down"
    SELECT_ALL = "select-all"
    MERGE = "merge"
    RUN_SELECTED = "run-selected"
    RUN_ABOVE = "run-above"
    RUN_BELOW = "run-below"
    RESTART_RUN_ALL = "restart-run-all"
    RESTART_CLEAR = "restart-clear"
    TOGGLE_INPUT = "toggle-input"
    TOGGLE_OUTPUTS = "toggle-outputs"
    TOGGLE_SCROLLED = "toggle-scrolled"
    HISTORY = "history"
    UNDO_RESTORE = "undo-restore"


class Control(msgspec.Struct, tag_field="type", kw_only=True):
    pass


# -- to the page (from the relay or the shell) ----------------------------------------


class Connected(Control, HandshakeReply, tag="connected"):
    """The handshake succeeded; the daemon's reply, field for field."""


class Reconnected(Control, HandshakeReply, tag="reconnected"):
    """The daemon is back (maybe a new one, with a new blob URL)."""


class DaemonLost(Control, tag="daemon_lost"):
    reason: str = ""


class Status(Control, tag="status"):
    """What the shell is doing before the daemon is there (starting, replacing it)."""

    message: str


class ControlError(Control, tag="error"):
    """The last message before the page's socket is closed for good."""

    code: ErrorCode
    message: str


class SaveAsPath(Control, tag="save_as_path"):
    """The page then sends the `save` request with this path."""

    path: str


class MenuAction(Control, tag="action"):
    action: Action


RelayMessage = Connected | Reconnected | DaemonLost | Status | ControlError
ShellMessage = SaveAsPath | MenuAction
ToPage = RelayMessage | ShellMessage

# -- from the page to the shell -------------------------------------------------------


class NewWindow(Control, tag="new_window"):
    pass


class OpenDialog(Control, tag="open_dialog"):
    pass


class SaveAsDialog(Control, tag="save_as_dialog"):
    pass


class Title(Control, tag="title"):
    title: str


class Dirty(Control, tag="dirty"):
    dirty: bool


class Ready(Control, tag="ready"):
    """`page_ms`: how long after its start the page became ready (startup timing)."""

    page_ms: int


class Close(Control, tag="close"):
    pass


HostRequest = NewWindow | OpenDialog | SaveAsDialog | Title | Dirty | Ready | Close


def control_text(message: Control) -> str:
    """A control message as the JSON text a WebSocket carries."""
    return msgspec.json.encode(message).decode()


def parse_host_request(text: str) -> HostRequest:
    """A page's message to the shell; msgspec.DecodeError (a ValidationError too) if the
    text is not one."""
    return msgspec.json.decode(text, type=HostRequest)
