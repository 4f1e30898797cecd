"""Trust enforced by a real daemon: a notebook from elsewhere installs nothing until it is
approved, an approval of a list that changed since it was shown is refused (another
client, or an edit of the file on disk racing it), editing code keeps a notebook trusted,
an outside edit of its dependencies asks again, and bad lists are refused with the reason.
No environment is built here (the browser and app tests build one): every assertion on
"nothing installed" looks at the daemon's envs folder."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import DaemonProcess

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.wire.errors import NbdeskError

pytestmark = pytest.mark.timeout(180)


def write_notebook(path: Path, deps: list[str], source: str = "1", **nbdesk: Any) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(source))
    nb.metadata["nbdesk"] = {"uv": {"dependencies": deps}, **nbdesk}
    nbformat.write(nb, path)
    return path


async def trust_of(client: NotebookClient) -> dict[str, Any]:
    return dict((await client.request("get_trust"))["trust"])


async def refused(client: NotebookClient, op: str, **fields: Any) -> tuple[str, str]:
    """(code, message) of a request the daemon must refuse."""
    with pytest.raises(NbdeskError) as error:
        await client.request(op, **fields)
    return str(error.value.code), error.value.message


def built_envs(daemon: DaemonProcess) -> list[Path]:
    return sorted(daemon.home.envs.glob("nbdesk-deps-*"))


async def next_trust_state(client: NotebookClient, status: str) -> dict[str, Any]:
    while True:
        event = await client.next_broadcast("trust_state", timeout=20)
        if event["status"] == status:
            return event


async def test_a_notebook_from_elsewhere_runs_without_its_packages_until_approved(
    daemon: DaemonProcess, tmp_path: Path
) -> None:
    path = write_notebook(tmp_path / "mailed.ipynb", ["six", "reqeusts"])
    async with NotebookClient.open(path, daemon.home) as client:
        state = await next_trust_state(client, "untrusted")  # sent on joining
        assert state["dependencies"] == ["six", "reqeusts"]
        assert len(state["flagged"]) == 1 and state["flagged"][0].startswith("reqeusts ")
        assert "requests" in state["flagged"][0]

        # The kernel starts, on the default environment, and says what it lacks.
        await client.request("launch_kernel")
        result = await client.run("import sys; print(sys.prefix)", timeout=120)
        assert result.outputs[0]["text"].strip() == sys.prefix
        location = await client.next_broadcast("kernel_location")
        while location["phase"] != "ready":
            location = await client.next_broadcast("kernel_location")
        assert location["source"] != "inline_deps"
        assert "without reqeusts, six (not approved here)" in location["env"]
        assert built_envs(daemon) == []
        # A restart asks the resolution again: still nothing installed.
        await client.request("restart_kernel")
        assert built_envs(daemon) == []


async def test_approval_is_refused_when_the_list_changed_since_it_was_shown(
    daemon: DaemonProcess, tmp_path: Path
) -> None:
    path = write_notebook(tmp_path / "race.ipynb", ["six"])
    async with NotebookClient.open(path, daemon.home) as client:
        shown = await trust_of(client)
        code, message = await refused(client, "approve_trust", digest="0" * 64)
        assert code == "trust_changed" and "changed since they were shown" in message

        # The file is edited on disk (another program) between showing and approving.
        write_notebook(path, ["six", "iniconfig"])
        changed = await next_trust_state(client, "untrusted")
        while changed["dependencies"] != ["six", "iniconfig"]:
            changed = await next_trust_state(client, "untrusted")
        code, message = await refused(client, "approve_trust", digest=shown["digest"])
        assert code == "trust_changed" and "six, iniconfig" in message
        assert "trust" not in json.loads(await client.get_raw_metadata("nbdesk") or "{}")

        # Approving the list shown now works, and is written into the file.
        approved = (await client.request("approve_trust", digest=changed["digest"]))["trust"]
        assert approved["status"] == "trusted" and approved["digest"] == changed["digest"]
        await client.save()
        on_disk = nbformat.read(path, as_version=4).metadata["nbdesk"]
        assert len(on_disk["trust"]["signature"]) == 64
        assert on_disk["uv"]["dependencies"] == ["six", "iniconfig"]


async def test_editing_code_keeps_it_trusted_and_an_outside_edit_of_dependencies_asks_again(
    daemon: DaemonProcess, tmp_path: Path
) -> None:
    path = write_notebook(tmp_path / "mine.ipynb", ["six"])
    async with NotebookClient.open(path, daemon.home) as client:
        await client.request("approve_trust", digest=(await trust_of(client))["digest"])
        client.add_cell("import os\nprint(os.getcwd())")
        client.set_source(client.doc.cell_ids()[0], "x = 2")
        await client.confirm_sync()
        assert (await trust_of(client))["status"] == "trusted"
        await client.save()

        # Someone edits the dependencies in the file, keeping the signature.
        nb = nbformat.read(path, as_version=4)
        nb.metadata["nbdesk"]["uv"]["dependencies"] = ["six", "pyyaml"]
        nbformat.write(nb, path)
        state = await next_trust_state(client, "signature_invalid")
        assert state["dependencies"] == ["six", "pyyaml"]


async def test_a_signature_from_another_home_or_of_the_wrong_length_is_not_trusted(
    daemon: DaemonProcess, tmp_path: Path
) -> None:
    # Signed by this daemon's key, the notebook is trusted; copied to another user's home
    # (another key), it is not.
    path = write_notebook(tmp_path / "signed.ipynb", ["six"])
    async with NotebookClient.open(path, daemon.home) as client:
        await client.request("approve_trust", digest=(await trust_of(client))["digest"])
        await client.save()
    signature = nbformat.read(path, as_version=4).metadata["nbdesk"]["trust"]["signature"]
    for name, bad in [("short", signature[:-2]), ("other-key", "ab" * 32)]:
        other = write_notebook(tmp_path / f"{name}.ipynb", ["numpy"], trust={"signature": bad})
        async with NotebookClient.open(other, daemon.home) as client:
            state = await trust_of(client)
            assert state["status"] == "signature_invalid", name
            await client.request("launch_kernel")
            assert built_envs(daemon) == []


async def test_the_panel_writes_a_signed_list_and_refuses_what_is_not_a_package(
    daemon: DaemonProcess,
) -> None:
    async with NotebookClient.create(daemon.home, launch=False) as client:
        assert (await trust_of(client))["status"] == "no_dependencies"
        for bad, reason in [
            ("--index-url https://evil.example/simple", "installer option"),
            ("-e .", "installer option"),
            ("https://evil.example/six.tar.gz", "place to download from"),
            ("../six", "path"),
        ]:
            code, message = await refused(client, "set_dependencies", dependencies=["six", bad])
            assert code == "bad_dependency" and reason in message, message
        assert await client.get_raw_metadata("nbdesk") is None, "nothing written"

        reply = await client.request("set_dependencies", dependencies=["six", " iniconfig "])
        assert reply["trust"]["status"] == "trusted"
        assert reply["trust"]["dependencies"] == ["six", "iniconfig"]
        written = json.loads(await client.get_raw_metadata("nbdesk") or "{}")
        assert written["uv"]["dependencies"] == ["six", "iniconfig"]
        assert len(written["trust"]["signature"]) == 64


async def test_the_panel_does_not_approve_packages_it_keeps_from_an_unapproved_list(
    daemon: DaemonProcess, tmp_path: Path
) -> None:
    path = write_notebook(tmp_path / "kept.ipynb", ["reqeusts"])
    async with NotebookClient.open(path, daemon.home) as client:
        reply = await client.request("set_dependencies", dependencies=["reqeusts", "six"])
        assert reply["trust"]["status"] == "untrusted"
        # Removing the unapproved one leaves only what the user typed: signed.
        reply = await client.request("set_dependencies", dependencies=["six"])
        assert reply["trust"]["status"] == "trusted"


async def test_packages_approved_once_do_not_ask_again_in_a_new_notebook(
    daemon: DaemonProcess, tmp_path: Path
) -> None:
    first = write_notebook(tmp_path / "first.ipynb", ["six", "iniconfig>=1"])
    async with NotebookClient.open(first, daemon.home) as client:
        await client.request("approve_trust", digest=(await trust_of(client))["digest"])
    again = write_notebook(tmp_path / "again.ipynb", ["iniconfig", "six"])
    async with NotebookClient.open(again, daemon.home) as client:
        assert (await trust_of(client))["status"] == "trusted"
    more = write_notebook(tmp_path / "more.ipynb", ["six", "pyyaml"])
    async with NotebookClient.open(more, daemon.home) as client:
        assert (await trust_of(client))["status"] == "untrusted"


async def test_an_approval_in_one_window_tells_another_open_notebook_at_once(
    daemon: DaemonProcess, tmp_path: Path
) -> None:
    """Both notebooks list the same packages: approving one trusts the other, which hears
    it without any change of its own."""
    one = write_notebook(tmp_path / "one.ipynb", ["six"])
    other = write_notebook(tmp_path / "other.ipynb", ["six"])
    async with (
        NotebookClient.open(one, daemon.home) as first,
        NotebookClient.open(other, daemon.home) as second,
    ):
        await next_trust_state(second, "untrusted")  # sent on joining
        await first.request("approve_trust", digest=(await trust_of(first))["digest"])
        state = await next_trust_state(second, "trusted")
        assert state["dependencies"] == ["six"]


async def test_hand_edited_metadata_of_the_wrong_shape_gets_a_clear_error(
    daemon: DaemonProcess,
) -> None:
    async with NotebookClient.create(daemon.home, launch=False) as client:
        value = json.dumps({"uv": {"dependencies": "six"}, "keep": "me"})
        await client.set_raw_metadata("nbdesk", value)
        state = await trust_of(client)
        assert state["dependencies"] == [] and "must be a list of strings" in state["flagged"][0]
        code, message = await refused(client, "approve_trust", digest=state["digest"])
        assert code == "bad_dependency" and "must be a list of strings" in message
        code, message = await refused(client, "launch_kernel")
        assert code == "bad_dependency"
        assert await client.get_raw_metadata("nbdesk") == value, "nothing lost"
        code, _ = await refused(client, "set_raw_metadata", key="nbdesk", value="{not json")
        assert code == "bad_json"
        assert await client.get_raw_metadata("nbdesk") == value


async def test_list_packages_lists_the_kernels_environment(daemon: DaemonProcess) -> None:
    async with NotebookClient.create(daemon.home, launch=False) as client:
        code, _ = await refused(client, "list_packages")
        assert code == "no_kernel"
        await client.request("launch_kernel")
        listed = await client.request("list_packages")
        assert listed["python"]
        names = {package["name"] for package in listed["packages"]}
        assert "ipykernel" in names
