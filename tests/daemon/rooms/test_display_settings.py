"""The user's display settings (line numbers, editor font size, theme) through a room:
stored per user in the home (0600), broadcast to every room so every window applies them
live, and bad input refused with what to do, changing nothing."""

from __future__ import annotations

import pytest
from conftest import DaemonProcess

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.home import preferences
from nbdesk.daemon.wire.errors import NbdeskError

DEFAULT = {"line_numbers": False, "font_size": 13, "theme": "system"}
CHOSEN = {"line_numbers": True, "font_size": 16, "theme": "dark"}


async def test_a_change_in_one_window_reaches_every_room(daemon: DaemonProcess) -> None:
    client = await NotebookClient.create(home=daemon.home, launch=False)
    other = await NotebookClient.create(home=daemon.home, launch=False)
    assert (await client.request("get_preferences"))["display"] == DEFAULT
    reply = await client.request("set_display", display=CHOSEN)
    assert reply["display"] == CHOSEN
    event = await other.next_broadcast("display_changed", timeout=10)
    assert event["display"] == CHOSEN
    assert (await other.request("get_preferences"))["display"] == CHOSEN
    path = preferences.preferences_file(daemon.home)
    assert path.stat().st_mode & 0o777 == 0o600
    # The questions' answers are kept beside it.
    await other.request("set_question_asked", question="restart", ask=False)
    assert preferences.display_settings(daemon.home).font_size == 16
    assert (await client.request("get_preferences"))["questions_off"] == ["restart"]
    for each in (client, other):
        await each.close()


@pytest.mark.parametrize(
    ("display", "words"),
    [
        ({**CHOSEN, "font_size": 99}, "font size 99 is out of range: choose one from 8 to 40"),
        ({**CHOSEN, "theme": "sepia"}, "sepia"),
    ],
)
async def test_bad_settings_are_refused_and_change_nothing(
    daemon: DaemonProcess, display: dict[str, object], words: str
) -> None:
    client = await NotebookClient.create(home=daemon.home, launch=False)
    with pytest.raises(NbdeskError) as info:
        await client.request("set_display", display=display)
    assert words in info.value.message
    assert (await client.request("get_preferences"))["display"] == DEFAULT
    await client.close()


async def test_an_unreadable_display_entry_is_named_until_chosen_anew(
    daemon: DaemonProcess,
) -> None:
    path = preferences.preferences_file(daemon.home)
    text = '{"questions_off": ["restart"], "display": {"font_size": "huge"}}'
    path.write_text(text, encoding="utf-8")
    client = await NotebookClient.create(home=daemon.home, launch=False)
    with pytest.raises(NbdeskError) as info:
        await client.request("get_preferences")
    assert info.value.code == "bad_preferences"
    assert str(path) in info.value.message and "fix it or remove it" in info.value.message
    assert path.read_text(encoding="utf-8") == text
    # Choosing settings in the page replaces only the bad entry.
    reply = await client.request("set_display", display=CHOSEN)
    assert reply == {**reply, "display": CHOSEN, "questions_off": ["restart"]}
    await client.close()
