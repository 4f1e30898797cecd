"""The user's preferences through a room, as the page asks: "Don't ask again" kept per
user in the home (0600), seen by every room, turned back on, and bad input refused with
what to do, losing nothing."""

from __future__ import annotations

import pytest
from conftest import DaemonProcess

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.home import preferences
from nbdesk.daemon.wire.errors import NbdeskError


async def test_a_question_turned_off_holds_for_every_room_and_turns_back_on(
    daemon: DaemonProcess,
) -> None:
    client = await NotebookClient.create(home=daemon.home, launch=False)
    assert (await client.request("get_preferences"))["questions_off"] == []
    reply = await client.request("set_question_asked", question="restart", ask=False)
    assert reply["questions_off"] == ["restart"]
    path = preferences.preferences_file(daemon.home)
    assert path.stat().st_mode & 0o777 == 0o600
    other = await NotebookClient.create(home=daemon.home, launch=False)  # the user's, not a room's
    reply = await other.request("set_question_asked", question="delete_cells", ask=False)
    assert reply["questions_off"] == ["restart", "delete_cells"]
    assert (await client.request("get_preferences"))["questions_off"] == [
        "restart",
        "delete_cells",
    ]
    reply = await client.request("set_question_asked", question="restart", ask=True)
    assert reply["questions_off"] == ["delete_cells"]
    assert preferences.questions_off(daemon.home) == ["delete_cells"]
    for each in (client, other):
        await each.close()


async def test_an_unreadable_file_is_named_and_kept(daemon: DaemonProcess) -> None:
    path = preferences.preferences_file(daemon.home)
    path.write_text('{"questions_off": ["restart"', encoding="utf-8")
    client = await NotebookClient.create(home=daemon.home, launch=False)
    for op, fields in (
        ("get_preferences", {}),
        ("set_question_asked", {"question": "restart", "ask": True}),
    ):
        with pytest.raises(NbdeskError) as info:
            await client.request(op, **fields)
        assert info.value.code == "bad_preferences"
        assert str(path) in info.value.message and "fix it or remove it" in info.value.message
    assert path.read_text(encoding="utf-8") == '{"questions_off": ["restart"'
    path.write_text('{"questions_off": "restart"}', encoding="utf-8")
    with pytest.raises(NbdeskError) as info:
        await client.request("get_preferences")
    assert '"questions_off" is not a list' in info.value.message
    await client.close()


async def test_an_unknown_question_is_refused(daemon: DaemonProcess) -> None:
    client = await NotebookClient.create(home=daemon.home, launch=False)
    with pytest.raises(NbdeskError) as info:
        await client.request("set_question_asked", question="format_disk", ask=False)
    assert info.value.code == "bad_request" and "question" in info.value.message
    assert not preferences.preferences_file(daemon.home).exists()
    await client.close()
