"""The servers in the page's settings, through a room as the page asks: the same store as
`nbdesk server`, the token stored but never sent back, and bad input refused with why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import DaemonProcess

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.home import servers
from nbdesk.daemon.wire.errors import NbdeskError

TOKEN = "s3cret-token-value"


async def test_add_list_and_remove_without_ever_sending_the_token(daemon: DaemonProcess) -> None:
    client = await NotebookClient.create(home=daemon.home, launch=False)
    assert (await client.request("list_servers"))["servers"] == []
    reply = await client.request(
        "add_server", name="gpu", url="https://gpu.example.org:8888/", token=f" {TOKEN}\n"
    )
    assert reply["servers"] == [
        {"name": "gpu", "url": "https://gpu.example.org:8888", "has_token": True, "insecure": False}
    ]
    assert TOKEN not in json.dumps(reply)
    stored = servers.get(daemon.home, "gpu")
    assert stored.token == TOKEN  # what `nbdesk run --server gpu` and the picker will use
    assert Path(servers.servers_file(daemon.home)).stat().st_mode & 0o777 == 0o600
    other = await NotebookClient.create(home=daemon.home, launch=False)  # the user's, not a room's
    listed = await other.request("list_servers")
    assert [entry["name"] for entry in listed["servers"]] == ["gpu"]
    assert TOKEN not in json.dumps(listed)
    assert TOKEN not in daemon.log()
    assert (await other.request("remove_server", name="gpu"))["servers"] == []
    assert servers.load(daemon.home) == {}
    for each in (client, other):
        await each.close()


async def test_plain_http_to_another_machine_needs_insecure(daemon: DaemonProcess) -> None:
    client = await NotebookClient.create(home=daemon.home, launch=False)
    with pytest.raises(NbdeskError) as info:
        await client.request("add_server", name="lan", url="http://10.0.0.5:8888", token="t")
    assert info.value.code == "bad_server" and "--insecure" in info.value.message
    assert servers.load(daemon.home) == {}
    reply = await client.request(
        "add_server", name="lan", url="http://10.0.0.5:8888", token="t", insecure=True
    )
    assert reply["servers"][0]["insecure"] is True
    await client.close()


@pytest.mark.parametrize(
    ("name", "url", "says"),
    [
        ("has space", "https://a.example.org", "cannot name a server"),
        ("ok", "ftp://a.example.org", "is not a server URL"),
        ("ok", "https://a.example.org/?token=x", "query or fragment"),
    ],
)
async def test_bad_names_and_urls_are_refused_with_why(
    daemon: DaemonProcess, name: str, url: str, says: str
) -> None:
    client = await NotebookClient.create(home=daemon.home, launch=False)
    with pytest.raises(NbdeskError) as info:
        await client.request("add_server", name=name, url=url, token="t")
    assert info.value.code == "bad_server" and says in info.value.message
    assert servers.load(daemon.home) == {}
    await client.close()


async def test_removing_an_unknown_server_names_the_known_ones(daemon: DaemonProcess) -> None:
    servers.add(daemon.home, "lab", "http://127.0.0.1:8888", "t")
    client = await NotebookClient.create(home=daemon.home, launch=False)
    with pytest.raises(NbdeskError) as info:
        await client.request("remove_server", name="nowhere")
    assert info.value.code == "no_such_server" and "(known: lab)" in info.value.message
    await client.close()
