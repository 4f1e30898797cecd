"""Widgets live in the document: real kernels, real ipywidgets, Python clients as frontends."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
import pytest
from conftest import DaemonProcess, pick_kernel

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.wire import broadcasts as protocol


@pytest.fixture
def daemon(kernel_daemon: DaemonProcess) -> DaemonProcess:
    """Every widget test runs over a local kernel and a Jupyter server's kernel."""
    return kernel_daemon


async def notebook(daemon: DaemonProcess, *sources: str) -> tuple[NotebookClient, list[str]]:
    client = await NotebookClient.create(home=daemon.home)
    await pick_kernel(client, daemon)
    with client.edit() as doc:
        ids = [doc.insert_cell(i, source=source) for i, source in enumerate(sources)]
    return client, ids


def widget_named(client: NotebookClient, model_name: str) -> Any:
    comms = [c for c in client.doc.get_comms() if c.model_name == model_name]
    assert comms, f"no {model_name} in {[c.model_name for c in client.doc.get_comms()]}"
    return comms[-1]


async def value_of(client: NotebookClient, cell: str) -> str:
    outputs = (await client.execute(cell)).outputs
    return outputs[-1]["data"]["text/plain"]


async def wait_widget(client: NotebookClient, predicate, timeout: float = 15) -> None:
    await client.wait_for(lambda doc: any(predicate(c) for c in doc.get_comms()), timeout)


async def test_int_slider_created_updated_both_ways_and_closed(daemon: DaemonProcess) -> None:
    client, (make, kernel_set, read, close) = await notebook(
        daemon,
        "import ipywidgets as w\nseen = []\ns = w.IntSlider(value=3, description='x')\n"
        "s.observe(lambda ch: seen.append(ch['new']), names='value')\ns",
        "s.value = 7",
        "(s.value, seen)",
        "s.close()",
    )
    outputs = (await client.execute(make)).outputs
    slider = widget_named(client, "IntSliderModel")
    assert (
        outputs[0]["data"]["application/vnd.jupyter.widget-view+json"]["model_id"] == slider.comm_id
    )
    assert slider.state["value"] == 3 and slider.state["description"] == "x"
    assert (
        slider.model_module == "@jupyter-widgets/controls"
        and slider.target_name == "jupyter.widget"
    )
    assert {c.model_name for c in client.doc.get_comms()} >= {"LayoutModel", "SliderStyleModel"}
    assert slider.state["layout"].startswith("IPY_MODEL_")

    await client.execute(kernel_set)
    assert widget_named(client, "IntSliderModel").state["value"] == 7

    await client.set_widget_state(slider.comm_id, {"value": 42})
    await wait_widget(client, lambda c: c.comm_id == slider.comm_id and c.state["value"] == 42)
    assert await value_of(client, read) == "(42, [7, 42])"

    await client.execute(close)
    assert not client.doc.has_comm(slider.comm_id)
    await client.close()


async def test_a_late_joiner_sees_every_widget_from_sync_alone(daemon: DaemonProcess) -> None:
    client, (make,) = await notebook(
        daemon,
        "import ipywidgets as w\nbox = w.VBox([w.IntSlider(5), w.Text('hi'), w.Checkbox(True)])\nbox",
    )
    await client.execute(make)
    await client.confirm_sync()
    late = await NotebookClient.join(client.notebook_id, home=daemon.home)
    await late.confirm_sync()
    widgets = await late.get_widgets()
    names = sorted(w["model_name"] for w in widgets)
    assert {"VBoxModel", "IntSliderModel", "TextModel", "CheckboxModel"} <= set(names)
    assert widgets == await client.get_widgets()
    text = next(w for w in widgets if w["model_name"] == "TextModel")
    assert text["state"]["value"] == "hi"
    assert len(late.connection.broadcasts) <= 5
    events = []
    while (event := late.connection.broadcasts.get_nowait()) is not None:
        events.append(event["event"])
    assert set(events) <= {"kernel_status", "queue_changed", "kernel_location", "trust_state"}
    await client.close()
    await late.close()


async def test_output_widget_captures_prints_and_displays(daemon: DaemonProcess) -> None:
    client, (make, capture, clear_wait, append) = await notebook(
        daemon,
        "import ipywidgets as w\nfrom IPython.display import display, HTML\nout = w.Output()\ndisplay(out)",
        "with out:\n    print('inside')\n    display(HTML('<i>rich</i>'))\nprint('outside')",
        "with out:\n    out.clear_output(wait=True)\n    print('replaced')",
        "out.append_stdout('appended\\n')",
    )
    await client.execute(make)
    output_widget = widget_named(client, "OutputModel")
    cell_outputs = (await client.execute(capture)).outputs
    assert [o.get("text") for o in cell_outputs] == ["outside\n"]
    widgets = {w["comm_id"]: w for w in await client.get_widgets()}
    captured = widgets[output_widget.comm_id]["outputs"]
    assert captured[0] == {"output_type": "stream", "name": "stdout", "text": "inside\n"}
    assert captured[1]["data"]["text/html"] == "<i>rich</i>"
    assert "msg_id" not in widgets[output_widget.comm_id]["state"]

    assert (await client.execute(clear_wait)).outputs == []
    widgets = {w["comm_id"]: w for w in await client.get_widgets()}
    assert [o["text"] for o in widgets[output_widget.comm_id]["outputs"]] == ["replaced\n"]

    await client.execute(append)
    await client.wait_for(lambda doc: len(doc.get_comm(output_widget.comm_id).outputs) == 2)
    widgets = {w["comm_id"]: w for w in await client.get_widgets()}
    assert [o["text"] for o in widgets[output_widget.comm_id]["outputs"]] == [
        "replaced\n",
        "appended\n",
    ]
    await client.close()


async def test_button_click_from_a_client_is_captured_by_an_output_widget(
    daemon: DaemonProcess,
) -> None:
    client, (make,) = await notebook(
        daemon,
        "import ipywidgets as w\nout = w.Output()\nb = w.Button(description='go')\n"
        "@out.capture()\ndef on(b):\n    print('clicked')\nb.on_click(on)\ndisplay(b, out)",
    )
    await client.execute(make)
    button = widget_named(client, "ButtonModel")
    output_widget = widget_named(client, "OutputModel")
    await client.send_widget_custom(button.comm_id, {"event": "click"})
    await client.wait_for(lambda doc: len(doc.get_comm(output_widget.comm_id).outputs) == 1)
    await client.send_widget_custom(button.comm_id, {"event": "click"})
    await client.wait_for(lambda doc: len(doc.get_comm(output_widget.comm_id).outputs) == 1)
    widgets = {w["comm_id"]: w for w in await client.get_widgets()}
    for _ in range(50):
        widgets = {w["comm_id"]: w for w in await client.get_widgets()}
        if widgets[output_widget.comm_id]["outputs"][0]["text"] == "clicked\nclicked\n":
            break
        await asyncio.sleep(0.05)
    assert widgets[output_widget.comm_id]["outputs"][0]["text"] == "clicked\nclicked\n"
    await client.close()


async def test_display_updates_reach_displays_inside_an_output_widget(
    daemon: DaemonProcess,
) -> None:
    client, (make, update) = await notebook(
        daemon,
        "import ipywidgets as w\nfrom IPython.display import display, HTML\nout = w.Output()\ndisplay(out)\n"
        "with out:\n    h = display(HTML('<b>old</b>'), display_id='inside')",
        "h.update(HTML('<b>new</b>'))",
    )
    await client.execute(make)
    output_widget = widget_named(client, "OutputModel")
    widgets = {w["comm_id"]: w for w in await client.get_widgets()}
    assert widgets[output_widget.comm_id]["outputs"][0]["data"]["text/html"] == "<b>old</b>"
    before = client.doc.get_comm(output_widget.comm_id).outputs
    await client.execute(update)
    await client.wait_for(lambda doc: doc.get_comm(output_widget.comm_id).outputs != before)
    widgets = {w["comm_id"]: w for w in await client.get_widgets()}
    assert widgets[output_widget.comm_id]["outputs"][0]["data"]["text/html"] == "<b>new</b>"
    await client.close()


async def test_image_widget_bytes_go_to_the_blob_store(daemon: DaemonProcess) -> None:
    payload = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    client, (make, update) = await notebook(
        daemon,
        f"import ipywidgets as w\nimg = w.Image(value={payload!r}, format='png')\nimg",
        "img.value = b'second'",
    )
    await client.execute(make)
    image = widget_named(client, "ImageModel")
    ref = image.state["value"]
    assert ref["size"] == len(payload)
    assert await client.fetch_blob(ref["$blob"]) == payload
    await client.execute(update)
    ref = widget_named(client, "ImageModel").state["value"]
    assert await client.fetch_blob(ref["$blob"]) == b"second"
    await client.set_widget_state(image.comm_id, {}, buffers={("value",): b"from the frontend"})
    await wait_widget(
        client, lambda c: c.model_name == "ImageModel" and c.state["value"]["size"] == 17
    )
    await client.close()


async def test_kernel_restart_and_shutdown_clear_the_comms(daemon: DaemonProcess) -> None:
    client, (make,) = await notebook(daemon, "import ipywidgets as w\nw.IntSlider()")
    await client.execute(make)
    assert client.doc.get_comms()
    await client.restart()
    await client.wait_for(lambda doc: doc.get_comms() == [])
    await client.execute(make)
    assert client.doc.get_comms()
    await client.shutdown_kernel()
    await client.wait_for(lambda doc: doc.get_comms() == [])
    await client.close()


async def test_a_slider_drag_is_coalesced_and_ends_on_the_last_value(daemon: DaemonProcess) -> None:
    client, (make, read) = await notebook(
        daemon,
        "import ipywidgets as w\nreceived = []\ns = w.IntSlider(max=1000)\n"
        "s.observe(lambda ch: received.append(ch['new']), names='value')\ns",
        "(len(received), s.value, received[-1])",
    )
    await client.execute(make)
    slider = widget_named(client, "IntSliderModel")
    data = [{"method": "update", "state": {"value": v}, "buffer_paths": []} for v in range(1, 501)]
    sends = [client.request("send_comm", comm_id=slider.comm_id, data=d) for d in data]
    await asyncio.gather(*sends)
    await wait_widget(
        client, lambda c: c.comm_id == slider.comm_id and c.state["value"] == 500, timeout=30
    )
    count, value, last = eval(await value_of(client, read))
    assert value == 500 and last == 500
    assert count < 250, f"the kernel saw {count} updates for 500 drags"
    await client.close()


def test_the_protocol_has_no_widget_state_broadcasts() -> None:
    events = {member.__struct_config__.tag for member in protocol.AnyBroadcast.__args__}
    assert "comm_custom" in events
    for retired in (
        "comm_sync",
        "comm_open",
        "comm_close",
        "output",
        "outputs_cleared",
        "display_update",
    ):
        assert retired not in events
    schema = msgspec.json.schema(protocol.AnyBroadcast)
    assert "CommSync" not in str(schema) and "DisplayUpdate" not in str(schema)
