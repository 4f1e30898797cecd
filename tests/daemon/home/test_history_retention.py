"""The history retention preference: 30 days by default, kept beside the other
preferences, and a value nbdesk cannot use refused with what would work, losing nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nbdesk.daemon.home import preferences
from nbdesk.daemon.home.config import Home
from nbdesk.daemon.wire.enums import Question
from nbdesk.daemon.wire.errors import NbdeskError


def test_default_set_and_kept_beside_the_other_preferences(tmp_path: Path) -> None:
    home = Home(tmp_path)
    assert preferences.history_retention_days(home) == 30
    preferences.set_question_asked(home, Question.RESTART, False)
    assert preferences.set_history_retention_days(home, 90) == 90
    assert preferences.history_retention_days(home) == 90
    assert preferences.questions_off(home) == [Question.RESTART]


@pytest.mark.parametrize("days", [0, -3, 3651, 7.5, True, "30"])
def test_a_retention_out_of_range_is_refused_and_nothing_is_written(
    tmp_path: Path, days: object
) -> None:
    home = Home(tmp_path)
    preferences.set_history_retention_days(home, 14)
    with pytest.raises(NbdeskError) as info:
        preferences.set_history_retention_days(home, days)  # type: ignore[arg-type]
    assert info.value.code == "bad_preferences" and "from 1 to 3650" in info.value.message
    assert preferences.history_retention_days(home) == 14


def test_an_unusable_stored_retention_names_the_file(tmp_path: Path) -> None:
    home = Home(tmp_path)
    path = preferences.preferences_file(home)
    path.write_text(json.dumps({"history_retention_days": "forever"}), encoding="utf-8")
    with pytest.raises(NbdeskError) as info:
        preferences.history_retention_days(home)
    assert str(path) in info.value.message and "history_retention_days" in info.value.message
    assert json.loads(path.read_text(encoding="utf-8")) == {"history_retention_days": "forever"}
