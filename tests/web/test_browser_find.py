"""Find and replace, the outline and collapsible sections, in a real browser.

Playwright drives Debian's chromium against the shell server, a real daemon and a Python
client joined to the same notebook, which checks what reached the document. The large
notebook is the 1,000-cell fixture, whose far cells are placeholders until scrolled to.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import nbformat
import pytest
from conftest import DaemonProcess
from playwright.async_api import Browser, Page, expect
from test_browser import joined, notebook_id_of, open_page, screenshot
from test_browser_keyboard import Notebook
from test_browser_large import copy_of, open_large

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.desktop.web_server import ShellServer

pytestmark = pytest.mark.usefixtures("browser_prerequisites")

AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"


def find_panel(page: Page):
    return page.locator("[data-find-panel]")


def count(page: Page):
    return page.locator("[data-find-count]")



@pytest.fixture
async def notebook(
    browser: Browser, shell: ShellServer, daemon: DaemonProcess
) -> AsyncIterator[Notebook]:
    page = await open_page(browser, shell.page_url(create=1))
    client = await joined(page, daemon)
    yield Notebook(page, client)
    await client.close()
    await page.close()


async def with_cells(notebook: Notebook, cells: list[tuple[str, str]]) -> None:
    """Another peer writes the cells (type, source); the page shows them."""
    with notebook.client.edit() as doc:
        for index, (cell_type, source) in enumerate(cells):
            doc.insert_cell(index, cell_type, source)
    await expect(notebook.page.locator(".cells > *")).to_have_count(len(cells))


async def test_find_reaches_cells_not_drawn_and_scrolls_to_them(
    browser: Browser, shell: ShellServer, thousand_cell_path: Path, tmp_path: Path
) -> None:
    page = await open_large(browser, shell, copy_of(thousand_cell_path, tmp_path))
    far = page.locator(".cells > [data-cell-id=code-998]")
    await expect(far).to_have_class("cell-placeholder")
    await page.keyboard.press("Escape")
    await page.keyboard.press("Control+f")
    query = page.get_by_role("textbox", name="Find", exact=True)
    await expect(query).to_be_focused()
    await page.keyboard.type("x_998")
    # Two matches, both in a cell that was a placeholder: drawn now, scrolled to, marked.
    await expect(count(page)).to_have_text("1 of 2")
    drawn = page.locator(".cell[data-cell-id=code-998]")
    await expect(drawn).to_be_in_viewport()
    current = drawn.locator(".cm-find-current")
    await expect(current).to_have_text("x_998")
    await expect(drawn.locator(".cm-find-match")).to_have_count(2)
    await page.keyboard.press("Enter")
    await expect(count(page)).to_have_text("2 of 2")
    await page.keyboard.press("Shift+Enter")
    await expect(count(page)).to_have_text("1 of 2")
    # Text only outputs hold (the source prints "cell {i}"): found once outputs are searched.
    await query.fill("line 4 of cell 994")
    await expect(count(page)).to_have_text("No matches")
    await page.get_by_role("checkbox", name="Outputs").check()
    await expect(count(page)).to_have_text("1 of 1", timeout=30_000)
    stream = page.locator(".cell[data-cell-id=code-994] .output[data-output-type=stream]")
    await expect(stream).to_be_in_viewport()
    await screenshot(page, "find-large-notebook")
    await page.close()


async def test_case_word_and_regex_options(notebook: Notebook) -> None:
    page = notebook.page
    await with_cells(
        notebook, [("code", "Apple apple"), ("code", "pineapple = APPLE"), ("code", "a.c abc")]
    )
    await page.locator(".cell").first.click()
    await page.keyboard.press("Control+f")  # from an editor: the notebook's bar, not CodeMirror's
    await expect(find_panel(page)).to_be_visible()
    await expect(page.locator(".cm-search")).to_have_count(0)
    query = page.get_by_role("textbox", name="Find", exact=True)
    await query.fill("apple")
    await expect(count(page)).to_have_text("1 of 4")
    await page.get_by_role("button", name="Match case").click()
    await expect(page.get_by_role("button", name="Match case")).to_have_attribute(
        "aria-pressed", "true"
    )
    await expect(count(page)).to_have_text("1 of 2")
    await page.get_by_role("button", name="Whole word").click()
    await expect(count(page)).to_have_text("1 of 1")
    await query.fill("a.c")
    await expect(count(page)).to_have_text("1 of 1")
    await query.press("Alt+r")  # regular expression, from the keyboard
    await expect(page.get_by_role("button", name="Regular expression")).to_have_attribute(
        "aria-pressed", "true"
    )
    await expect(count(page)).to_have_text("1 of 2")
    await query.fill("a(.c")
    await expect(count(page)).to_contain_text("Not a valid regular expression")
    await expect(query).to_have_attribute("aria-invalid", "true")
    await query.fill("a.+?c")
    await expect(count(page)).to_have_text("1 of 2")
    await expect(query).to_have_attribute("aria-invalid", "false")


async def test_replace_all_is_one_undo(notebook: Notebook, tmp_path: Path) -> None:
    page = notebook.page
    original = ["a = 1", "b = a + a", "print(a, 'banana')"]
    await with_cells(notebook, [("code", source) for source in original])
    await page.keyboard.press("Escape")
    await page.keyboard.press("Control+h")
    await page.get_by_role("textbox", name="Find", exact=True).fill("a")
    await page.get_by_role("button", name="Whole word").click()
    await expect(count(page)).to_have_text("1 of 4")
    await page.get_by_role("textbox", name="Replace with").fill("alpha")
    await page.get_by_role("button", name="Replace all matches").click()
    await notebook.wait_sources(["alpha = 1", "b = alpha + alpha", "print(alpha, 'banana')"])
    await expect(count(page)).to_have_text("No matches")
    await page.get_by_role("button", name="Undo replace (4 replaced)").click()
    await notebook.wait_sources(original)
    # Replace one: Enter in the replace field replaces the current match and moves on.
    await expect(count(page)).to_have_text("1 of 4")
    await page.get_by_role("textbox", name="Replace with").press("Enter")
    await notebook.wait_sources(["alpha = 1", "b = a + a", "print(a, 'banana')"])
    await expect(count(page)).to_have_text("1 of 3")
    # Regex groups in the replacement.
    await page.get_by_role("textbox", name="Find", exact=True).fill(r"(\w+) = (\w+)")
    await page.get_by_role("button", name="Whole word").click()
    await page.get_by_role("button", name="Regular expression").click()
    await page.get_by_role("textbox", name="Replace with").fill("$2 = $1")
    await page.get_by_role("button", name="Replace all matches").click()
    await notebook.wait_sources(["1 = alpha", "a = b + a", "print(a, 'banana')"])


async def test_find_panel_keyboard_only_and_axe(notebook: Notebook) -> None:
    page = notebook.page
    await with_cells(notebook, [("code", "x = 1"), ("code", "y = x")])
    editor = page.locator(".cell").nth(1).locator(".cm-content")
    await editor.click()
    await page.keyboard.press("Control+f")
    await page.keyboard.type("x")
    await expect(count(page)).to_have_text("2 of 2")  # from the selected cell on
    await page.keyboard.press("Enter")
    await expect(count(page)).to_have_text("1 of 2")
    # Tab reaches the options and buttons; Space presses them.
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("button", name="Match case")).to_be_focused()
    await page.keyboard.press("Space")
    await expect(page.get_by_role("button", name="Match case")).to_have_attribute(
        "aria-pressed", "true"
    )
    await page.keyboard.press("Shift+Tab")
    await page.keyboard.press("Shift+Tab")
    await expect(page.get_by_role("button", name="Show replace")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("textbox", name="Replace with")).to_be_focused()
    await expect(page.get_by_role("button", name="Hide replace")).to_have_attribute(
        "aria-expanded", "true"
    )
    await screenshot(page, "find-panel-open")
    assert AXE.exists(), f"{AXE} is missing: run `npm ci` in web/"
    await page.add_script_tag(path=str(AXE))
    violations = await page.evaluate(
        """async () => {
            const result = await axe.run({ include: [["[data-find-panel]"]] }, { resultTypes: ["violations"] });
            return result.violations
              .filter((v) => v.impact === "serious" || v.impact === "critical")
              .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
        }"""
    )
    assert violations == []
    # Escape closes the bar and the focus goes back to the editor it came from.
    await page.keyboard.press("Escape")
    await expect(find_panel(page)).to_be_hidden()
    await expect(editor).to_be_focused()
    await expect(page.locator(".cm-find-match")).to_have_count(0)


async def test_outline_lists_headings_and_jumps(
    browser: Browser, shell: ShellServer, thousand_cell_path: Path, tmp_path: Path
) -> None:
    page = await open_large(browser, shell, copy_of(thousand_cell_path, tmp_path))
    outline = page.locator("[data-outline]")
    await expect(outline).to_be_hidden()
    await page.get_by_role("button", name="Outline", exact=True).click()
    await expect(outline).to_be_visible()
    entries = outline.locator(".outline-entry")
    await expect(entries).to_have_count(250)  # md-3, md-7, … md-999
    await expect(entries.first).to_have_text("Section 3")
    await expect(entries.first).to_have_attribute("aria-current", "location")
    await entries.last.click()
    target = page.locator(".cell[data-cell-id=md-999]")
    await expect(target).to_be_in_viewport()
    await expect(target).to_have_attribute("data-selected", "")
    await expect(entries.last).to_have_attribute("aria-current", "location")
    # From the keyboard: the shortcut hides and shows it, arrows move, Enter jumps.
    await page.keyboard.press("Control+Shift+O")
    await expect(outline).to_be_hidden()
    await page.keyboard.press("Control+Shift+O")
    await expect(outline).to_be_visible()
    # Shown again, the focus is on the section being read (at the end of the notebook;
    # which one is at the reading line moves while late cells still settle their height).
    # The focus and the mark may each land on any of the last sections, not always
    # the same one: the mark follows the heights as they settle, the focus stays put.
    focused = outline.locator(".outline-entry:focus")
    await expect(focused).to_have_text(re.compile(r"Section 9\d\d"))
    marked = outline.locator(".outline-entry[aria-current=location]")
    await expect(marked).to_have_text(re.compile(r"Section 9\d\d"))
    await page.keyboard.press("Home")
    await page.keyboard.press("ArrowDown")
    await expect(focused).to_have_text("Section 7")
    await page.keyboard.press("Enter")
    await expect(page.locator(".cell[data-cell-id=md-7]")).to_be_in_viewport()
    await expect(entries.nth(1)).to_have_attribute("aria-current", "location")
    await screenshot(page, "outline")
    await page.keyboard.press("Escape")
    await expect(page.locator(".notebook")).to_be_focused()
    await page.close()


async def test_collapsed_heading_hides_its_section_and_round_trips(
    notebook: Notebook, browser: Browser, shell: ShellServer, tmp_path: Path
) -> None:
    page = notebook.page
    await with_cells(
        notebook,
        [
            ("markdown", "# Alpha"),
            ("code", "x = 1"),
            ("markdown", "## Beta"),
            ("code", "y = 2"),
            ("markdown", "# Gamma"),
            ("code", "z = 3"),
        ],
    )
    ids = [cell.id for cell in notebook.client.doc.cells()]
    toggle = page.get_by_role("button", name="Collapse the section under “Alpha”")
    await toggle.click()
    for cell_id in ids[1:4]:
        await expect(page.locator(f".cells > [data-cell-id='{cell_id}']")).to_be_hidden()
    for cell_id in ids[4:]:
        await expect(page.locator(f".cells > [data-cell-id='{cell_id}']")).to_be_visible()
    await notebook.wait_doc(
        lambda doc: doc.cell(ids[0]).metadata.get("jupyter") == {"heading_collapsed": True}
    )
    # Another window on the notebook shows the same section collapsed.
    notebook_id = await notebook_id_of(page)
    second = await open_page(browser, shell.page_url(join=notebook_id))
    await expect(second.locator(f".cells > [data-cell-id='{ids[4]}']")).to_be_visible()
    await expect(second.locator(f".cells > [data-cell-id='{ids[1]}']")).to_be_hidden()
    # Saved as JupyterLab writes it.
    saved = tmp_path / "collapsed.ipynb"
    await notebook.client.save(saved)
    cells = nbformat.read(saved, as_version=4).cells
    assert cells[0].metadata["jupyter"] == {"heading_collapsed": True}
    # Expand from the keyboard in the second window: the first one follows.
    expand = second.get_by_role("button", name="Expand the section under “Alpha”")
    await expand.focus()
    await second.keyboard.press("Enter")
    await expect(page.locator(f".cells > [data-cell-id='{ids[1]}']")).to_be_visible()
    await notebook.wait_doc(lambda doc: "jupyter" not in doc.cell(ids[0]).metadata)
    # Find in a collapsed section expands it to show the match.
    await page.get_by_role("button", name="Collapse the section under “Beta”").click()
    await expect(page.locator(f".cells > [data-cell-id='{ids[3]}']")).to_be_hidden()
    await page.keyboard.press("Control+f")
    await page.keyboard.type("y = 2")
    await expect(page.locator(f".cells > [data-cell-id='{ids[3]}']")).to_be_visible()
    await expect(page.locator(".cm-find-current")).to_have_text("y = 2")
    await second.close()


async def test_a_collapsed_heading_moves_with_its_section(notebook: Notebook) -> None:
    page = notebook.page
    await with_cells(
        notebook,
        [
            ("markdown", "# Alpha"),
            ("code", "a1"),
            ("markdown", "## Inner"),
            ("code", "a2"),
            ("markdown", "# Beta"),
            ("code", "b1"),
        ],
    )
    ids = [cell.id for cell in notebook.client.doc.cells()]
    alpha = ["# Alpha", "a1", "## Inner", "a2"]
    beta = ["# Beta", "b1"]

    def cell(cell_id: str):
        return page.locator(f".cells > [data-cell-id='{cell_id}']")

    async def select(cell_id: str) -> None:
        await cell(cell_id).locator("[data-drag-handle]").click()
        await expect(cell(cell_id)).to_have_attribute("data-selected", "")
        await expect(page.locator(".notebook")).to_be_focused()

    await page.get_by_role("button", name="Collapse the section under “Alpha”").click()
    await page.get_by_role("button", name="Collapse the section under “Beta”").click()
    await expect(cell(ids[3])).to_be_hidden()
    await expect(cell(ids[5])).to_be_hidden()
    # Keys: the heading and the three cells it hides step over the collapsed "# Beta"
    # section, which counts as one cell.
    await select(ids[0])
    await notebook.keys("Control+Shift+ArrowDown")
    await notebook.wait_sources(beta + alpha)
    # Toolbar: back up, still as one block.
    await page.get_by_role("button", name="Move up", exact=True).click()
    await notebook.wait_sources(alpha + beta)
    # Drag by the margin below the last cell shown: the hidden cells come along.
    handle = await cell(ids[0]).locator("[data-drag-handle]").bounding_box()
    last = await cell(ids[4]).bounding_box()
    assert handle and last
    await page.mouse.move(handle["x"] + 8, handle["y"] + 8)
    await page.mouse.down()
    await page.mouse.move(handle["x"] + 10, last["y"] + last["height"] - 4, steps=8)
    await expect(page.locator("#app")).to_have_attribute("data-dragging", "")
    await page.mouse.up()
    await notebook.wait_sources(beta + alpha)
    for cell_id in [ids[1], ids[2], ids[3], ids[5]]:
        await expect(cell(cell_id)).to_be_hidden()
    await select(ids[4])
    await notebook.keys("Control+Shift+ArrowDown")
    await notebook.wait_sources(alpha + beta)
    await notebook.wait_doc(
        lambda doc: all(
            doc.cell(ids[i]).metadata.get("jupyter") == {"heading_collapsed": True} for i in (0, 4)
        )
    )
