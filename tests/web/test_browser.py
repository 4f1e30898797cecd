"""Browser mode: Playwright drives Debian's chromium against the shell's own server and
relay, a real daemon and real kernels. Screenshots go to artifacts/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import CHROMIUM, WEB_DIST, DaemonFactory, DaemonProcess
from playwright.async_api import Browser, Page, WebSocketRoute, expect

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.desktop.web_server import ShellServer

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"

pytestmark = pytest.mark.usefixtures("browser_prerequisites")


async def open_page(browser: Browser, url: str) -> Page:
    page = await browser.new_page()
    await page.goto(url)
    await expect(page.locator("[data-connection]")).to_have_text("connected", timeout=20_000)
    return page


async def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def cell_editor(page: Page, index: int = 0):
    return page.locator(".cell").nth(index).locator(".cm-content")


async def notebook_id_of(page: Page) -> str:
    """The notebook a page shows, as the daemon names it (for joining it from elsewhere)."""
    value = await page.locator("#app").get_attribute("data-notebook-id")
    assert value, "the page has not opened a notebook"
    return value


async def joined(page: Page, daemon: DaemonProcess) -> NotebookClient:
    """A Python client on the notebook a page shows."""
    return await NotebookClient.join(await notebook_id_of(page), home=daemon.home)


async def new_notebook_with_cell(browser: Browser, shell: ShellServer) -> Page:
    page = await open_page(browser, shell.page_url(create=1))
    await expect(page.locator("[data-loading]")).to_have_count(0, timeout=20_000)  # synced
    await page.click("[data-action=add-below]")
    await expect(page.locator(".cell")).to_have_count(1)
    return page


async def test_type_run_and_see_the_result(browser: Browser, shell: ShellServer) -> None:
    page = await new_notebook_with_cell(browser, shell)
    await cell_editor(page).click()
    await page.keyboard.type("1+1")
    await page.keyboard.press("Control+Enter")
    result = page.locator(".cell").first.locator(".output[data-output-type=execute_result]")
    await expect(result).to_contain_text("2", timeout=30_000)
    await expect(page.locator(".cell").first.locator(".execution-count")).to_have_text("[1]")
    await expect(page.locator("[data-kernel-status]")).to_have_text("idle")
    await screenshot(page, "browser-run-1+1")


async def test_a_second_page_sees_typing_live(browser: Browser, shell: ShellServer) -> None:
    first = await new_notebook_with_cell(browser, shell)
    notebook_id = await notebook_id_of(first)
    second = await open_page(browser, shell.page_url(join=notebook_id))
    await expect(second.locator(".cell")).to_have_count(1)
    await cell_editor(first).click()
    await first.keyboard.type("print('héllo 😀')")
    await expect(cell_editor(second)).to_have_text("print('héllo 😀')", timeout=10_000)
    await cell_editor(second).click()
    await second.keyboard.press("End")
    await second.keyboard.type("  # from two")
    await expect(cell_editor(first)).to_have_text("print('héllo 😀')  # from two", timeout=10_000)
    await screenshot(second, "browser-second-page")


async def test_reloading_mid_edit_loses_nothing(
    browser: Browser, shell: ShellServer, daemon: DaemonProcess
) -> None:
    """Edits that never left the page (lost in transit here) survive a reload via the draft."""
    losing = {"on": False}

    async def relay_route(route: WebSocketRoute) -> None:
        server = route.connect_to_server()

        def page_to_daemon(message: str | bytes) -> None:
            if not (losing["on"] and isinstance(message, bytes)):
                server.send(message)

        route.on_message(page_to_daemon)

    page = await browser.new_page()
    await page.route_web_socket("**/relay*", relay_route)
    await page.goto(shell.page_url(create=1))
    await expect(page.locator("[data-connection]")).to_have_text("connected", timeout=20_000)
    await expect(page.locator("[data-loading]")).to_have_count(0, timeout=20_000)  # synced
    await page.click("[data-action=add-below]")
    await expect(page.locator(".cell")).to_have_count(1)
    client = await joined(page, daemon)
    await client.wait_for(lambda doc: len(doc) == 1, timeout=10)
    typed = "x = 'typed before the reload'"
    losing["on"] = True
    await cell_editor(page).click()
    await page.keyboard.type(typed)
    await page.wait_for_timeout(300)
    assert [c.source for c in client.doc.cells()] == [""], "the typing was meant to be lost"
    losing["on"] = False
    await page.reload()
    await expect(page.locator("[data-connection]")).to_have_text("connected", timeout=20_000)
    await expect(cell_editor(page)).to_have_text(typed)
    await client.wait_for(lambda doc: [c.source for c in doc.cells()] == [typed], timeout=10)
    await client.close()


async def test_the_page_survives_a_daemon_restart(
    browser: Browser, shell: ShellServer, daemon_factory: DaemonFactory, daemon: DaemonProcess
) -> None:
    page = await new_notebook_with_cell(browser, shell)
    await cell_editor(page).click()
    await page.keyboard.type("40 + 2")
    await page.keyboard.press("Control+Enter")
    await expect(page.locator(".output[data-output-type=execute_result]")).to_contain_text(
        "42", timeout=30_000
    )
    daemon.kill()
    await expect(page.locator("[data-connection]")).to_have_text("daemon lost", timeout=10_000)
    await cell_editor(page).click()
    await page.keyboard.press("End")
    await page.keyboard.type(" + 1")
    daemon_factory()
    await expect(page.locator("[data-connection]")).to_have_text("reconnected", timeout=20_000)
    await page.click("[data-action=restart]")
    await page.click("[data-confirm-accept]")  # a restart asks first
    await expect(page.locator("[data-message]")).to_have_text("Kernel restarted", timeout=30_000)
    await expect(page.locator("[data-kernel-status]")).to_have_text("idle", timeout=30_000)
    await cell_editor(page).click()
    await page.keyboard.press("Control+Enter")
    await expect(page.locator(".output[data-output-type=execute_result]")).to_contain_text(
        "43", timeout=30_000
    )
    await screenshot(page, "browser-after-daemon-restart")


async def test_rich_outputs_render(browser: Browser, shell: ShellServer) -> None:
    page = await new_notebook_with_cell(browser, shell)
    await cell_editor(page).click()
    source = (
        "from IPython.display import HTML, SVG, display\n"
        "print('\\x1b[31mred\\x1b[0m')\n"
        "display(HTML('<b>bold</b>'))\n"
        'display(SVG(\'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>\'))\n'
        "1/0"
    )
    await page.keyboard.insert_text(source)
    await page.keyboard.press("Control+Enter")
    cell = page.locator(".cell").first
    await expect(cell.locator(".output[data-output-type=error]")).to_contain_text(
        "ZeroDivisionError", timeout=30_000
    )
    iframe = cell.locator("iframe.html-output")
    await expect(iframe).to_have_attribute("sandbox", "allow-scripts")
    await expect(cell.locator("iframe.svg-output")).to_have_attribute("sandbox", "allow-scripts")
    await expect(cell.locator(".output[data-output-type=stream]")).to_contain_text("red")
    await screenshot(page, "browser-rich-outputs")


def test_artifacts_folder_is_ignored_by_git() -> None:
    assert "artifacts/" in (ROOT / ".gitignore").read_text()
    assert shutil.which("chromium") is not None
