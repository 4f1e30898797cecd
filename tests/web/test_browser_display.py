"""The user's display settings applied live: another window (a Python peer here) turns
line numbers on and the font size up, and the open page shows both at once."""

from __future__ import annotations

import pytest
from playwright.async_api import expect
from test_browser import cell_editor
from test_browser_keyboard import Notebook, notebook, with_cells

pytestmark = pytest.mark.usefixtures("browser_prerequisites")

__all__ = ["notebook"]  # the fixture, shared with the keyboard tests


async def test_line_numbers_and_font_size_apply_live(notebook: Notebook) -> None:
    page = notebook.page
    await with_cells(notebook, ["a = 1\nb = 2"])
    gutters = notebook.cell(0).locator(".cm-gutters")
    await expect(gutters).to_be_hidden()
    editor = notebook.cell(0).locator(".cm-editor")
    await expect(editor).to_have_css("font-size", "13px")

    display = {"line_numbers": True, "font_size": 17, "theme": "system"}
    await notebook.client.request("set_display", display=display)
    await expect(gutters).to_be_visible()
    await expect(gutters).to_contain_text("2")
    await expect(editor).to_have_css("font-size", "17px")
    await cell_editor(page, 0).click()  # still an editor to type in
    await page.keyboard.type("#")
    await notebook.wait_doc(lambda doc: "#" in next(iter(doc.cells())).source)

    # A page opened later reads them when it shows its notebook.
    await page.reload()
    await expect(page.locator(".cell").first.locator(".cm-gutters")).to_be_visible()
    await notebook.client.request("set_display", display={**display, "line_numbers": False})
    await expect(page.locator(".cell").first.locator(".cm-gutters")).to_be_hidden()
