"""The user's preferences that outlive a window and a launch: which questions before a
destructive action (restart, deleting several cells) the user turned off.

One JSON file in the nbdesk home, mode 0600 like everything there, read on every
question so every window sees a change at once. The page keeps nothing itself: the shell
serves it from a new port each launch, so its storage would forget. A file nbdesk cannot
read is never overwritten (that would lose what the user had); the error names it and
says how to fix it, and the page asks its questions meanwhile.
"""

from __future__ import annotations

import json
from pathlib import Path

from nbdesk.daemon.home.atomic import atomic_write
from nbdesk.daemon.home.config import Home
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
