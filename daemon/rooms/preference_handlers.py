"""The user's preferences for the page: read them, turn a question on or off, change the
display or the daemon's settings, through the per-user store
(`nbdesk.daemon.home.preferences`, `.daemon_preferences`).

A page asks through its room (it has no other connection to the daemon), but the
preferences are the user's, not the room's: every room reads the same file.
"""

from __future__ import annotations

from nbdesk.daemon.doc.requirements import check_requirement
from nbdesk.daemon.home import daemon_preferences, preferences
from nbdesk.daemon.home.config import Settings
from nbdesk.daemon.rooms.room import Room
from nbdesk.daemon.wire.broadcasts import DaemonSettingsChanged, DisplayChanged
from nbdesk.daemon.wire.requests import (
    GetPreferences,
    SetDaemonSettings,
    SetDisplay,
    SetQuestionAsked,
)
from nbdesk.daemon.wire.responses import Preferences


def _current(room: Room) -> Preferences:
    home = room.context.home
    # Without a choice stored, the daemon's environment variables (or defaults) apply.
    chosen = daemon_preferences.stored_daemon_settings(home, Settings.from_env())
    return Preferences(
        questions_off=preferences.questions_off(home),
        display=preferences.display_settings(home),
        daemon=chosen,
        pending_restart=room.context.live.pending(chosen),
    )


async def get_preferences(room: Room, request: GetPreferences) -> Preferences:
    return _current(room)


async def set_question_asked(room: Room, request: SetQuestionAsked) -> Preferences:
    preferences.set_question_asked(room.context.home, request.question, request.ask)
    return _current(room)


async def set_display(room: Room, request: SetDisplay) -> Preferences:
    """Stored, then broadcast to every room's peers: every window applies it live."""
    display = preferences.set_display(room.context.home, request.display)
    room.context.broadcast_all(DisplayChanged(display=display))
    return _current(room)


async def set_daemon_settings(room: Room, request: SetDaemonSettings) -> Preferences:
    """Checked (each default package as uv would take it), stored, applied to the running
    daemon where it can be, and broadcast so every open settings page shows it."""
    chosen = request.settings
    chosen.default_packages = [
        check_requirement(package, "default packages") for package in chosen.default_packages
    ]
    daemon_preferences.set_daemon_settings(room.context.home, chosen)
    await room.context.live.apply(chosen)
    reply = _current(room)
    room.context.broadcast_all(
        DaemonSettingsChanged(settings=reply.daemon, pending_restart=reply.pending_restart)
    )
    return reply
