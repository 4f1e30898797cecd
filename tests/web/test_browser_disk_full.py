"""The page on a full disk: the notebook's folder on a small tmpfs that fills up. The page
says that saving failed and why, keeps the typing, and says so when saving works again."""

from __future__ import annotations

import nbformat
import pytest
from conftest import SmallDisk, fill_disk
from playwright.async_api import Browser, expect
from test_browser import cell_editor, open_page, screenshot

from nbdesk.desktop.web_server import ShellServer

pytestmark = pytest.mark.usefixtures("browser_prerequisites")


async def test_the_page_says_saving_failed_and_works_again(
    browser: Browser, shell: ShellServer, small_disk: SmallDisk
) -> None:
    disk = small_disk("1m")
    path = disk / "n.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("before = 1")])
    path.write_text(nbformat.writes(nb))
    page = await open_page(browser, shell.page_url(open=str(path)))
    await expect(cell_editor(page)).to_have_text("before = 1", timeout=20_000)

    filler = fill_disk(disk)
    await cell_editor(page).click()
    await page.keyboard.press("End")
    await page.keyboard.type("  # typed on a full disk")
    message = page.locator("[data-message]")
    await expect(message).to_contain_text("Saving n.ipynb failed", timeout=20_000)
    await expect(message).to_contain_text("No space left on device")
    await expect(message).to_contain_text("Your edits are kept")
    await expect(message).to_have_attribute("data-kind", "error")
    await expect(cell_editor(page)).to_have_text("before = 1  # typed on a full disk")
    await screenshot(page, "disk-full")
    assert "typed on a full disk" not in path.read_text()

    filler.unlink()
    await expect(message).to_have_text("Saved n.ipynb again", timeout=30_000)
    saved = nbformat.reads(path.read_text(), as_version=4)
    assert saved.cells[0].source == "before = 1  # typed on a full disk"
