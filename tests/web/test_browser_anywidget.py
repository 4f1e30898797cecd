"""anywidget widgets in the page: a published widget (wigglystuff's ColorPicker) and one
written here on anywidget itself, against a real daemon and kernel. Their ES modules run
in sandboxed frames; state, custom messages and binary buffers cross in both directions."""

from __future__ import annotations

import pytest
from conftest import DaemonProcess
from playwright.async_api import Browser, expect
from test_browser import screenshot
from test_browser_widgets import (
    TIMEOUT,
    assert_no_errors,
    comm_named,
    join_page,
    notebook,
    printed,
    wait_state,
)

from nbdesk.desktop.web_server import ShellServer

pytestmark = pytest.mark.usefixtures("browser_prerequisites")
RENDERED = ".anywidget-view[data-anywidget=rendered]"

PROBE = '''
import anywidget, traitlets

class Probe(anywidget.AnyWidget):
    _esm = """
export default {
  render({ model, el }) {
    const out = document.createElement("output");
    el.append(out);
    const show = () => {
      const data = model.get("data");
      out.textContent = `${model.get("label")}:${data ? data.byteLength : 0}`;
    };
    model.on("change:label", show);
    model.on("change:data", show);
    show();
    let reach;
    try { reach = String(parent.document.title); } catch (error) { reach = error.name; }
    model.set("probe", `${self.origin}|${reach}`);
    model.save_changes();
    model.on("msg:custom", (content, buffers) => {
      const view = buffers[0];
      const bytes = [...new Uint8Array(view.buffer, view.byteOffset, view.byteLength)];
      el.dataset.got = `${content.n}:${bytes.join(",")}`;
      model.send({ echo: content.n + 1 }, undefined, [new Uint8Array(bytes.reverse())]);
    });
  },
};
"""
    _css = "output { color: rgb(1, 2, 3); }"
    label = traitlets.Unicode("a").tag(sync=True)
    probe = traitlets.Unicode("").tag(sync=True)
    data = traitlets.Bytes(b"").tag(sync=True)

got = []
p = Probe()
p.on_msg(lambda widget, content, buffers: got.append((content, [bytes(b) for b in buffers])))
p
'''


async def test_published_anywidget_renders_and_syncs_both_ways(
    browser: Browser, shell: ShellServer, daemon: DaemonProcess
) -> None:
    client, (make, kernel_set, read) = await notebook(
        daemon,
        "from wigglystuff import ColorPicker\ncp = ColorPicker(color='#ff5733')\ncp",
        "cp.color = '#123456'",
        "print(cp.color)",
    )
    await client.execute(make)
    picker = comm_named(client, "AnyModel")
    page = await join_page(browser, shell, client)
    await expect(page.locator(RENDERED)).to_have_count(1, timeout=TIMEOUT)
    frame = page.frame_locator(".anywidget-frame")
    color = frame.locator("input.colorpicker-input")
    await expect(color).to_have_value("#ff5733")
    await expect(frame.locator(".colorpicker-label")).to_have_text("#ff5733")

    await client.execute(kernel_set)  # Python -> page
    await expect(color).to_have_value("#123456", timeout=TIMEOUT)

    await color.fill("#00ff00")  # page -> Python
    await wait_state(client, picker.comm_id, "color", "#00ff00")
    assert await printed(client, read) == "#00ff00\n"
    await screenshot(page, "anywidget-colorpicker")
    assert_no_errors(page)
    await client.close()


async def test_anywidget_custom_messages_buffers_and_sandbox(
    browser: Browser, shell: ShellServer, daemon: DaemonProcess
) -> None:
    client, (make, set_data, custom, read, broken) = await notebook(
        daemon,
        PROBE,
        "p.data = bytes([1, 2, 3]); p.label = 'b'",
        "p.send({'n': 41}, buffers=[bytes([7, 8, 9])])",
        "print(p.probe, got)",
        "class Broken(anywidget.AnyWidget):\n    _esm = 'export default 42'\nBroken()",
    )
    await client.execute(make)
    probe = comm_named(client, "AnyModel")
    page = await join_page(browser, shell, client)
    await expect(page.locator(RENDERED)).to_have_count(1, timeout=TIMEOUT)
    frame = page.frame_locator(".anywidget-frame")
    output = frame.locator("output")
    await expect(output).to_have_text("a:0")
    assert await output.evaluate("e => getComputedStyle(e).color") == "rgb(1, 2, 3)"  # _css

    # the module ran in an opaque origin that cannot reach the page
    await wait_state(client, probe.comm_id, "probe", "null|SecurityError")

    await client.execute(set_data)  # a binary trait arrives as bytes
    await expect(output).to_have_text("b:3", timeout=TIMEOUT)

    await client.execute(custom)  # a custom message with a buffer, and its answer
    await expect(frame.locator("[data-got]")).to_have_attribute("data-got", "41:7,8,9")
    expected = "null|SecurityError [({'echo': 42}, [b'\\t\\x08\\x07'])]\n"
    for _ in range(50):
        if (text := await printed(client, read)) == expected:
            break
    assert text == expected
    await screenshot(page, "anywidget-probe")

    # a module that is not an anywidget says so in its frame
    await client.execute(broken)
    failed = page.locator(".anywidget-view[data-anywidget=failed]")
    await expect(failed).to_have_count(1, timeout=TIMEOUT)
    await expect(
        page.frame_locator(".anywidget-frame").nth(1).locator(".anywidget-error")
    ).to_contain_text("exports no default object or function")
    assert_no_errors(page)
    await client.close()
