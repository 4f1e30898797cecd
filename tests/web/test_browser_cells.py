"""Multi-cell work, hiding and showing parts of cells, and the run variants, in a real
browser (issue 17, items 3 to 5).

Playwright drives Debian's chromium against the shell server, a real daemon and real
ipykernels; a Python client joined to the same notebook checks that every change went
through the document (so every window sees it). Screenshots go to artifacts/.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from conftest import WEB_DIST, DaemonProcess
from playwright.async_api import Browser, Page, expect
from test_browser import joined, notebook_id_of, screenshot
from test_browser_keyboard import RUN_TIMEOUT, Notebook

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.home import preferences
from nbdesk.daemon.doc.notebook_doc import NotebookDoc
from nbdesk.desktop.web_server import ShellServer

pytestmark = pytest.mark.usefixtures("browser_prerequisites")

AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


async def open_in(page: Page, url: str) -> None:
    await page.goto(url)
    await expect(page.locator("[data-connection]")).to_have_text("connected", timeout=20_000)



@pytest.fixture
async def notebook(
    browser: Browser, shell: ShellServer, daemon: DaemonProcess
) -> AsyncIterator[Notebook]:
    page = await browser.new_page()
    await open_in(page, shell.page_url(create=1))
    client = await joined(page, daemon)
    yield Notebook(page, client)
    await client.close()
    await page.close()


async def with_cells(notebook: Notebook, sources: list[str]) -> list[str]:
    """Another peer replaces the cells with code cells of these sources; their ids."""
    with notebook.client.edit() as doc:
        for cell in doc.cells():
            doc.delete_cell(cell.id)
        ids = [doc.insert_cell(i, "code", source) for i, source in enumerate(sources)]
    await expect(notebook.page.locator(".cells > .cell")).to_have_count(len(sources))
    await notebook.keys("Escape")
    return ids


def selected(page: Page):
    return page.locator(".cell[data-in-selection]")


def metadata_of(doc: NotebookDoc, index: int) -> dict:
    return doc.cells()[index].metadata


async def axe_violations(page: Page) -> list[str]:
    assert AXE.exists(), f"{AXE} is missing: run `npm ci` in web/"
    await page.add_script_tag(path=str(AXE))
    return await page.evaluate(
        """async () => {
            const result = await axe.run(document, { resultTypes: ["violations"] });
            return result.violations
              .filter((v) => v.impact === "serious" || v.impact === "critical")
              .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ") + " " + JSON.stringify(n.any[0]?.data ?? "")).join(", ")}`);
        }"""
    )


async def test_a_selection_moves_changes_merges_and_deletes_from_the_keyboard(
    notebook: Notebook,
) -> None:
    page = notebook.page
    await with_cells(notebook, ["a = 1", "b = 2", "c = 3", "d = 4"])
    await notebook.keys("j", "Shift+j", "Shift+ArrowDown")
    await expect(selected(page)).to_have_count(3)
    await notebook.expect_selected(3)
    await expect(page.locator("[data-message]")).to_have_text("3 cells selected")
    await notebook.keys("Shift+k")
    await expect(selected(page)).to_have_count(2)  # b and c
    await screenshot(page, "cells-selection")

    # Move the two up as a block, then down again, from the keyboard.
    await notebook.keys("Control+Shift+ArrowUp")
    await notebook.wait_sources(["b = 2", "c = 3", "a = 1", "d = 4"])
    await notebook.keys("Control+Shift+ArrowDown")
    await notebook.wait_sources(["a = 1", "b = 2", "c = 3", "d = 4"])
    await expect(selected(page)).to_have_count(2)

    # Type changes act on both.
    await notebook.keys("m")
    await notebook.wait_doc(lambda doc: [c.cell_type for c in doc.cells()][1:3] == ["markdown"] * 2)
    await notebook.keys("y")
    await notebook.wait_doc(lambda doc: [c.cell_type for c in doc.cells()][1:3] == ["code"] * 2)

    # Copy, then paste below the selection.
    await notebook.keys("c", "v")
    await notebook.wait_sources(["a = 1", "b = 2", "c = 3", "b = 2", "c = 3", "d = 4"])

    # Shift-M merges the selection (the last pasted cell is selected: extend to the pair).
    await notebook.expect_selected(4)
    await notebook.keys("Shift+k")
    await expect(selected(page)).to_have_count(2)
    await notebook.keys("Shift+m")
    await notebook.wait_sources(["a = 1", "b = 2", "c = 3", "b = 2\n\nc = 3", "d = 4"])
    await notebook.expect_selected(3)

    # Deleting several asks first; Escape (or Cancel, which has the focus) keeps them.
    await notebook.keys("k", "Shift+k", "Shift+k")
    await expect(selected(page)).to_have_count(3)
    await notebook.keys("d", "d")
    question = page.get_by_role("alertdialog", name="Delete 3 cells?")
    await expect(question).to_be_visible()
    await expect(question.get_by_role("button", name="Cancel")).to_be_focused()
    await screenshot(page, "cells-delete-question")
    await notebook.keys("Escape")
    await expect(question).to_be_hidden()
    await notebook.expect_mode("command")
    await notebook.keys("d", "d")
    await question.get_by_role("button", name="Delete 3 cells").click()
    await notebook.wait_sources(["b = 2\n\nc = 3", "d = 4"])
    await notebook.keys("z")
    await notebook.wait_sources(["a = 1", "b = 2", "c = 3", "b = 2\n\nc = 3", "d = 4"])

    # Ctrl-A selects every cell; a plain J collapses the selection again.
    await notebook.keys("Control+a")
    await expect(selected(page)).to_have_count(5)
    await notebook.keys("k")
    await expect(selected(page)).to_have_count(0)
    await notebook.expect_selected(3)


async def test_shift_click_selects_a_range_that_runs_clears_and_undoes_with_outputs(
    notebook: Notebook,
) -> None:
    page = notebook.page
    first, _, third, _ = await with_cells(notebook, ["1 + 1", "'# two'", "2 + 2", "'four'"])
    await notebook.cell(0).locator(".execution-count").click()
    await notebook.cell(2).locator(".execution-count").click(modifiers=["Shift"])
    await expect(selected(page)).to_have_count(3)
    await notebook.expect_mode("command")
    await notebook.keys("Control+Enter")
    for index, text in [(0, "2"), (1, "# two"), (2, "4")]:
        await expect(notebook.cell(index).locator(".output")).to_contain_text(
            text, timeout=RUN_TIMEOUT
        )
    await expect(notebook.cell(3).locator(".output")).to_have_count(0)
    await notebook.wait_doc(lambda doc: len(doc.outputs(third)) == 1)
    hashes = notebook.client.doc.outputs(first)

    # Deleting the range and undoing it brings back the cells with their outputs.
    page_cells = page.locator(".cells > .cell")
    await notebook.keys("d", "d")
    await page.get_by_role("button", name="Delete 3 cells").click()
    await expect(page_cells).to_have_count(1)
    await notebook.keys("z")
    await expect(page_cells).to_have_count(4)
    await expect(notebook.cell(0).locator(".output")).to_contain_text("2")
    await notebook.wait_doc(lambda doc: doc.outputs(doc.cells()[0].id) == hashes)

    # Clear outputs acts on the selection only.
    await notebook.cell(1).locator(".execution-count").click()
    await notebook.cell(0).locator(".execution-count").click(modifiers=["Shift"])
    await page.click("[data-action=clear-outputs]")
    await notebook.wait_doc(lambda doc: [len(doc.outputs(c.id)) for c in doc.cells()] == [0, 0, 1, 0])


async def test_cells_are_dragged_by_their_margin(notebook: Notebook) -> None:
    page = notebook.page
    await with_cells(notebook, ["a", "b", "c", "d"])

    async def drag(source: int, target: int, where: str) -> None:
        handle = await notebook.cell(source).locator("[data-drag-handle]").bounding_box()
        box = await notebook.cell(target).bounding_box()
        assert handle and box
        await page.mouse.move(handle["x"] + 8, handle["y"] + 8)  # clear of the prompt and ▶
        await page.mouse.down()
        y = box["y"] + (box["height"] - 4 if where == "below" else 4)
        await page.mouse.move(handle["x"] + 10, y, steps=8)
        await expect(page.locator("#app")).to_have_attribute("data-dragging", "")
        await page.mouse.up()

    await drag(0, 2, "below")
    await notebook.wait_sources(["b", "c", "a", "d"])
    # A selection moves as one.
    await notebook.keys("Escape")
    await notebook.cell(2).locator(".execution-count").click()
    await notebook.cell(3).locator(".execution-count").click(modifiers=["Shift"])
    await drag(3, 0, "above")
    await notebook.wait_sources(["a", "d", "b", "c"])
    await expect(page.locator("[data-dragging], [data-drop-before], [data-drop-end]")).to_have_count(0)


async def test_inputs_and_outputs_fold_in_the_margin_and_every_window_sees_it(
    browser: Browser, shell: ShellServer, notebook: Notebook
) -> None:
    page = notebook.page
    await with_cells(notebook, ["for i in range(60):\n    print(i)", "x = 2"])
    await notebook.keys("Control+Enter")
    cell = notebook.cell(0)
    await expect(cell.locator(".output")).to_contain_text("59", timeout=RUN_TIMEOUT)
    notebook_id = await notebook_id_of(page)
    other = await browser.new_page()
    await open_in(other, shell.page_url(join=notebook_id))
    other_cell = other.locator(".cell").first

    # A click on the bar left of the input hides it; the document says so (JupyterLab's key).
    await cell.get_by_role("button", name="Hide the input").click()
    await notebook.wait_doc(lambda doc: metadata_of(doc, 0) == {"jupyter": {"source_hidden": True}})
    await expect(cell.locator(".input-content")).to_be_hidden()
    await expect(other_cell.locator(".input-content")).to_be_hidden()
    await expect(other_cell.get_by_role("button", name="Show the hidden input")).to_be_visible()

    # The outputs: hidden by their bar, shown again by the note standing in for them.
    await cell.get_by_role("button", name="Hide the outputs").click()
    await notebook.wait_doc(
        lambda doc: metadata_of(doc, 0)["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
    )
    await expect(other_cell.locator(".outputs")).to_be_hidden()
    note = cell.get_by_role("button", name="Show the 1 hidden output")
    await expect(note).to_have_text("⋯ Show the 1 hidden output")
    await screenshot(page, "cells-folded")
    await note.click()
    await cell.get_by_role("button", name="Show the hidden input").click()
    await notebook.wait_doc(lambda doc: metadata_of(doc, 0) == {})
    await expect(other_cell.locator(".input-content")).to_be_visible()

    # From the keyboard: Shift-I, O and Shift-O on the selected cell.
    await notebook.keys("Escape", "Shift+i")
    await notebook.wait_doc(lambda doc: metadata_of(doc, 0) == {"jupyter": {"source_hidden": True}})
    await notebook.keys("Shift+i", "o")
    await notebook.wait_doc(lambda doc: metadata_of(doc, 0) == {"jupyter": {"outputs_hidden": True}})
    await notebook.keys("o", "Shift+o")
    await notebook.wait_doc(lambda doc: metadata_of(doc, 0) == {"scrolled": True})
    box = other_cell.locator(".outputs[data-scrolled]")
    await expect(box).to_have_attribute("role", "region")
    scroll_height, client_height = await box.evaluate("(e) => [e.scrollHeight, e.clientHeight]")
    assert scroll_height > client_height, "sixty lines scroll inside the box"
    toggle = cell.get_by_role("button", name="Scroll long outputs in a box")
    await expect(toggle).to_have_attribute("aria-pressed", "true")
    await toggle.click()
    await notebook.wait_doc(lambda doc: metadata_of(doc, 0) == {})
    await expect(other_cell.locator(".outputs[data-scrolled]")).to_have_count(0)

    # Enter on a cell whose input is hidden focuses the note; Enter there shows the input.
    await notebook.keys("Shift+i")
    await expect(cell).to_have_attribute("data-input-hidden", "")
    await notebook.keys("Enter")
    await expect(cell.get_by_role("button", name="Show the hidden input")).to_be_focused()
    await notebook.keys("Enter")
    await notebook.wait_doc(lambda doc: metadata_of(doc, 0) == {})
    await other.close()


async def test_folds_round_trip_through_ipynb(
    browser: Browser, shell: ShellServer, tmp_path: Path
) -> None:
    """A notebook folded in JupyterLab opens folded; unfolding it saves without the keys."""
    path = tmp_path / "folded.ipynb"
    cells = [
        {
            "cell_type": "code",
            "id": "hidden-input",
            "execution_count": None,
            "metadata": {"jupyter": {"source_hidden": True}, "tags": ["keep"]},
            "outputs": [],
            "source": "secret = 1",
        },
        {
            "cell_type": "code",
            "id": "hidden-outputs",
            "execution_count": 1,
            "metadata": {"jupyter": {"outputs_hidden": True}},
            "outputs": [{"name": "stdout", "output_type": "stream", "text": "hello\n"}],
            "source": "print('hello')",
        },
    ]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook))
    page = await browser.new_page()
    await open_in(page, shell.page_url(open=str(path)))
    first, second = page.locator(".cell").nth(0), page.locator(".cell").nth(1)
    await expect(first.locator(".input-content")).to_be_hidden()
    await expect(second.locator(".outputs")).to_be_hidden()
    await first.get_by_role("button", name="Show the hidden input").click()
    await page.keyboard.press("Control+s")
    await expect(page.locator("[data-path]")).not_to_have_attribute("data-dirty", "", timeout=10_000)
    saved = json.loads(path.read_text())
    assert saved["cells"][0]["metadata"] == {"tags": ["keep"]}
    assert saved["cells"][1]["metadata"] == {"jupyter": {"outputs_hidden": True}}
    await page.close()


async def test_run_variants_from_the_run_menu_by_keyboard(notebook: Notebook) -> None:
    page = notebook.page
    await with_cells(notebook, ["x = 1", "x = x + 10", "x = x * 2", "x"])
    run_menu = page.get_by_role("button", name="Run menu")

    async def choose(item: str) -> None:
        await run_menu.focus()
        await notebook.keys("Enter")
        menu = page.get_by_role("menu", name="Run")
        await expect(menu).to_be_visible()
        await expect(menu.get_by_role("menuitem").first).to_be_focused()
        target = menu.get_by_role("menuitem", name=item)
        for _ in range(8):
            if await target.evaluate("(e) => e === document.activeElement"):
                break
            await notebook.keys("ArrowDown")
        await expect(target).to_be_focused()
        await notebook.keys("Enter")
        await expect(menu).to_be_hidden()

    async def x_is(text: str) -> None:
        await expect(notebook.cell(3).locator(".output")).to_have_text(text, timeout=RUN_TIMEOUT)

    # Select the third cell; run everything above it (the first two), then it and below.
    await notebook.keys("j", "j")
    await choose("Run all above")
    await notebook.wait_doc(lambda doc: [c.execution_count for c in doc.cells()] == [1, 2, None, None])
    await choose("Run selected and all below")
    await x_is("22")
    await notebook.expect_selected(2)
    await screenshot(page, "cells-run-menu")

    # Run selected: the third and fourth again.
    await notebook.keys("Shift+j")
    await choose("Run selected cells")
    await x_is("44")

    # Restart and run all asks first; "Don't ask again" turns the question off.
    await choose("Restart and run all…")
    question = page.get_by_role("alertdialog", name="Restart the kernel and run every cell?")
    await expect(question).to_be_visible()
    await question.get_by_role("checkbox", name="Don't ask again").check()
    await question.get_by_role("button", name="Restart and run all").click()
    await x_is("22")
    await notebook.wait_doc(lambda doc: [c.execution_count for c in doc.cells()] == [1, 2, 3, 4])

    # Restart and clear: no question now; every output goes, the kernel forgot x.
    await expect(page.locator("[data-message]")).to_have_text("", timeout=RUN_TIMEOUT)
    await choose("Restart and clear outputs…")
    await expect(page.locator("[data-message]")).to_have_text("Kernel restarted", timeout=RUN_TIMEOUT)
    await expect(question).to_be_hidden()
    await notebook.wait_doc(lambda doc: all(not doc.outputs(c.id) for c in doc.cells()))
    await notebook.keys("j", "Control+Enter")
    await expect(notebook.cell(3).locator(".output[data-output-type=error]")).to_contain_text(
        "NameError", timeout=RUN_TIMEOUT
    )
    await notebook.wait_doc(lambda doc: doc.cells()[3].execution_count == 1)


async def test_copy_and_paste_between_two_notebooks_keeps_outputs_and_attachments(
    browser: Browser, shell: ShellServer, daemon: DaemonProcess
) -> None:
    context = await browser.new_context()  # one app: windows share the cell clipboard
    source, target = await context.new_page(), await context.new_page()
    await open_in(source, shell.page_url(create=1))
    await open_in(target, shell.page_url(create=1))
    source_client = await joined(source, daemon)
    target_client = await joined(target, daemon)
    with source_client.edit() as doc:
        for cell in doc.cells():
            doc.delete_cell(cell.id)
        code = doc.insert_cell(0, "code", "print('carried')")
        doc.insert_cell(
            1,
            "markdown",
            "![pixel](attachment:pixel.png)",
            attachments={"pixel.png": {"image/png": PIXEL}},
        )
    await expect(source.locator(".cells > .cell")).to_have_count(2)
    await source.keyboard.press("Escape")
    await source.keyboard.press("Control+Enter")
    await expect(source.locator(".cell").first.locator(".output")).to_contain_text(
        "carried", timeout=RUN_TIMEOUT
    )
    await source_client.wait_for(lambda doc: len(doc.outputs(code)) == 1, timeout=15)
    await source.keyboard.press("Shift+j")
    await source.keyboard.press("c")

    with target_client.edit() as doc:
        doc.insert_cell(0, "code", "'already here'")
    await expect(target.locator(".cells > .cell")).to_have_count(1)
    await target.keyboard.press("Escape")
    await target.keyboard.press("v")
    await target_client.wait_for(lambda doc: len(doc) == 3, timeout=15)
    pasted_code, pasted_markdown = target_client.doc.cells()[1:]
    assert pasted_code.source == "print('carried')"
    outputs = await target_client.outputs(pasted_code.id)
    assert [o.get("text") for o in outputs] == ["carried\n"]
    assert pasted_markdown.attachments == {"pixel.png": {"image/png": PIXEL}}
    await expect(target.locator(".cell").nth(1).locator(".output")).to_contain_text("carried")
    image = target.locator(".cell").nth(2).locator("img")
    await expect(image).to_have_count(1)
    await screenshot(target, "cells-pasted-from-another-notebook")
    await source_client.close()
    await target_client.close()
    await context.close()


async def test_new_controls_have_names_and_pass_axe(notebook: Notebook) -> None:
    page = notebook.page
    await with_cells(notebook, ["print('out')", "y = 1"])
    await notebook.keys("Control+Enter")
    await expect(notebook.cell(0).locator(".output")).to_contain_text("out", timeout=RUN_TIMEOUT)
    await notebook.keys("Escape", "Shift+o")
    await notebook.cell(1).get_by_role("button", name="Hide the input").click()
    await notebook.keys("k", "Shift+j")
    await expect(selected(page)).to_have_count(2)
    for name in ["Move up", "Move down", "Keyboard shortcuts", "Run menu", "Cells menu"]:
        await expect(page.get_by_role("button", name=name, exact=True)).to_have_count(1)
    await page.get_by_role("button", name="Cells menu").click()
    await expect(page.get_by_role("menu", name="Cells")).to_be_visible()
    violations = await axe_violations(page)
    assert violations == [], "\n".join(violations)
    await notebook.keys("Escape")
    await notebook.keys("d", "d")
    await expect(page.get_by_role("alertdialog", name="Delete 2 cells?")).to_be_visible()
    violations = await axe_violations(page)
    assert violations == [], "\n".join(violations)
    await notebook.keys("Escape")


async def questions_off_become(daemon: DaemonProcess, expected: list[str]) -> None:
    """Wait until the user's preferences file says `expected` (written after the click)."""
    deadline = asyncio.get_running_loop().time() + 10
    while preferences.questions_off(daemon.home) != expected:
        assert asyncio.get_running_loop().time() < deadline, preferences.questions_off(daemon.home)
        await asyncio.sleep(0.05)


async def test_dont_ask_again_holds_across_launches_and_turns_back_on(
    notebook: Notebook, browser: Browser, daemon: DaemonProcess
) -> None:
    page = notebook.page
    await with_cells(notebook, ["a", "b", "c", "d", "e"])
    await notebook.keys("Shift+j", "d", "d")
    question = page.get_by_role("alertdialog", name="Delete 2 cells?")
    await question.get_by_role("checkbox", name="Don't ask again").check()
    await question.get_by_role("button", name="Delete 2 cells").click()
    await notebook.wait_sources(["c", "d", "e"])
    await questions_off_become(daemon, ["delete_cells"])
    # The next launch: a new shell server on another port, so the page's own storage is
    # another origin's; the daemon's preference still holds.
    relaunched = ShellServer(daemon.home, WEB_DIST)
    await relaunched.start()
    try:
        notebook_id = await notebook_id_of(page)
        second = await browser.new_page()
        await open_in(second, relaunched.page_url(join=notebook_id))
        assert second.url.split("/")[2] != page.url.split("/")[2]
        other = Notebook(second, notebook.client)
        await expect(second.locator(".cells > .cell")).to_have_count(3)
        await other.keys("Escape", "Shift+j", "d", "d")
        await notebook.wait_sources(["e"])
        await expect(second.get_by_role("alertdialog")).to_have_count(0)
        # The shortcuts panel turns the question back on, for every window.
        await other.keys("h")
        ask = second.get_by_role("checkbox", name="Ask before deleting several cells")
        await expect(ask).not_to_be_checked()
        await expect(
            second.get_by_role("checkbox", name="Ask before restarting the kernel")
        ).to_be_checked()
        await ask.check()
        await expect(ask).to_be_checked()
        await questions_off_become(daemon, [])
        await other.keys("h")
        with notebook.client.edit() as doc:
            doc.insert_cell(1, "code", "f")
        await expect(page.locator(".cells > .cell")).to_have_count(2)
        await notebook.keys("Escape", "Control+a", "d", "d")
        await expect(page.get_by_role("alertdialog", name="Delete 2 cells?")).to_be_visible()
        await second.close()
    finally:
        await relaunched.close()
