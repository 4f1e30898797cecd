"""The settings page in a real browser against a real daemon: opened from the keyboard,
used from the keyboard alone (focus kept inside, Escape closes), a change in one window
applied live in another (theme, font size, line numbers, this notebook's line numbers
in its metadata), kept across a daemon restart, bad values refused with what to do and
nothing stored, and no serious or critical axe violations with it open."""

from __future__ import annotations

import json

import pytest
from conftest import DaemonProcess
from playwright.async_api import Browser, Page, expect
from test_browser import open_page, screenshot
from test_browser_cells import axe_violations
from test_browser_keyboard import Notebook, notebook, with_cells

from nbdesk.desktop.web_server import ShellServer

pytestmark = pytest.mark.usefixtures("browser_prerequisites")

__all__ = ["notebook"]  # the fixture, shared with the keyboard tests

DARK_BODY = "rgb(27, 29, 33)"
LIGHT_BODY = "rgb(255, 255, 255)"


def setting(page: Page, name: str):
    return page.locator(f"[data-settings] [data-setting={name}]")


async def body_background(page: Page) -> str:
    return await page.evaluate("getComputedStyle(document.body).backgroundColor")


async def open_settings(page: Page) -> None:
    await page.keyboard.press("Escape")  # command mode: the shortcut works in both
    await page.keyboard.press("Control+Comma")
    await expect(page.locator("dialog[data-settings]")).to_be_visible()
    await expect(setting(page, "theme")).to_be_focused()


async def test_a_change_applies_live_in_every_window_and_in_the_notebook(
    notebook: Notebook, browser: Browser, shell: ShellServer
) -> None:
    page = notebook.page
    await with_cells(notebook, ["a = 1\nb = 2"])
    notebook_id = await page.locator("#app").get_attribute("data-notebook-id")
    other = await open_page(browser, shell.page_url(join=str(notebook_id)))
    await expect(other.locator(".cell")).to_have_count(1)
    assert await body_background(other) == LIGHT_BODY  # the system's (light) theme
    classes = "document.querySelector('.cell .cm-editor').className"
    light_editor = await other.evaluate(classes)

    await open_settings(page)
    # Keyboard only: the theme list, then Tab to the font size and to the checkbox.
    await page.keyboard.press("ArrowDown")  # system → light
    await page.keyboard.press("ArrowDown")  # light → dark
    await expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    await page.keyboard.press("Tab")
    await expect(setting(page, "font_size")).to_be_focused()
    await page.keyboard.press("Control+a")
    await page.keyboard.type("18")
    await page.keyboard.press("Tab")
    await expect(setting(page, "line_numbers")).to_be_focused()
    await page.keyboard.press("Space")

    # The other window follows at once: page, editors and gutters.
    await expect(other.locator("html")).to_have_attribute("data-theme", "dark")
    await expect(other.locator(".cell .cm-editor")).to_have_css("font-size", "18px")
    await expect(other.locator(".cell .cm-gutters")).to_be_visible()
    assert await body_background(other) == DARK_BODY
    # CodeMirror's own dark theme (its tooltips and selection) in that window too.
    await other.wait_for_function(f"{classes} !== {light_editor!r}")
    await screenshot(page, "settings-dark")

    # This notebook hides its line numbers, for every window, kept in its metadata.
    await page.keyboard.press("Tab")
    await expect(setting(page, "notebook_line_numbers")).to_be_focused()
    await setting(page, "notebook_line_numbers").select_option("off")
    await expect(other.locator(".cell .cm-gutters")).to_be_hidden()

    def nbdesk_meta() -> dict[str, object]:
        raw = notebook.client.doc.get_metadata("nbdesk")
        return json.loads(raw) if raw else {}

    await notebook.wait_doc(lambda doc: nbdesk_meta().get("line_numbers") is False)
    # Focus stays inside the dialog; Escape closes it and gives the focus back.
    for _ in range(20):
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.closest('dialog[data-settings]') !== null")
    await page.keyboard.press("Escape")
    await expect(page.locator("dialog[data-settings]")).to_be_hidden()
    await other.close()


async def test_the_editor_theme_follows_the_chosen_theme(notebook: Notebook) -> None:
    page = notebook.page
    await with_cells(notebook, ["x = 1"])
    classes = "document.querySelector('.cm-editor').className"
    light = await page.evaluate(classes)
    await notebook.client.request(
        "set_display", display={"line_numbers": False, "font_size": 13, "theme": "dark"}
    )
    await page.wait_for_function(f"{classes} !== {light!r}")
    # The system switching changes nothing while the user chose dark ...
    await page.emulate_media(color_scheme="light")
    assert await body_background(page) == DARK_BODY
    # ... and "system" follows it again.
    await notebook.client.request(
        "set_display", display={"line_numbers": False, "font_size": 13, "theme": "system"}
    )
    await page.wait_for_function(f"{classes} === {light!r}")
    await page.emulate_media(color_scheme="dark")
    await expect(page.locator("html")).to_have_attribute("data-theme", "dark")


async def test_settings_persist_across_a_daemon_restart(
    notebook: Notebook, browser: Browser, shell: ShellServer, daemon: DaemonProcess
) -> None:
    page = notebook.page
    await open_settings(page)
    await setting(page, "theme").select_option("dark")
    await expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    await setting(page, "keep_alive").fill("120")
    await setting(page, "default_packages").fill("rich\n")
    await page.locator("[data-settings-apply]").click()
    await expect(page.locator("[data-settings-status]")).to_have_text("Saved")
    await expect(page.locator("[data-settings-pending]")).to_contain_text(
        "the default packages apply after the nbdesk daemon restarts"
    )
    await notebook.client.close()

    daemon.stop()
    daemon.start()
    again = await open_page(browser, shell.page_url(create=1))
    await expect(again.locator("html")).to_have_attribute("data-theme", "dark")
    await open_settings(again)
    await expect(setting(again, "keep_alive")).to_have_value("120")
    await expect(setting(again, "default_packages")).to_have_value("rich")
    await expect(again.locator("[data-settings-pending]")).to_be_hidden()  # in use now
    await again.close()


async def test_bad_values_are_refused_with_what_to_do(notebook: Notebook) -> None:
    page = notebook.page
    await open_settings(page)
    error = page.locator("[data-settings-error]")
    await setting(page, "font_size").fill("99")
    await setting(page, "font_size").press("Tab")
    await expect(error).to_have_text(
        "Changing the display: font size 99 is out of range: choose one from 8 to 40"
    )
    await setting(page, "pool_uv").fill("99")
    await page.locator("[data-settings-apply]").click()
    await expect(error).to_have_text(
        "Not saved: the uv pool size 99 is out of range: choose from 0 to 8"
    )
    await setting(page, "pool_uv").fill("0")
    await setting(page, "default_packages").fill("numpy\n-e .")
    await page.locator("[data-settings-apply]").click()
    await expect(error).to_contain_text("default packages: '-e .' is an installer option")
    await setting(page, "keep_alive").fill("")
    await page.locator("[data-settings-apply]").click()
    await expect(error).to_have_text(
        "Keep-alive: type a number of seconds, such as 30. Nothing was saved."
    )
    await expect(setting(page, "keep_alive")).to_be_focused()
    preferences = await notebook.client.request("get_preferences")
    assert preferences["display"]["font_size"] == 13
    assert (preferences["daemon"]["pool_uv"], preferences["daemon"]["default_packages"]) == (0, [])
    await screenshot(page, "settings-refused")


async def test_the_settings_page_passes_axe(notebook: Notebook) -> None:
    page = notebook.page
    await with_cells(notebook, ["print(1)"])
    await open_settings(page)
    await expect(setting(page, "keep_alive")).to_have_value("30")  # filled from the daemon
    violations = await axe_violations(page)
    assert violations == [], violations
    await setting(page, "theme").select_option("dark")
    await expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    violations = await axe_violations(page)
    assert violations == [], violations
