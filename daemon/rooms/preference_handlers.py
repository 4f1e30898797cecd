"""The user's preferences for the page: read them, turn a question on or off, through the
per-user store (`nbdesk.daemon.home.preferences`).

A page asks through its room (it has no other connection to the daemon), but the
preferences are the user's, not the room's: every room reads the same file.
"""

from __future__ import annotations

from nbdesk.daemon.home import preferences
from nbdesk.daemon.rooms.room import Room
from nbdesk.daemon.wire.requests import GetPreferences, SetQuestionAsked
from nbdesk.daemon.wire.responses import Preferences


async def get_preferences(room: Room, request: GetPreferences) -> Preferences:
    return Preferences(questions_off=preferences.questions_off(room.context.home))


async def set_question_asked(room: Room, request: SetQuestionAsked) -> Preferences:
    off = preferences.set_question_asked(room.context.home, request.question, request.ask)
    return Preferences(questions_off=off)
