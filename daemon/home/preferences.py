"""The user's preferences that outlive a window and a launch: which questions before a
destructive action (restart, deleting several cells) the user turned off, and how every
window shows notebooks (line numbers, editor font size, theme).

One JSON file in the nbdesk home, mode 0600 like everything there, read on every
question so every window sees a change at once. The page keeps nothing itself: the shell
serves it from a new port each launch, so its storage would forget. A file nbdesk cannot
read is never overwritten (that would lose what the user had); the error names it and
says how to fix it, and the page asks its questions meanwhile.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec

from nbdesk.daemon.home.atomic import atomic_write
from nbdesk.daemon.home.config import Home
from nbdesk.daemon.wire.display import FONT_SIZES, DisplaySettings
from nbdesk.daemon.wire.enums import Question
from nbdesk.daemon.wire.errors import ErrorCode, NbdeskError


class PreferencesError(NbdeskError):
    code = ErrorCode.BAD_PREFERENCES


def preferences_file(home: Home) -> Path:
    return home.root / "preferences.json"


def _unreadable(path: Path, problem: object) -> PreferencesError:
    return PreferencesError(
        f"cannot read {path}: {problem}; fix it or remove it (the questions before "
        "restarting and deleting are then asked again)"
    )


def questions_off(home: Home) -> list[Question]:
    """The questions the user turned off, in a stable order; none without a file."""
    path = preferences_file(home)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        raise _unreadable(path, exc) from exc
    listed = raw.get("questions_off", []) if isinstance(raw, dict) else None
    if not isinstance(listed, list):
        raise _unreadable(path, '"questions_off" is not a list')
    known = {str(question) for question in Question}
    return [question for question in Question if question in listed and question in known]


def set_question_asked(home: Home, question: Question, ask: bool) -> list[Question]:
    """Turn `question` on or off, keeping every other preference; the questions now off."""
    off = set(questions_off(home))
    if ask:
        off.discard(question)
    else:
        off.add(question)
    path = preferences_file(home)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raw = {}
    raw["questions_off"] = [str(q) for q in Question if q in off]
    atomic_write(path, (json.dumps(raw, indent=1) + "\n").encode(), private=True)
    return [q for q in Question if q in off]


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise _unreadable(path, exc) from exc
    if not isinstance(raw, dict):
        raise _unreadable(path, "it is not a JSON object")
    return raw


def check_display(display: DisplaySettings) -> DisplaySettings:
    """`display` if it can be shown; else an error that says what would work."""
    if display.font_size not in FONT_SIZES:
        raise PreferencesError(
            f"font size {display.font_size} is out of range: choose one from "
            f"{FONT_SIZES.start} to {FONT_SIZES.stop - 1}"
        )
    return display


def display_settings(home: Home) -> DisplaySettings:
    """The user's display settings; the defaults without a file or without any set."""
    path = preferences_file(home)
    stored = _read(path).get("display", {})
    try:
        return check_display(msgspec.convert(stored, DisplaySettings))
    except (msgspec.ValidationError, PreferencesError) as exc:
        raise _unreadable(path, f'"display": {exc}') from exc


def set_display(home: Home, display: DisplaySettings) -> DisplaySettings:
    """Store `display` for every window, keeping every other preference."""
    check_display(display)
    path = preferences_file(home)
    raw = _read(path)
    raw["display"] = msgspec.to_builtins(display)
    atomic_write(path, (json.dumps(raw, indent=1) + "\n").encode(), private=True)
    return display


DEFAULT_RETENTION_DAYS = 30
RETENTION_DAYS = range(1, 3651)  # a day to ten years


def check_retention_days(days: int) -> int:
    """`days` if it is a retention nbdesk keeps; else an error that says what would."""
    if isinstance(days, bool) or not isinstance(days, int) or days not in RETENTION_DAYS:
        raise PreferencesError(
            f"a history retention of {days!r} days is out of range: choose a whole number "
            f"of days from {RETENTION_DAYS.start} to {RETENTION_DAYS.stop - 1}"
        )
    return days


def history_retention_days(home: Home) -> int:
    """For how many days blob collection keeps the outputs that a notebook's history
    references (the default without a file or without the setting)."""
    path = preferences_file(home)
    stored = _read(path).get("history_retention_days", DEFAULT_RETENTION_DAYS)
    try:
        return check_retention_days(stored)
    except PreferencesError as exc:
        raise _unreadable(path, f'"history_retention_days": {exc}') from exc


def set_history_retention_days(home: Home, days: int) -> int:
    """Store the retention for every notebook, keeping every other preference."""
    check_retention_days(days)
    path = preferences_file(home)
    raw = _read(path)
    raw["history_retention_days"] = days
    atomic_write(path, (json.dumps(raw, indent=1) + "\n").encode(), private=True)
    return days
