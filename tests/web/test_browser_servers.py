"""The servers settings in a real browser (Debian's chromium against the shell server and
a real daemon): a real `jupyter server` added from the page by keyboard, its kernels in
the picker as "NAME on SERVER", a cell run there, and the server removed again."""

from __future__ import annotations

import pytest
from conftest import DaemonProcess
from jupyter_servers import JupyterServerProcess
from playwright.async_api import Browser, expect
from test_browser import open_page, screenshot
from test_browser_kernels import KERNEL_TIMEOUT, choose_option, run_cell, wait_ready

from nbdesk.daemon.home import servers
from nbdesk.desktop.web_server import ShellServer

pytestmark = [pytest.mark.usefixtures("browser_prerequisites"), pytest.mark.timeout(240)]


async def test_add_a_server_pick_its_kernel_and_remove_it(
    browser: Browser,
    shell: ShellServer,
    daemon: DaemonProcess,
    jupyter_server: JupyterServerProcess,
) -> None:
    page = await open_page(browser, shell.page_url(create="1"))
    await wait_ready(page)
    await page.locator("[data-kernel-button]").focus()
    await page.keyboard.press("Enter")
    picker = page.get_by_role("dialog", name="Change kernel")
    await expect(picker.get_by_role("listbox")).to_be_focused()
    await picker.get_by_role("button", name="Jupyter servers…").focus()
    await page.keyboard.press("Enter")

    settings = page.get_by_role("dialog", name="Settings: Jupyter servers")
    await expect(settings).to_be_visible()
    await expect(settings.get_by_role("list", name="Servers added")).to_contain_text("None yet")
    name = settings.get_by_role("textbox", name="Name")
    url = settings.get_by_role("textbox", name="URL")
    token = settings.get_by_label("Token")
    await expect(name).to_be_focused()
    assert await token.get_attribute("type") == "password"

    # Plain HTTP to another machine is refused, and what was typed stays.
    await page.keyboard.type("lab")
    await page.keyboard.press("Tab")
    await expect(url).to_be_focused()
    await page.keyboard.type("http://10.0.0.5:8888")
    await page.keyboard.press("Tab")
    await expect(token).to_be_focused()
    await page.keyboard.type(jupyter_server.token)
    await page.keyboard.press("Enter")
    error = settings.locator("[data-servers-error]")
    await expect(error).to_contain_text("plain HTTP to another machine")
    await expect(name).to_have_value("lab")
    await expect(token).to_have_value(jupyter_server.token)
    assert servers.load(daemon.home) == {}

    # The real server's URL: stored, listed without its token, the token field cleared.
    await url.fill(jupyter_server.url + "/")
    await token.focus()
    await page.keyboard.press("Enter")
    row = settings.locator("[data-server-row][data-name=lab]")
    await expect(row).to_contain_text(jupyter_server.url)
    await expect(row).to_contain_text("token set")
    await expect(error).to_have_text("")
    await expect(token).to_have_value("")
    assert jupyter_server.token not in await page.content()
    assert servers.get(daemon.home, "lab").token == jupyter_server.token
    await screenshot(page, "servers-settings")

    # Escape closes the settings; the picker, asked again, offers the server's kernels.
    await page.keyboard.press("Escape")
    await expect(settings).to_be_hidden()
    group = picker.get_by_role("group", name="Jupyter servers")
    await expect(group.get_by_role("option", name="Python 3 (ipykernel) on lab")).to_be_visible()
    await picker.get_by_role("listbox").focus()
    await choose_option(page, "lab/python3")
    await page.keyboard.press("Enter")
    await expect(picker).to_be_hidden(timeout=KERNEL_TIMEOUT)
    await expect(page.locator("[data-kernel-button]")).to_have_text("Python 3 (ipykernel) on lab")
    await wait_ready(page)
    await run_cell(page, "import os; os.getcwd()")
    await expect(page.locator(".cell").last.locator(".output")).to_contain_text(
        str(jupyter_server.root / "work"), timeout=KERNEL_TIMEOUT
    )

    # Removed from the settings: gone from the store and from the list.
    await page.locator("[data-kernel-button]").focus()
    await page.keyboard.press("Enter")
    await picker.get_by_role("button", name="Jupyter servers…").click()
    await expect(row).to_be_visible()
    await settings.get_by_role("button", name="Remove lab").focus()
    await page.keyboard.press("Enter")
    await expect(row).to_have_count(0)
    await expect(settings.locator("[data-servers-status]")).to_have_text("Removed lab.")
    assert servers.load(daemon.home) == {}
    await page.close()
