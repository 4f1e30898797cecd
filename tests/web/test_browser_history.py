"""The history panel in a real browser against the real daemon: the timeline, a past point
viewed read only, bringing a deleted cell back with its outputs (and undoing that), the
daemon's comparisons (two points, the file on disk), keyboard and axe.

A Python client joined to the same notebook is a second peer: it writes cells (so points
have another author than the page) and checks what reached the document.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from conftest import DaemonFactory, DaemonProcess
from playwright.async_api import Browser, Locator, Page, expect
from test_browser import open_page, screenshot
from test_browser_keyboard import Notebook

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.desktop.web_server import ShellServer

pytestmark = pytest.mark.usefixtures("browser_prerequisites")

AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
RUN_TIMEOUT = 60_000


@pytest.fixture
def daemon(daemon_factory: DaemonFactory) -> DaemonProcess:
    """Autosave an hour away: the file on disk stays as last saved, so comparing the
    notebook with it shows the edits made since."""
    return daemon_factory(NBDESK_AUTOSAVE_DELAY="3600")


@pytest.fixture
async def notebook(
    browser: Browser, shell: ShellServer, daemon: DaemonProcess
) -> AsyncIterator[Notebook]:
    page = await open_page(browser, shell.page_url(create=1))
    notebook_id = await page.locator("#app").get_attribute("data-notebook-id")
    assert notebook_id
    client = await NotebookClient.join(notebook_id, home=daemon.home)
    yield Notebook(page, client)
    await client.close()
    await page.close()


def points(page: Page) -> Locator:
    return page.locator("[data-history] button[data-history-point]")


def past(page: Page) -> Locator:
    """The read-only notebook of the point viewed."""
    return page.locator("[data-history-view] .cells")


async def axe_violations(page: Page, selector: str) -> list[str]:
    """Serious and critical axe-core violations inside `selector`."""
    assert AXE.exists(), f"{AXE} is missing: run `npm ci` in web/"
    await page.add_script_tag(path=str(AXE))
    found: list[str] = await page.evaluate(
        """async (selector) => {
            const result = await axe.run({ include: [[selector]] }, { resultTypes: ["violations"] });
            return result.violations
              .filter((v) => v.impact === "serious" || v.impact === "critical")
              .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
        }""",
        selector,
    )
    return found


async def open_history(page: Page, at_least: int) -> None:
    """The toolbar's History button; the timeline has `at_least` points, newest focused."""
    await page.click("[data-action=history]")
    await expect(page.locator("[data-history]")).to_be_visible()
    await expect(points(page).nth(at_least - 1)).to_be_visible(timeout=15_000)
    await expect(points(page).last).to_be_focused()


async def view_back_until(page: Page, locator: Locator, limit: int = 20) -> int:
    """View the newest point, then step back (scrubbing with ArrowUp) until `locator`
    shows in the past notebook; returns the index of the point viewed."""
    await page.keyboard.press("Enter")
    await expect(page.locator("[data-history-view]")).to_be_visible()
    index = await points(page).count() - 1
    for _ in range(limit):
        current = points(page).nth(index)
        await expect(current).to_have_attribute("aria-current", "true")
        if await locator.count() > 0:
            return index
        index -= 1
        assert index >= 0, "no point of the timeline shows it"
        await page.keyboard.press("ArrowUp")
    raise AssertionError("stepped back too far")


async def test_bring_a_deleted_cell_back_with_its_outputs_then_undo(
    notebook: Notebook, browser: Browser, shell: ShellServer
) -> None:
    page, client = notebook.page, notebook.client
    with client.edit() as doc:
        for index, source in enumerate(["a = 1", "print('kept ' + 'output')", "c = 3"]):
            doc.insert_cell(index, "code", source)
    await expect(page.locator(".notebook .cell")).to_have_count(3)
    doomed = client.doc.cell_ids()[1]
    # Run it from the page: the kernel's outputs are a point of their own.
    await notebook.cell(1).locator(".cm-content").click()
    await page.keyboard.press("Control+Enter")
    shown = page.locator(f"main .cell[data-cell-id='{doomed}'] .output")
    await expect(shown).to_contain_text("kept output", timeout=RUN_TIMEOUT)
    await notebook.wait_doc(lambda doc: len(doc.outputs(doomed)) == 1)
    kept_outputs = client.doc.outputs(doomed)
    notebook_id = await page.locator("#app").get_attribute("data-notebook-id")
    second = await open_page(browser, shell.page_url(join=notebook_id or ""))
    await expect(second.locator(".cell")).to_have_count(3)
    # Delete it in the page (command mode D D).
    await page.keyboard.press("Escape")
    await page.keyboard.press("d")
    await page.keyboard.press("d")
    await notebook.wait_doc(lambda doc: not doc.has_cell(doomed))
    await expect(second.locator(".cell")).to_have_count(2)

    await open_history(page, 3)
    await expect(page.locator("[data-history] .history-author").last).to_have_text("this window")
    await expect(page.locator("[data-history] [data-mark=execution]").first).to_be_visible()
    in_past = past(page).locator(f".cell[data-cell-id='{doomed}']")
    await view_back_until(page, in_past)
    await expect(page.locator("[data-history-title]")).to_contain_text("read only")
    await expect(page.locator("main.notebook")).to_be_hidden()
    await expect(in_past.locator(".output")).to_contain_text("kept output")
    # Read only: typing into the past cell changes nothing.
    await in_past.locator(".cm-content").click()
    await page.keyboard.type("zzz")
    await expect(in_past.locator(".cm-content")).to_have_text("print('kept ' + 'output')")
    await screenshot(page, "history-viewing-a-past-point")

    await page.click("button[data-history-action=restore-cell]")
    await expect(page.locator("[data-history-view]")).to_be_hidden()
    live = page.locator(f"main .cell[data-cell-id='{doomed}']")
    await expect(live.locator(".output")).to_contain_text("kept output")
    await expect(page.locator("main .cell")).to_have_count(3)
    await notebook.wait_doc(
        lambda doc: [c.id for c in doc.cells()][1] == doomed
        and doc.outputs(doomed) == kept_outputs
    )
    # The other window sees the restore live, outputs included.
    restored_there = second.locator(f".cell[data-cell-id='{doomed}']")
    await expect(restored_there.locator(".output")).to_contain_text("kept output", timeout=10_000)
    await screenshot(page, "history-cell-restored")

    # The page's undo (Shift-Z in command mode) takes the restore back, everywhere.
    await page.keyboard.press("Escape")
    await page.keyboard.press("Shift+z")
    await notebook.wait_doc(lambda doc: not doc.has_cell(doomed))
    await expect(live).to_have_count(0)
    await expect(second.locator(".cell")).to_have_count(2)
    await second.close()


async def test_compare_two_points_and_with_the_file(
    notebook: Notebook, tmp_path: Path
) -> None:
    page, client = notebook.page, notebook.client
    with client.edit() as doc:
        doc.insert_cell(0, "code", "x = 1")
        doc.insert_cell(1, "markdown", "# Title")
    await expect(page.locator(".notebook .cell")).to_have_count(2)
    await client.save(tmp_path / "compared.ipynb")
    first, heading = client.doc.cell_ids()
    # Another author, then this window: two more points.
    client.set_source(first, "x = 2")
    await notebook.wait_doc(lambda doc: doc.source(first) == "x = 2")
    await expect(notebook.cell(0).locator(".cm-content")).to_have_text("x = 2")
    await notebook.cell(1).click()
    await page.keyboard.press("Escape")
    await page.keyboard.press("d")
    await page.keyboard.press("d")
    await notebook.wait_doc(lambda doc: not doc.has_cell(heading))

    await open_history(page, 2)
    # The notebook now against its file: the first cell modified, the heading removed.
    await page.click("button[data-history-compare=file]")
    dialog = page.locator("dialog[data-compare]")
    await expect(dialog).to_be_visible()
    modified = dialog.locator(f"[data-compare-cell='{first}']")
    await expect(modified).to_have_attribute("data-status", "modified")
    await expect(modified.locator(".diff-line[data-op=del]")).to_have_text("- x = 1\n")
    await expect(modified.locator(".diff-line[data-op=add]")).to_have_text("+ x = 2\n")
    await expect(dialog.locator(f"[data-compare-cell='{heading}']")).to_have_attribute(
        "data-status", "removed"
    )
    await screenshot(page, "history-compare-with-file")
    assert await axe_violations(page, "dialog[data-compare]") == []
    await page.keyboard.press("Escape")
    await expect(dialog).to_be_hidden()

    # Two points: the oldest (the empty new notebook) picked, the newest viewed: the
    # heading came and went in between, so only the first cell shows, added.
    await points(page).first.click()
    await page.click("button[data-history-action=pick]")
    await expect(points(page).first).to_have_attribute("data-picked", "")
    await points(page).last.click()
    await page.click("button[data-history-action=compare-picked]")
    await expect(dialog).to_be_visible()
    await expect(dialog.locator("[data-compare-summary]")).to_have_text(
        "1 added; 0 cells unchanged."
    )
    await expect(dialog.locator(f"[data-compare-cell='{first}']")).to_have_attribute(
        "data-status", "added"
    )
    await page.keyboard.press("Escape")
    await expect(dialog).to_be_hidden()


async def test_the_timeline_by_keyboard_and_axe(notebook: Notebook) -> None:
    page, client = notebook.page, notebook.client
    with client.edit() as doc:
        doc.insert_cell(0, "code", "one = 1")
    await expect(page.locator(".notebook .cell")).to_have_count(1)
    await notebook.cell(0).locator(".cm-content").click()
    await page.keyboard.press("End")
    await page.keyboard.type("  # typed here")
    await notebook.wait_doc(lambda doc: doc.cells()[0].source == "one = 1  # typed here")
    await page.keyboard.press("Escape")
    await page.keyboard.press("Control+Shift+h")
    await expect(points(page).nth(1)).to_be_visible(timeout=15_000)
    newest = points(page).last
    await expect(newest).to_be_focused()
    await expect(newest).to_have_accessible_name(re.compile(r"this window\s*\(\d+ changes?, "))
    # Up moves along the timeline, Enter views, and from then on moving views (scrubbing).
    await page.keyboard.press("ArrowUp")
    older = points(page).nth(await points(page).count() - 2)
    await expect(older).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(older).to_have_attribute("aria-current", "true")
    await expect(past(page).locator(".cm-content")).to_have_text("one = 1")
    await page.keyboard.press("ArrowDown")
    await expect(newest).to_have_attribute("aria-current", "true")
    await expect(past(page).locator(".cm-content")).to_have_text("one = 1  # typed here")
    assert await axe_violations(page, "[data-history]") == []
    assert await axe_violations(page, "[data-history-view]") == []
    # Escape on the timeline goes back to the notebook as it is now (the panel stays).
    await page.keyboard.press("Escape")
    await expect(page.locator("[data-history-view]")).to_be_hidden()
    await expect(page.locator("main.notebook")).to_be_visible()
    await page.keyboard.press("Control+Shift+h")
    await expect(page.locator("[data-history]")).to_be_hidden()


async def test_an_output_whose_blob_was_collected_says_so(notebook: Notebook) -> None:
    page, client = notebook.page, notebook.client
    with client.edit() as doc:
        cell = doc.insert_cell(0, "code", "print('gone')")
        doc.set_outputs(cell, ["0" * 64])  # a manifest the blob store does not have
    gone = page.locator(".cell .output[data-output-type=collected]")
    await expect(gone).to_have_text("Output collected (older than the retention)")
