"""The user's preferences for the page: read them, turn a question on or off, through the
per-user store (`nbdesk.daemon.home.preferences`).

A page asks through its room (it has no other connection to the daemon), but the
preferences are the user's, not the room's: every room reads the same file.
"""

from __future__ import annotations

from nbdesk.daemon.home import preferences
from nbdesk.daemon.rooms.room import Room
from nbdesk.daemon.wire.broadcasts import DisplayChanged
from nbdesk.daemon.wire.requests import GetPreferences, SetDisplay, SetQuestionAsked
from nbdesk.daemon.wire.responses import Preferences


def _current(room: Room) -> Preferences:
    home = room.context.home
    return Preferences(
        questions_off=preferences.questions_off(home),
        display=preferences.display_settings(home),
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
