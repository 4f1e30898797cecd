"""A 1,000-cell notebook in the browser: only cells near the viewport are drawn, the rest
are placeholders, and scrolling, keyboard navigation and typing work across that line.

Real daemon, real kernel, Debian's chromium, as in test_browser.py (whose fixtures and
helpers these tests share)."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import DaemonFactory
from playwright.async_api import Browser, Page, expect
from test_browser import WEB_DIST, notebook_id_of, open_page, pytestmark, screenshot

from nbdesk.desktop.web_server import ShellServer

__all__ = ["pytestmark"]  # chromium and the web build, as test_browser.py

CELLS = 1000
FAR_CODE_CELL = "code-998"  # 998 * 998 = 996004 is its execute_result
AT_THE_END = "el => el.scrollHeight - el.clientHeight - el.scrollTop <= 1"


def copy_of(thousand_cell_path: Path, tmp_path: Path) -> Path:
    """The page autosaves into the file it opened, so each test gets its own copy."""
    path = tmp_path / "thousand.ipynb"
    shutil.copyfile(thousand_cell_path, path)
    return path


async def open_large(browser: Browser, shell: ShellServer, path: Path) -> Page:
    page = await browser.new_page(viewport={"width": 1200, "height": 900})
    await page.goto(shell.page_url(open=str(path)))
    await expect(page.locator("[data-connection]")).to_have_text("connected", timeout=30_000)
    await expect(page.locator(".cell").first).to_be_visible(timeout=30_000)
    return page


def slots(page: Page):
    return page.locator(".cells > .cell, .cells > .cell-placeholder")


async def test_only_cells_near_the_viewport_are_drawn(
    browser: Browser, shell: ShellServer, thousand_cell_path: Path, tmp_path: Path
) -> None:
    page = await open_large(browser, shell, copy_of(thousand_cell_path, tmp_path))
    await expect(slots(page)).to_have_count(CELLS)
    await expect(page.locator(".cell").first).to_have_attribute("data-cell-id", "code-0")
    await expect(page.locator(".cell").first.locator(".cm-content")).to_contain_text("x_0 = 0")
    await expect(
        page.locator(".cell").first.locator(".output[data-output-type=execute_result]")
    ).to_have_text("0")
    drawn = await page.locator(".cell").count()
    assert 3 <= drawn < 100, f"{drawn} cells drawn for one screen"
    assert await page.locator(".cm-editor").count() == drawn
    await expect(page.locator(f".cell-placeholder[data-cell-id={FAR_CODE_CELL}]")).to_have_count(1)
    order = await slots(page).evaluate_all("els => els.map(e => e.dataset.cellId)")
    assert order[:4] == ["code-0", "code-1", "code-2", "md-3"]
    assert order[-1] == "md-999"

    # Turn the wheel down to the bottom, once. The cells drawn there are taller than their
    # placeholders' estimates and their outputs arrive later; the page keeps the end in
    # view while they settle.
    notebook = page.locator(".notebook")
    box = await notebook.bounding_box()
    assert box is not None
    await page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    await page.mouse.wheel(0, 10_000_000)
    far = page.locator(f".cell[data-cell-id={FAR_CODE_CELL}]")
    await expect(far.locator(".output[data-output-type=execute_result]")).to_have_text(
        "996004", timeout=10_000
    )
    await expect(far.locator(".output[data-output-type=stream]")).to_contain_text(
        "line 4 of cell 998"
    )
    await expect(page.locator(".cell[data-cell-id=md-999]")).to_be_in_viewport()
    await page.wait_for_function(AT_THE_END, arg=await notebook.element_handle())
    # The top of the notebook is far away now: drawn no more, but still in its place
    # (except the selected first cell, which stays drawn).
    await expect(page.locator(".cell-placeholder[data-cell-id=code-1]")).to_have_count(1)
    await expect(page.locator(".cell[data-selected]")).to_have_attribute("data-cell-id", "code-0")
    assert await page.locator(".cell").count() < 100
    await screenshot(page, "large-scrolled-to-end")

    # And back to the top: the first cell is drawn again, with its outputs.
    await page.mouse.wheel(0, -10_000_000)
    await expect(
        page.locator(".cell[data-cell-id=code-1] .output[data-output-type=execute_result]")
    ).to_have_text("1", timeout=10_000)

    # End in command mode (the focus on the notebook) goes all the way down as well.
    await page.locator(".cell[data-cell-id=code-1] .cm-content").click()
    await page.keyboard.press("Escape")
    await expect(notebook).to_be_focused()
    await page.keyboard.press("End")
    await expect(page.locator(".cell[data-cell-id=md-999]")).to_be_in_viewport(timeout=10_000)
    await page.wait_for_function(AT_THE_END, arg=await notebook.element_handle())


async def test_arrow_keys_walk_across_the_drawn_window(
    browser: Browser, shell: ShellServer, thousand_cell_path: Path, tmp_path: Path
) -> None:
    page = await open_large(browser, shell, copy_of(thousand_cell_path, tmp_path))
    target = "code-40"
    assert await page.locator(f".cell[data-cell-id={target}]").count() == 0, "drawn too early"
    await page.locator(".cell[data-cell-id=code-0] .cm-content").click()
    selected = page.locator(".cell[data-selected]")
    for _ in range(400):
        if await selected.get_attribute("data-cell-id") == target:
            break
        await page.keyboard.press("ArrowDown")
    await expect(selected).to_have_attribute("data-cell-id", target)
    cell = page.locator(f".cell[data-cell-id={target}]")
    await expect(cell).to_be_in_viewport()
    await expect(cell.locator(".cm-focused")).to_have_count(1)
    await page.keyboard.type("# here ")
    await expect(cell.locator(".cm-content")).to_contain_text("# here x_40 = 40")
    # The cells left behind are placeholders again; the one walked back into is drawn.
    await expect(page.locator(".cell-placeholder[data-cell-id=code-0]")).to_have_count(1)
    await expect(page.locator(".cell-placeholder[data-cell-id=code-1]")).to_have_count(1)
    await page.keyboard.press("ArrowUp")
    await expect(selected).to_have_attribute("data-cell-id", "md-39")
    await expect(page.locator(".cell[data-cell-id=md-39]")).to_be_in_viewport()


async def test_typing_keeps_up_while_another_page_floods_output(
    browser: Browser, daemon_factory: DaemonFactory, thousand_cell_path: Path, tmp_path: Path
) -> None:
    # No autosave: its file-watcher echo can merge a stale cell back (a daemon race that
    # this test is not about).
    daemon = daemon_factory(NBDESK_AUTOSAVE_DELAY="3600")
    shell = ShellServer(daemon.home, WEB_DIST)
    await shell.start()
    try:
        await type_during_flood(browser, shell, copy_of(thousand_cell_path, tmp_path))
    finally:
        await shell.close()


async def type_during_flood(browser: Browser, shell: ShellServer, path: Path) -> None:
    typist = await open_large(browser, shell, path)
    notebook_id = await notebook_id_of(typist)
    flooder = await open_page(browser, shell.page_url(join=notebook_id))
    flood_editor = flooder.locator(".cell[data-cell-id=code-2] .cm-content")
    await flood_editor.click()
    await flooder.keyboard.press("Control+a")
    await flooder.keyboard.insert_text(
        "import time\nstart = time.monotonic()\ni = 0\n"
        "while time.monotonic() - start < 25:\n"
        "    print('flood', i)\n    i += 1\n    time.sleep(0.005)\n"
        "print('flood done')"
    )
    await expect(flood_editor).to_contain_text("print('flood', i)")
    await flooder.keyboard.press("Control+Enter")
    flood = typist.locator(".cell[data-cell-id=code-2] .output[data-output-type=stream]")
    await expect(flood).to_contain_text("flood 1", timeout=60_000)

    editor = typist.locator(".cell[data-cell-id=code-0] .cm-content")
    await editor.click()
    # The typing starts while the flood runs (it runs 25 s; typing takes a few).
    await expect(typist.locator(".cell[data-cell-id=code-2]")).to_have_attribute(
        "data-state", "running"
    )
    await typist.keyboard.press("Control+End")
    typed = "\n# typed while the other window floods: " + "abcdefghij" * 4
    await typist.keyboard.type(typed)
    expected_end = typed.strip().splitlines()[-1]
    await expect(editor).to_contain_text(expected_end)
    # The typing reached the daemon and, through it, the other page.
    await expect(flooder.locator(".cell[data-cell-id=code-0] .cm-content")).to_contain_text(
        expected_end, timeout=60_000
    )
    await expect(typist.locator(".cell[data-cell-id=code-2]")).to_have_attribute(
        "data-state", "done", timeout=90_000
    )
    await expect(editor).to_contain_text("x_0 ** 2" + expected_end)
    await screenshot(typist, "large-typing-during-flood")
