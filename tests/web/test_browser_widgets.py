"""ipywidgets in the page: Playwright drives Debian's chromium against the shell's server,
a real daemon and real ipykernels. The page renders widgets from the document's `comms`
map and sends user changes with `send_comm`; Python clients play the other side."""

from __future__ import annotations

import asyncio
import re
import struct
import zlib
from typing import Any

import pytest
from conftest import DaemonProcess
from playwright.async_api import Browser, Page, expect
from test_browser import WEB_DIST, screenshot

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.desktop.web_server import ShellServer

pytestmark = pytest.mark.usefixtures("browser_prerequisites")
SHOWN = ".widget-view[data-widget=shown]"
TIMEOUT = 30_000


async def notebook(daemon: DaemonProcess, *sources: str) -> tuple[NotebookClient, list[str]]:
    client = await NotebookClient.create(home=daemon.home)
    with client.edit() as doc:
        ids = [doc.insert_cell(i, source=source) for i, source in enumerate(sources)]
    return client, ids


PAGE_ERRORS: dict[Page, list[str]] = {}


async def join_page(browser: Browser, shell: ShellServer, client: NotebookClient) -> Page:
    """A page on the client's notebook; its script errors are kept for `assert_no_errors`."""
    page = await browser.new_page()
    errors = PAGE_ERRORS.setdefault(page, [])
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await page.goto(shell.page_url(join=client.notebook_id))
    await expect(page.locator("[data-connection]")).to_have_text("connected", timeout=20_000)
    return page


def assert_no_errors(*pages: Page) -> None:
    for page in pages:
        assert PAGE_ERRORS.pop(page, []) == []


def comm_named(client: NotebookClient, model_name: str) -> Any:
    comms = [c for c in client.doc.get_comms() if c.model_name == model_name]
    assert comms, f"no {model_name} in {[c.model_name for c in client.doc.get_comms()]}"
    return comms[-1]


async def wait_state(client: NotebookClient, comm_id: str, key: str, value: Any) -> None:
    """Until the daemon's document (as this client sees it) holds `state[key] == value`."""
    await client.wait_for(
        lambda doc: doc.has_comm(comm_id) and doc.get_comm(comm_id).state.get(key) == value, 20
    )


async def printed(client: NotebookClient, cell: str) -> str:
    outputs = (await client.execute(cell)).outputs
    return "".join(o.get("text", "") for o in outputs if o["output_type"] == "stream")


def tiny_png(width: int = 6, height: int = 4) -> bytes:
    """A real, decodable red PNG (the page must draw it, not just hold bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


SLIDER = (
    "import ipywidgets as w\n"
    "seen = []\n"
    "s = w.IntSlider(value=3, min=0, max=100, description='x')\n"
    "s.observe(lambda ch: seen.append(ch['new']), names='value')\n"
    "s"
)


async def test_slider_syncs_both_ways_across_pages_and_late_joiners(
    browser: Browser, shell: ShellServer, daemon: DaemonProcess
) -> None:
    client, (make, read, kernel_set, close) = await notebook(
        daemon, SLIDER, "print(s.value, seen[-1])", "s.value = 7", "s.close()"
    )
    await client.execute(make)
    slider = comm_named(client, "IntSliderModel")
    first = await join_page(browser, shell, client)
    second = await join_page(browser, shell, client)
    for page in (first, second):
        await expect(page.locator(f"{SHOWN} .widget-slider")).to_be_visible(timeout=TIMEOUT)
        await expect(page.locator(".widget-readout")).to_have_text("3")
        await expect(page.locator(".widget-label").first).to_have_text("x")

    # keyboard: five steps right on the slider handle
    await first.locator(".noUi-handle").focus()
    for _ in range(5):
        await first.keyboard.press("ArrowRight")
    await expect(first.locator(".widget-readout")).to_have_text("8")
    await wait_state(client, slider.comm_id, "value", 8)
    assert await printed(client, read) == "8 8\n"
    await expect(second.locator(".widget-readout")).to_have_text("8", timeout=TIMEOUT)

    # drag the handle to the far right end of the track
    handle = await first.locator(".noUi-handle").bounding_box()
    track = await first.locator(".noUi-target").bounding_box()
    assert handle and track
    await first.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    await first.mouse.down()
    for step in range(1, 11):
        x = handle["x"] + (track["x"] + track["width"] + 40 - handle["x"]) * step / 10
        await first.mouse.move(x, handle["y"] + handle["height"] / 2)
    await first.mouse.up()
    await expect(first.locator(".widget-readout")).to_have_text("100")
    await wait_state(client, slider.comm_id, "value", 100)
    assert await printed(client, read) == "100 100\n"
    await expect(second.locator(".widget-readout")).to_have_text("100", timeout=TIMEOUT)
    await screenshot(first, "widgets-slider-dragged")

    # the kernel moves the slider in every page
    await client.execute(kernel_set)
    for page in (first, second):
        await expect(page.locator(".widget-readout")).to_have_text("7", timeout=TIMEOUT)

    # a page opened now shows the widget from the document alone
    late = await join_page(browser, shell, client)
    await expect(late.locator(f"{SHOWN} .widget-readout")).to_have_text("7", timeout=TIMEOUT)
    await screenshot(late, "widgets-slider-late-page")

    # closed in the kernel: open views close, a page opened afterwards says it is gone
    await client.execute(close)
    await expect(late.locator(".widget-view[data-widget=closed]")).to_have_count(1, timeout=TIMEOUT)
    await expect(late.locator(".widget-slider")).to_have_count(0)
    after = await join_page(browser, shell, client)
    await expect(after.locator(".widget-view[data-widget=missing]")).to_contain_text(
        "gone", timeout=TIMEOUT
    )
    assert_no_errors(first, second, late, after)
    await client.close()


async def test_button_output_widget_and_interact(
    browser: Browser, shell: ShellServer, daemon: DaemonProcess
) -> None:
    client, (make, make_interact) = await notebook(
        daemon,
        "import ipywidgets as w\nout = w.Output()\nb = w.Button(description='go', icon='check')\n"
        "@out.capture()\ndef on(b):\n    print('clicked')\nb.on_click(on)\n"
        "display(b, out)\nwith out:\n    print('captured at start')",
        "@w.interact(n=(0, 10))\ndef square(n=4):\n    print('square', n * n)",
    )
    page = await join_page(browser, shell, client)
    await expect(page.locator(".cell")).to_have_count(2, timeout=TIMEOUT)
    assert await page.evaluate("typeof globalThis.nbdeskWidgets") == "undefined"
    await client.execute(make)
    output_widget = page.locator(".cell").first.locator(f"{SHOWN} .widget-output")
    await expect(output_widget).to_contain_text("captured at start", timeout=TIMEOUT)
    await expect(output_widget.locator(".output[data-stream=stdout]")).to_have_count(1)

    icon = page.locator(".widget-button i.fa-check")
    assert "Font Awesome" in await icon.evaluate("i => getComputedStyle(i).fontFamily")
    await page.get_by_role("button", name="go").click()
    await expect(output_widget).to_contain_text("clicked", timeout=TIMEOUT)
    await page.get_by_role("button", name="go").click()
    await expect(output_widget).to_contain_text("clicked\nclicked", timeout=TIMEOUT)

    await client.execute(make_interact)
    interact = page.locator(".cell").nth(1)
    await expect(interact.locator(f"{SHOWN} .widget-output")).to_contain_text(
        "square 16", timeout=TIMEOUT
    )
    await interact.locator(".noUi-handle").focus()
    await page.keyboard.press("ArrowRight")
    await expect(interact.locator(".widget-output")).to_contain_text("square 25", timeout=TIMEOUT)
    await expect(interact.locator(".widget-output")).not_to_contain_text("square 16")
    await screenshot(page, "widgets-button-output-interact")
    assert_no_errors(page)
    await client.close()


async def test_controls_layouts_and_binary_image(
    browser: Browser, shell: ShellServer, daemon: DaemonProcess
) -> None:
    png = tiny_png()
    client, (make, read, focus) = await notebook(
        daemon,
        "import ipywidgets as w\n"
        "text, check = w.Text('hi'), w.Checkbox(value=True, description='ok')\n"
        "drop = w.Dropdown(options=['a', 'b', 'c'], value='b')\n"
        "fs = w.FloatSlider(value=0.5, min=0, max=1, step=0.1, description='f')\n"
        f"img = w.Image(value={png!r}, format='png', layout=w.Layout(width='48px'))\n"
        "w.VBox([w.HBox([text, check]), drop, fs, img])",
        "print(repr(text.value), check.value, drop.value, fs.value)",
        "drop.focus()",
    )
    await client.execute(make)
    page = await join_page(browser, shell, client)
    view = page.locator(SHOWN)
    await expect(view.locator(".widget-vbox .widget-hbox .widget-text input")).to_have_value(
        "hi", timeout=TIMEOUT
    )
    checkbox = view.locator(".widget-checkbox input[type=checkbox]")
    await expect(checkbox).to_be_checked()
    await expect(view.locator(".widget-dropdown select")).to_have_value("b")
    await expect(view.locator(".widget-readout")).to_have_text("0.50")
    image = view.locator(".widget-image")
    await expect(image).to_have_attribute("src", re.compile(r"^blob:"))
    size = await image.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert size == [6, 4]

    text = view.locator(".widget-text input")
    await text.fill("typed")
    # key by key while echoes of the earlier values come back: none may overwrite the input
    await text.press_sequentially(" here, one key at a time", delay=15)
    await checkbox.uncheck()
    await view.locator(".widget-dropdown select").select_option("c")
    await view.locator(".noUi-handle").focus()
    await page.keyboard.press("ArrowRight")
    await expect(view.locator(".widget-readout")).to_have_text("0.60")
    for model, key, value in [
        ("TextModel", "value", "typed here, one key at a time"),
        ("CheckboxModel", "value", False),
        ("DropdownModel", "index", 2),
        ("FloatSliderModel", "value", 0.6),
    ]:
        await wait_state(client, comm_named(client, model).comm_id, key, value)
    assert await printed(client, read) == "'typed here, one key at a time' False c 0.6\n"
    await expect(text).to_have_value("typed here, one key at a time")
    await screenshot(page, "widgets-controls")

    # a custom message from the kernel (comm_custom) reaches the view
    await client.execute(focus)
    await expect(view.locator(".widget-dropdown select")).to_be_focused(timeout=TIMEOUT)

    # a restarted kernel has no widgets: their views close
    await client.restart()
    await expect(page.locator(".widget-view[data-widget=closed]")).to_have_count(1, timeout=TIMEOUT)
    await expect(page.locator(".widget-text")).to_have_count(0)
    assert_no_errors(page)
    await client.close()


async def test_file_upload_sends_binary_buffers_to_the_kernel(
    browser: Browser, shell: ShellServer, daemon: DaemonProcess
) -> None:
    client, (make, probe, read) = await notebook(
        daemon,
        "import ipywidgets as w\nup = w.FileUpload()\nup",
        "print(len(up.value))",
        "f = up.value[0]\nprint(f.name, f.size, bytes(f.content))",
    )
    await client.execute(make)
    page = await join_page(browser, shell, client)
    upload = page.locator(f"{SHOWN} .widget-upload")
    await expect(upload).to_be_visible(timeout=TIMEOUT)
    async with page.expect_file_chooser() as chooser:
        await upload.click()
    await (await chooser.value).set_files(
        files=[
            {"name": "data.bin", "mimeType": "application/octet-stream", "buffer": b"\x00\x01nb"}
        ]
    )
    await expect(upload).to_contain_text("(1)", timeout=TIMEOUT)
    # FileUpload's value is not echoed (echo_update=False), so only the kernel has it
    deadline = asyncio.get_running_loop().time() + 20
    while await printed(client, probe) != "1\n":
        assert asyncio.get_running_loop().time() < deadline, "the kernel never got the file"
    assert await printed(client, read) == "data.bin 4 b'\\x00\\x01nb'\n"
    assert_no_errors(page)
    await client.close()


async def test_tabs_toggle_buttons_and_progress(
    browser: Browser, shell: ShellServer, daemon: DaemonProcess
) -> None:
    client, (make,) = await notebook(
        daemon,
        "import ipywidgets as w\n"
        "tab = w.Tab([w.Label('first page'), w.Label('second page')], titles=['A', 'B'])\n"
        "toggle = w.ToggleButtons(options=['x', 'y'])\n"
        "w.VBox([tab, toggle, w.FloatProgress(value=0.4, max=1)])",
    )
    await client.execute(make)
    page = await join_page(browser, shell, client)
    view = page.locator(SHOWN)
    await expect(view.get_by_text("first page")).to_be_visible(timeout=TIMEOUT)
    await expect(view.get_by_text("second page")).to_be_hidden()
    await view.locator(".lm-TabBar-tab", has_text="B").click()
    await expect(view.get_by_text("second page")).to_be_visible()
    await expect(view.get_by_text("first page")).to_be_hidden()
    await wait_state(client, comm_named(client, "TabModel").comm_id, "selected_index", 1)
    await view.get_by_role("button", name="y").click()
    await wait_state(client, comm_named(client, "ToggleButtonsModel").comm_id, "index", 1)
    await expect(view.locator(".widget-hprogress .progress-bar")).to_be_visible()
    await screenshot(page, "widgets-tabs")
    assert_no_errors(page)
    await client.close()
