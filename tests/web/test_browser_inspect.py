"""Kernel help (Shift-Tab) and typed completions in a real browser.

Playwright drives Debian's chromium against the shell server, a real daemon and a real
ipykernel; the Python client asks the same `inspect` request the page does.
"""

from __future__ import annotations

import pytest
from playwright.async_api import expect
from test_browser import cell_editor, screenshot
from test_browser_keyboard import RUN_TIMEOUT, Notebook, notebook, with_cells

pytestmark = pytest.mark.usefixtures("browser_prerequisites")

__all__ = ["notebook"]  # the fixture, shared with the keyboard tests

GREET = 'def greet(name: str) -> str:\n    """Say hello to NAME politely."""\n    return name'


async def test_shift_tab_shows_the_kernels_help_in_an_accessible_tooltip(
    notebook: Notebook,
) -> None:
    page = notebook.page
    await with_cells(notebook, [GREET, "greet"])
    await notebook.keys("Control+Enter")
    await expect(notebook.cell(0)).to_have_attribute("data-state", "done", timeout=RUN_TIMEOUT)

    editor = cell_editor(page, 1)
    await editor.click()
    await notebook.keys("End", "Shift+Tab")
    tooltip = page.locator("[role=tooltip].cm-inspect")
    await expect(tooltip).to_be_visible(timeout=RUN_TIMEOUT)
    await expect(tooltip).to_contain_text("greet(name: str) -> str")
    await expect(tooltip).to_contain_text("Say hello to NAME politely.")
    text = await tooltip.text_content()
    assert text is not None and "\x1b" not in text and "[0;31m" not in text, text
    tooltip_id = await tooltip.get_attribute("id")
    assert tooltip_id
    await expect(editor).to_have_attribute("aria-describedby", tooltip_id)
    await screenshot(page, "inspect-tooltip")

    # Escape closes the tooltip and stays in the editor; a second Escape leaves it.
    await notebook.keys("Escape")
    await expect(tooltip).to_have_count(0)
    await expect(editor).not_to_have_attribute("aria-describedby", tooltip_id)
    await notebook.expect_mode("edit")

    # Typing closes it too; the cell's text is what was typed.
    await notebook.keys("Shift+Tab")
    await expect(tooltip).to_be_visible(timeout=RUN_TIMEOUT)
    await page.keyboard.type("(")
    await expect(tooltip).to_have_count(0)
    await notebook.wait_sources([GREET, "greet("])

    # A name the kernel does not know says so rather than showing nothing.
    await notebook.keys("Control+a")
    await page.keyboard.type("no_such_name_here")
    await notebook.keys("Shift+Tab")
    await expect(tooltip).to_contain_text("no help for this name", timeout=RUN_TIMEOUT)
    await notebook.keys("Escape")
    await expect(tooltip).to_have_count(0)
    await notebook.keys("Escape")
    await notebook.expect_mode("command")


async def test_shift_tab_at_the_indentation_dedents(notebook: Notebook) -> None:
    page = notebook.page
    await with_cells(notebook, ["if True:\n        x = 1"])
    await cell_editor(page, 0).click()
    await notebook.keys("Control+End", "Home", "Shift+Tab")
    await notebook.wait_sources(["if True:\n    x = 1"])
    await expect(page.locator("[role=tooltip].cm-inspect")).to_have_count(0)


async def test_completions_show_the_kernels_types(notebook: Notebook) -> None:
    page = notebook.page
    await with_cells(notebook, ["import o"])
    await cell_editor(page, 0).click()
    await notebook.keys("Control+End", "Tab")
    popup = page.locator(".cm-tooltip-autocomplete")
    await expect(popup).to_be_visible(timeout=RUN_TIMEOUT)
    os_row = popup.locator("li", has_text="os").first
    await expect(os_row.locator(".cm-completionDetail")).to_have_text("module")
    await screenshot(page, "completion-types")


async def test_the_python_client_inspects_and_no_kernel_is_reported(notebook: Notebook) -> None:
    page = notebook.page
    reply = await notebook.client.inspect("len")
    assert reply.found
    assert "Return the number of items" in reply.data["text/plain"]
    nothing = await notebook.client.inspect("no_such_name_here")
    assert not nothing.found and nothing.data == {}

    await with_cells(notebook, ["len"])
    await notebook.client.shutdown_kernel()
    await expect(page.locator("[data-kernel-status]")).to_have_text("shutdown", timeout=RUN_TIMEOUT)
    await cell_editor(page, 0).click()
    await notebook.keys("Control+End", "Shift+Tab")
    message = page.locator("[data-message][data-kind=error]")
    await expect(message).to_contain_text("Help failed: no kernel is running")
    await expect(page.locator("[role=tooltip].cm-inspect")).to_have_count(0)
