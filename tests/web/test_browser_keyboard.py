"""The keyboard model, kernel completion and the window's chrome, in a real browser.

Playwright drives Debian's chromium against the shell server, a real daemon and real
ipykernels; a Python client joined to the same notebook checks what reached the
document. Screenshots go to artifacts/.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import nbformat
import pytest
from conftest import DaemonProcess
from playwright.async_api import Browser, Page, expect
from test_browser import cell_editor, joined, open_page, screenshot

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.doc.notebook_doc import NotebookDoc
from nbdesk.desktop.web_server import ShellServer

pytestmark = pytest.mark.usefixtures("browser_prerequisites")

RUN_TIMEOUT = 30_000


class Notebook:
    """A page on a notebook plus a Python peer of the same document."""

    def __init__(self, page: Page, client: NotebookClient) -> None:
        self.page = page
        self.client = client

    def cell(self, index: int):
        return self.page.locator(".cell").nth(index)

    async def wait_doc(self, predicate: Callable[[NotebookDoc], bool]) -> None:
        await self.client.wait_for(predicate, timeout=15)

    async def wait_sources(self, expected: list[str]) -> None:
        try:
            await self.wait_doc(lambda doc: [c.source for c in doc.cells()] == expected)
        except TimeoutError:
            actual = [c.source for c in self.client.doc.cells()]
            raise AssertionError(f"cells are {actual!r}, expected {expected!r}") from None

    async def keys(self, *keys: str) -> None:
        for key in keys:
            await self.page.keyboard.press(key)

    async def expect_selected(self, index: int) -> None:
        await expect(self.cell(index)).to_have_attribute("data-selected", "")
        await expect(self.page.locator(".cell[data-selected]")).to_have_count(1)

    async def expect_mode(self, mode: str) -> None:
        await expect(self.page.locator("#app")).to_have_attribute("data-mode", mode)


@pytest.fixture
async def notebook(
    browser: Browser,
    shell: ShellServer,
    daemon: DaemonProcess,
) -> AsyncIterator[Notebook]:
    page = await open_page(browser, shell.page_url(create=1))
    client = await joined(page, daemon)
    yield Notebook(page, client)
    await client.close()
    await page.close()


async def with_cells(notebook: Notebook, sources: list[str]) -> None:
    """Another peer writes the cells; the page shows them, the first one selected."""
    with notebook.client.edit() as doc:
        for index, source in enumerate(sources):
            doc.insert_cell(index, "code", source)
    await expect(notebook.page.locator(".cell")).to_have_count(len(sources))
    for index, source in enumerate(sources):
        await expect(cell_editor(notebook.page, index)).to_have_text(source.replace("\n", ""))


async def test_command_mode_keys_edit_the_notebook(notebook: Notebook) -> None:
    page = notebook.page
    await with_cells(notebook, ["first", "second"])
    await notebook.expect_mode("command")
    await notebook.expect_selected(0)

    await notebook.keys("j")
    await notebook.expect_selected(1)
    await notebook.keys("k")
    await notebook.expect_selected(0)
    await notebook.keys("ArrowDown")
    await notebook.expect_selected(1)
    await notebook.keys("ArrowUp")
    await notebook.expect_selected(0)

    # B inserts below and stays in command mode; Enter edits it ("middle" holds "dd",
    # which must type, not delete).
    await notebook.keys("b")
    await notebook.wait_sources(["first", "", "second"])
    await notebook.expect_selected(1)
    await notebook.expect_mode("command")
    await notebook.keys("Enter")
    await notebook.expect_mode("edit")
    await page.keyboard.type("middle")
    await notebook.keys("Escape")
    await notebook.expect_mode("command")
    await notebook.wait_sources(["first", "middle", "second"])
    await screenshot(page, "keyboard-command-mode")

    for key, cell_type in [("m", "markdown"), ("r", "raw"), ("y", "code")]:
        await notebook.keys(key)
        await expect(notebook.cell(1)).to_have_attribute("data-cell-type", cell_type)
        await notebook.wait_doc(lambda doc, t=cell_type: doc.cells()[1].cell_type == t)

    await notebook.keys("d", "d")
    await notebook.wait_sources(["first", "second"])
    await notebook.keys("z")
    await notebook.wait_sources(["first", "middle", "second"])
    await notebook.expect_selected(1)

    await notebook.keys("a")
    await notebook.wait_sources(["first", "", "middle", "second"])
    await notebook.expect_selected(1)
    await notebook.keys("d", "d", "j")
    await notebook.wait_sources(["first", "middle", "second"])
    await notebook.expect_selected(2)

    await notebook.keys("k", "c", "j", "v")
    await notebook.wait_sources(["first", "middle", "second", "middle"])
    await notebook.expect_selected(3)
    await notebook.keys("k", "x")
    await notebook.wait_sources(["first", "middle", "middle"])
    await notebook.keys("k", "k", "v")
    await notebook.wait_sources(["first", "second", "middle", "middle"])
    ids = [cell.id for cell in notebook.client.doc.cells()]
    assert len(set(ids)) == 4, "pasted cells get fresh ids"

    help_panel = page.locator("[data-shortcuts-help]")
    await expect(help_panel).to_be_hidden()
    await notebook.keys("h")
    await expect(help_panel).to_be_visible()
    await expect(help_panel).to_contain_text("Ctrl/Cmd-Shift-Minus")
    await expect(help_panel).to_contain_text("D D")
    await screenshot(page, "keyboard-shortcuts-help")
    await notebook.keys("Escape")
    await expect(help_panel).to_be_hidden()
    await notebook.keys("h", "h")
    await expect(help_panel).to_be_hidden()

    await notebook.keys("Enter")
    await notebook.expect_mode("edit")
    focused = page.locator(".cell[data-selected] .cm-editor.cm-focused")
    await expect(focused).to_have_count(1)


async def test_clicking_an_editor_enters_edit_mode_and_escape_leaves(notebook: Notebook) -> None:
    await with_cells(notebook, ["a = 1", "b = 2"])
    await cell_editor(notebook.page, 1).click()
    await notebook.expect_mode("edit")
    await notebook.expect_selected(1)
    await notebook.keys("Escape")
    await notebook.expect_mode("command")
    await notebook.expect_selected(1)
    await notebook.keys("d", "d")
    await notebook.wait_sources(["a = 1"])


async def test_run_keys_queue_markers_interrupt_and_restart(notebook: Notebook) -> None:
    page = notebook.page
    await with_cells(
        notebook,
        ["import time\ntime.sleep(3)\n'slept'", "1/0", "'never runs'"],
    )
    # Queue all three from command mode: running, queued, queued.
    await notebook.keys("Control+Enter", "j", "Control+Enter", "j", "Control+Enter")
    await expect(notebook.cell(0)).to_have_attribute("data-state", "running", timeout=RUN_TIMEOUT)
    await expect(notebook.cell(1)).to_have_attribute("data-state", "queued")
    await expect(notebook.cell(2)).to_have_attribute("data-state", "queued")
    await screenshot(page, "keyboard-queue-running")
    await expect(notebook.cell(0)).to_have_attribute("data-state", "done", timeout=RUN_TIMEOUT)
    await expect(notebook.cell(1)).to_have_attribute("data-state", "error", timeout=RUN_TIMEOUT)
    await expect(notebook.cell(2)).to_have_attribute("data-state", "idle", timeout=RUN_TIMEOUT)
    await expect(notebook.cell(1).locator(".output[data-output-type=error]")).to_contain_text(
        "ZeroDivisionError"
    )
    await expect(notebook.cell(2).locator(".output")).to_have_count(0)
    await screenshot(page, "keyboard-queue-outcomes")

    # Shift-Enter on the last cell runs it and opens a new cell to type in.
    await notebook.expect_selected(2)
    await notebook.expect_mode("command")
    await notebook.keys("Shift+Enter")
    await expect(page.locator(".cell")).to_have_count(4)
    await notebook.expect_selected(3)
    await notebook.expect_mode("edit")
    await expect(
        notebook.cell(2).locator(".output[data-output-type=execute_result]")
    ).to_contain_text("never runs", timeout=RUN_TIMEOUT)
    # In edit mode: Ctrl-Enter runs in place and leaves the editor.
    await page.keyboard.type("x = 41")
    await notebook.keys("Control+Enter")
    await notebook.expect_mode("command")
    await expect(notebook.cell(3)).to_have_attribute("data-state", "done", timeout=RUN_TIMEOUT)
    # Alt-Enter runs and inserts a cell right below, in edit mode.
    await notebook.keys("ArrowUp", "Alt+Enter")
    await expect(page.locator(".cell")).to_have_count(5)
    await notebook.expect_selected(3)
    await notebook.expect_mode("edit")
    await notebook.wait_sources(
        ["import time\ntime.sleep(3)\n'slept'", "1/0", "'never runs'", "", "x = 41"]
    )
    # Shift-Enter in the middle moves to the next cell in command mode.
    await page.keyboard.type("x + 1")
    await notebook.keys("Shift+Enter")
    await notebook.expect_selected(4)
    await notebook.expect_mode("command")
    await expect(notebook.cell(3).locator(".output[data-output-type=execute_result]")).to_have_text(
        "42", timeout=RUN_TIMEOUT
    )

    # I I interrupts a long run.
    await notebook.keys("Enter")
    await page.keyboard.press("Control+a")
    await page.keyboard.type("import time\nprint('sleeping', flush=True)\ntime.sleep(120)")
    await notebook.keys("Control+Enter")
    await expect(notebook.cell(4)).to_have_attribute("data-state", "running", timeout=RUN_TIMEOUT)
    # Interrupt once the kernel is in the sleep (it printed first), not while it is still
    # starting the cell: under load a too-early SIGINT is lost.
    await expect(notebook.cell(4).locator(".output[data-output-type=stream]")).to_contain_text(
        "sleeping", timeout=RUN_TIMEOUT
    )
    await notebook.keys("i", "i")
    await expect(notebook.cell(4).locator(".output[data-output-type=error]")).to_contain_text(
        "KeyboardInterrupt", timeout=RUN_TIMEOUT
    )
    await expect(notebook.cell(4)).to_have_attribute("data-state", "error")

    # 0 0 restarts the kernel once the user agrees (Cancel has the focus; Tab, Enter):
    # x is gone afterwards.
    await notebook.keys("0", "0")
    question = page.get_by_role("alertdialog", name="Restart the kernel?")
    await expect(question.get_by_role("button", name="Cancel")).to_be_focused()
    await notebook.keys("Tab", "Enter")
    await expect(question).to_be_hidden()
    await expect(page.locator("[data-message]")).to_have_text(
        "Kernel restarted", timeout=RUN_TIMEOUT
    )
    await expect(page.locator("[data-kernel-status]")).to_have_text("idle", timeout=RUN_TIMEOUT)
    await notebook.keys("k", "Control+Enter")
    await expect(notebook.cell(3).locator(".output[data-output-type=error]")).to_contain_text(
        "NameError", timeout=RUN_TIMEOUT
    )


async def test_split_cell_at_the_cursor(notebook: Notebook) -> None:
    await with_cells(notebook, ["a = 1\nb = 2", "c = 3"])
    await cell_editor(notebook.page, 0).click()
    await notebook.keys("Control+Home", "End")
    await notebook.keys("Control+Shift+Minus")
    await notebook.wait_sources(["a = 1", "b = 2", "c = 3"])
    await notebook.expect_selected(1)
    await notebook.expect_mode("edit")
    await notebook.page.keyboard.type("# lower ")
    await notebook.wait_sources(["a = 1", "# lower b = 2", "c = 3"])


async def test_tab_completes_from_the_kernel_and_indents(notebook: Notebook) -> None:
    page = notebook.page
    await with_cells(notebook, ["my_long_variable_name = 1", ""])
    await notebook.keys("Control+Enter")
    await expect(notebook.cell(0)).to_have_attribute("data-state", "done", timeout=RUN_TIMEOUT)

    await cell_editor(page, 1).click()
    await page.keyboard.type("my_long_v")
    await notebook.keys("Tab")
    popup = page.locator(".cm-tooltip-autocomplete")
    await expect(popup).to_be_visible(timeout=RUN_TIMEOUT)
    await expect(popup).to_contain_text("my_long_variable_name")
    await screenshot(page, "keyboard-completion")
    await notebook.keys("Enter")
    await expect(popup).to_be_hidden()
    await notebook.wait_sources(["my_long_variable_name = 1", "my_long_variable_name"])

    # A module name after `import`; Escape closes the popup but stays in the editor.
    await notebook.keys("Enter")
    await page.keyboard.type("import o")
    await notebook.keys("Tab")
    await expect(popup).to_be_visible(timeout=RUN_TIMEOUT)
    await expect(popup.locator("li", has_text="os").first).to_be_visible()
    await notebook.keys("Escape")
    await expect(popup).to_be_hidden()
    await notebook.expect_mode("edit")
    await notebook.keys("Tab")
    await expect(popup).to_be_visible(timeout=RUN_TIMEOUT)
    await popup.locator("li", has_text="operator").first.click()
    await notebook.wait_sources(
        ["my_long_variable_name = 1", "my_long_variable_name\nimport operator"]
    )

    # Tab at the start of a line indents instead.
    await notebook.keys("Enter", "Tab")
    await page.keyboard.type("pass")
    await expect(popup).to_be_hidden()
    await notebook.wait_sources(
        ["my_long_variable_name = 1", "my_long_variable_name\nimport operator\n    pass"]
    )

    # Without a kernel, Tab says why nothing completes.
    await notebook.client.shutdown_kernel()
    await expect(page.locator("[data-kernel-status]")).to_have_text("shutdown", timeout=RUN_TIMEOUT)
    await notebook.keys("Enter")
    await page.keyboard.type("my_")
    await notebook.keys("Tab")
    message = page.locator("[data-message][data-kind=error]")
    await expect(message).to_contain_text("Completion failed: no kernel is running")
    await expect(popup).to_be_hidden()


async def test_undo_and_redo_leave_remote_edits_alone(notebook: Notebook) -> None:
    page = notebook.page
    await with_cells(notebook, ["remote"])
    await cell_editor(page, 0).click()
    await notebook.keys("Control+End")
    # One input event, so one undo step: typed key by key, a pause over CodeMirror's
    # 500 ms grouping delay on a loaded machine split it in two.
    await page.keyboard.insert_text(" local")
    await notebook.wait_sources(["remote local"])
    cell_id = notebook.client.doc.cells()[0].id
    with notebook.client.edit() as doc:
        doc.splice_source(cell_id, 0, 0, "# from python\n")
    await expect(cell_editor(page, 0)).to_have_text("# from pythonremote local")

    await notebook.keys("Control+z")
    await notebook.wait_sources(["# from python\nremote"])
    await notebook.keys("Control+z")
    await notebook.wait_sources(["# from python\nremote"])  # nothing older is local
    await notebook.keys("Control+Shift+z")
    await notebook.wait_sources(["# from python\nremote local"])
    await notebook.keys("Control+z", "Control+y")
    await notebook.wait_sources(["# from python\nremote local"])


async def test_clear_outputs_of_a_cell_and_of_all(notebook: Notebook) -> None:
    page = notebook.page
    await with_cells(notebook, ["print('one')", "print('two')"])
    await page.click("[data-action=run-all]")
    for index, text in [(0, "one"), (1, "two")]:
        await expect(notebook.cell(index).locator(".output")).to_contain_text(
            text, timeout=RUN_TIMEOUT
        )
        await expect(notebook.cell(index)).to_have_attribute("data-state", "done")
    await notebook.wait_doc(lambda doc: all(c.outputs for c in doc.cells()))

    await notebook.cell(0).locator(".execution-count").click()
    await page.click("[data-action=clear-outputs]")
    await expect(notebook.cell(0).locator(".output")).to_have_count(0)
    await expect(notebook.cell(0)).to_have_attribute("data-state", "idle")
    await expect(notebook.cell(0).locator(".execution-count")).to_have_text("[ ]")
    await expect(notebook.cell(1).locator(".output")).to_have_count(1)
    await notebook.wait_doc(lambda doc: [bool(c.outputs) for c in doc.cells()] == [False, True])

    await page.click("[data-action=clear-all-outputs]")
    await expect(page.locator(".output")).to_have_count(0)
    await expect(notebook.cell(1)).to_have_attribute("data-state", "idle")
    await notebook.wait_doc(lambda doc: not any(c.outputs for c in doc.cells()))


async def test_dirty_marker_and_last_save_time(
    browser: Browser,
    shell: ShellServer,
    tmp_path: Path,
) -> None:
    path = tmp_path / "saved.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), path)
    page = await open_page(browser, shell.page_url(open=str(path)))
    status = page.locator("[data-path]")
    saved_at = page.locator("[data-saved-at]")
    await expect(status).not_to_have_attribute("data-dirty", "")
    await expect(saved_at).to_have_text("")
    await cell_editor(page, 0).click()
    await page.keyboard.type(" + 1")
    await expect(status).to_have_attribute("data-dirty", "")
    await page.keyboard.press("Control+s")
    await expect(status).not_to_have_attribute("data-dirty", "", timeout=10_000)
    await expect(saved_at).to_contain_text("saved ")
    assert await saved_at.get_attribute("data-saved-at")
    assert nbformat.read(path, as_version=4).cells[0].source == "x = 1 + 1"
    await screenshot(page, "keyboard-saved")


async def test_the_banner_shows_a_lost_daemon(
    browser: Browser,
    shell: ShellServer,
    daemon: DaemonProcess,
) -> None:
    page = await open_page(browser, shell.page_url(create=1))
    banner = page.locator("[data-connection-banner]")
    await expect(banner).to_be_hidden()
    daemon.kill()
    await expect(banner).to_be_visible(timeout=10_000)
    await expect(banner).to_contain_text("Lost the connection")
    await screenshot(page, "keyboard-daemon-lost")


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_the_theme_follows_the_system(
    browser: Browser,
    shell: ShellServer,
    daemon: DaemonProcess,
    scheme: str,
) -> None:
    page = await browser.new_page(color_scheme=scheme)
    await page.goto(shell.page_url(create=1))
    await expect(page.locator("[data-connection]")).to_have_text("connected", timeout=20_000)
    client = await joined(page, daemon)
    notebook = Notebook(page, client)
    await with_cells(notebook, ["value_for_theme = 1", "value_for"])
    await notebook.keys("Control+Enter")
    await expect(notebook.cell(0)).to_have_attribute("data-state", "done", timeout=RUN_TIMEOUT)
    await cell_editor(page, 1).click()
    await notebook.keys("End", "Tab")
    popup = page.locator(".cm-tooltip-autocomplete")
    await expect(popup).to_be_visible(timeout=RUN_TIMEOUT)

    def background(selector: str) -> str:
        return f"getComputedStyle(document.querySelector('{selector}')).backgroundColor"

    body = await page.evaluate(background("body"))
    editor = await page.evaluate(background(".cell .editor"))
    tooltip = await page.evaluate(background(".cm-tooltip-autocomplete"))
    if scheme == "dark":
        assert (body, editor, tooltip) == ("rgb(27, 29, 33)", "rgb(36, 39, 45)", "rgb(35, 38, 43)")
    else:
        assert (body, editor, tooltip) == (
            "rgb(255, 255, 255)",
            "rgb(247, 248, 250)",
            "rgb(246, 247, 249)",
        )
    await screenshot(page, f"keyboard-theme-{scheme}")

    # The system switching schemes while the window is open restyles page and editors.
    other = "light" if scheme == "dark" else "dark"
    editor_classes = "document.querySelector('.cm-editor').className"
    before = await page.evaluate(editor_classes)
    await page.emulate_media(color_scheme=other)
    await page.wait_for_function(f"{editor_classes} !== {before!r}")
    assert await page.evaluate(background("body")) != body
    await page.emulate_media(color_scheme=scheme)
    await page.wait_for_function(f"{editor_classes} === {before!r}")
    await client.close()
