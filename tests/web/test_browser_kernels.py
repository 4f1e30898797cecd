"""Where the kernel runs, changing it, `input()` and the editor's language, in a real
browser: Debian's chromium against the shell server, real daemons and real kernels
(ipykernel, IRkernel), a Python client on the same notebook to check what the daemon did.
The picker is driven by the keyboard only. Screenshots go to artifacts/.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import DaemonFactory, DaemonProcess
from playwright.async_api import Browser, Page, expect
from test_browser import cell_editor, notebook_id_of, open_page, screenshot

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.envs.env import uv_binary
from nbdesk.desktop.web_server import ShellServer

pytestmark = [pytest.mark.usefixtures("browser_prerequisites"), pytest.mark.timeout(240)]

KERNEL_TIMEOUT = 90_000


def install_kernelspec(root: Path, name: str, argv: list[str], display: str, language: str) -> None:
    folder = root / "kernels" / name
    folder.mkdir(parents=True)
    spec = {"argv": argv, "display_name": display, "language": language}
    (folder / "kernel.json").write_text(json.dumps(spec))


@pytest.fixture
def daemon(daemon_factory: DaemonFactory, tmp_path: Path) -> DaemonProcess:
    """A daemon that also finds two test kernelspecs: one that runs, one that cannot."""
    root = tmp_path / "jupyter"
    install_kernelspec(
        root,
        "alt",
        [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "Alt Python",
        "python",
    )
    install_kernelspec(root, "gone", ["/nonexistent/kernel", "{connection_file}"], "Gone", "python")
    return daemon_factory(JUPYTER_PATH=str(root))


def write_notebook(path: Path, source: str, metadata: dict[str, object] | None = None) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(source))
    nb.metadata.update(metadata or {})
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path



async def wait_ready(page: Page) -> None:
    await expect(page.locator("[data-kernel-place]")).to_have_attribute(
        "data-phase", "ready", timeout=KERNEL_TIMEOUT
    )


async def run_cell(page: Page, source: str) -> None:
    """Type `source` into a new last cell and run it from the keyboard."""
    await page.get_by_role("button", name="+ Below").click()
    editor = page.locator(".cell[data-selected] .cm-content")
    await expect(editor).to_be_focused()
    await page.keyboard.insert_text(source)
    await page.keyboard.press("Control+Enter")


async def choose_option(page: Page, name: str) -> None:
    """Move through the picker's list with the arrow keys until `name` is active."""
    listbox = page.get_by_role("listbox")
    await expect(listbox).to_be_focused()
    await expect(page.get_by_role("option").first).to_be_visible()
    await page.keyboard.press("Home")
    for _ in range(await page.get_by_role("option").count()):
        active = page.locator("[role=option][aria-selected=true]")
        if await active.get_attribute("data-name") == name:
            return
        await page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option {name!r} in the picker")


async def test_the_picker_by_keyboard_and_every_window_follows(
    browser: Browser, shell: ShellServer, daemon: DaemonProcess
) -> None:
    page = await open_page(browser, shell.page_url(create="1"))
    await wait_ready(page)
    other = await open_page(browser, shell.page_url(join=await notebook_id_of(page)))
    kernel_button = page.locator("[data-kernel-button]")
    await expect(kernel_button).to_have_attribute(
        "aria-label", "Python 3 (ipykernel): change kernel"
    )

    # From the status line: the kernel's name is a button; Enter opens a labelled dialog.
    await kernel_button.focus()
    await page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Change kernel")
    await expect(dialog).to_be_visible()
    current = dialog.locator("[role=option][data-current]")
    await expect(current).to_have_count(1)
    await expect(current).to_contain_text("(current)")
    await expect(dialog.get_by_role("group", name="Installed kernels")).to_contain_text(
        "Alt Python"
    )
    await expect(dialog.get_by_role("group", name="Default")).to_be_visible()
    await screenshot(page, "kernel-picker")

    # Tab stays in the dialog.
    for _ in range(4):
        await page.keyboard.press("Tab")
        assert await dialog.evaluate("(d) => d.contains(document.activeElement)")

    # A kernel that cannot start: the dialog stays and says what to do next.
    await dialog.get_by_role("listbox").focus()
    await choose_option(page, "gone")
    await page.keyboard.press("Enter")
    error = dialog.locator("[data-picker-error]")
    await expect(error).to_contain_text("Could not switch to Gone", timeout=KERNEL_TIMEOUT)
    await expect(error).to_contain_text("Choose another kernel")
    await expect(page.locator("[data-kernel-place]")).to_have_attribute("data-phase", "error")
    await expect(dialog.get_by_role("listbox")).to_be_focused()

    await choose_option(page, "alt")
    await page.keyboard.press("Enter")
    await expect(dialog).to_be_hidden(timeout=KERNEL_TIMEOUT)
    await expect(kernel_button).to_be_focused()  # the focus went back where it was
    for window in (page, other):
        await expect(window.locator("[data-kernel-button]")).to_have_text("Alt Python")
        await wait_ready(window)
        await expect(window.locator("[data-kernel-place]")).to_have_attribute(
            "data-source", "chosen"
        )
    async with NotebookClient.join(await notebook_id_of(page), daemon.home) as client:
        kernelspec = json.loads(await client.get_raw_metadata("kernelspec") or "{}")
        assert kernelspec["name"] == "alt"

    # From the toolbar (the Kernel menu's item sends the same action): Escape closes it.
    toolbar_item = page.get_by_role("button", name="Change kernel…")
    await toolbar_item.focus()
    await page.keyboard.press("Enter")
    await expect(dialog).to_be_visible()
    await expect(dialog.locator("[role=option][data-current]")).to_have_attribute(
        "data-name", "alt"
    )
    await page.keyboard.press("Escape")
    await expect(dialog).to_be_hidden()
    await expect(toolbar_item).to_be_focused()


async def test_input_is_answered_from_the_page(browser: Browser, shell: ShellServer) -> None:
    page = await open_page(browser, shell.page_url(create="1"))
    await wait_ready(page)
    other = await open_page(browser, shell.page_url(join=await notebook_id_of(page)))
    await run_cell(page, "name = input('Name? ')\nprint('hello', name)")

    field = page.get_by_label("Name?")
    await expect(field).to_be_focused(timeout=KERNEL_TIMEOUT)
    await expect(field).to_have_attribute("type", "text")
    await expect(other.get_by_label("Name?")).to_be_visible()
    await screenshot(page, "input-prompt")
    await page.keyboard.type("Ada")
    await page.keyboard.press("Enter")
    for window in (page, other):
        await expect(window.locator(".input-prompt")).to_have_count(0)
        await expect(window.locator(".cell").last.locator(".output")).to_contain_text("hello Ada")

    # A password prompt hides what is typed; answered from the other window.
    await run_cell(page, "import getpass\nsecret = getpass.getpass('Secret: ')\nprint(len(secret))")
    secret = other.get_by_label("Secret:")
    await expect(secret).to_have_attribute("type", "password", timeout=KERNEL_TIMEOUT)
    await secret.fill("four")
    await secret.press("Enter")
    await expect(page.locator(".input-prompt")).to_have_count(0)
    await expect(page.locator(".cell").last.locator(".output")).to_contain_text("4")

    # Interrupted while waiting: no window keeps the prompt.
    await run_cell(page, "input('Waiting: ')")
    await expect(page.get_by_label("Waiting:")).to_be_focused(timeout=KERNEL_TIMEOUT)
    await page.get_by_role("button", name="Interrupt", exact=True).click()
    for window in (page, other):
        await expect(window.locator(".input-prompt")).to_have_count(0)
        await expect(window.locator(".cell").last).to_have_attribute("data-state", "error")


def bare_venv(path: Path) -> str:
    subprocess.run(
        [uv_binary(), "venv", "--quiet", "--python", sys.executable, str(path)], check=True
    )
    return str(path / "bin" / "python")


async def test_an_environment_without_ipykernel_gets_it_only_with_consent(
    browser: Browser, shell: ShellServer, tmp_path: Path
) -> None:
    project = tmp_path / "bare"
    python = bare_venv(project / ".venv")
    path = write_notebook(project / "a.ipynb", "import sys; print(sys.prefix)")
    page = await open_page(browser, shell.page_url(open=str(path)))
    await cell_editor(page).click()
    await page.keyboard.press("Control+Enter")  # the first run starts the kernel

    notice = page.locator("[data-kernel-notice=needs_ipykernel]")
    await expect(notice).to_contain_text(f"{python} has no ipykernel", timeout=KERNEL_TIMEOUT)
    await expect(page.locator("[data-kernel-place]")).to_have_attribute("data-phase", "error")
    install = notice.get_by_role("button", name="Install ipykernel…")
    consent = page.get_by_role("alertdialog", name="Install ipykernel?")

    await install.focus()
    await page.keyboard.press("Enter")
    await expect(consent).to_contain_text(python)
    await expect(consent.get_by_role("button", name="Cancel")).to_be_focused()
    await screenshot(page, "kernel-consent")
    await page.keyboard.press("Escape")  # declined: nothing changes
    await expect(consent).to_be_hidden()
    await expect(install).to_be_focused()
    assert not list((project / ".venv").glob("lib/python*/site-packages/ipykernel"))

    await install.click()  # the keyboard path was taken above; now the pointer's
    await consent.get_by_role("button", name="Install ipykernel").click()
    await wait_ready(page)
    await expect(notice).to_be_hidden()
    assert list((project / ".venv").glob("lib/python*/site-packages/ipykernel"))
    await cell_editor(page).click()
    await page.keyboard.press("Control+Enter")
    await expect(page.locator(".cell").first.locator(".output")).to_contain_text(
        str(project / ".venv"), timeout=KERNEL_TIMEOUT
    )


async def test_a_kernelspec_not_installed_here_is_said_and_offers_the_picker(
    browser: Browser, shell: ShellServer, daemon: DaemonProcess, tmp_path: Path
) -> None:
    kernelspec = {"name": "conda-env-faraway-py", "display_name": "Far away", "language": "python"}
    path = write_notebook(tmp_path / "far.ipynb", "1 + 1", {"kernelspec": kernelspec})
    page = await open_page(browser, shell.page_url(open=str(path)))
    await cell_editor(page).click()
    await page.keyboard.press("Control+Enter")

    notice = page.locator("[data-kernel-notice=missing_kernelspec]")
    await expect(notice).to_contain_text(
        "This notebook asks for kernel conda-env-faraway-py, which is not installed here",
        timeout=KERNEL_TIMEOUT,
    )
    await expect(page.locator(".cell .output")).to_contain_text("2")  # the default runs it
    async with NotebookClient.join(await notebook_id_of(page), daemon.home) as client:
        kept = json.loads(await client.get_raw_metadata("kernelspec") or "{}")
        assert kept == kernelspec  # untouched until the user chooses
    await notice.get_by_role("button", name="Choose a kernel…").focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("dialog", name="Change kernel")).to_be_visible()
    await expect(page.get_by_role("listbox")).to_be_focused()


async def editor_language(page: Page, index: int = 0) -> str | None:
    return await cell_editor(page, index).get_attribute("data-language")


async def token_color(page: Page, text: str) -> tuple[str, str]:
    """The colour of the highlighted span holding `text`, and of the editor's plain text."""
    colors = await page.evaluate(
        """(text) => {
            const content = document.querySelector('.cell .cm-content');
            const span = [...content.querySelectorAll('span')].find((s) => s.textContent === text);
            return [span ? getComputedStyle(span).color : '', getComputedStyle(content).color];
        }""",
        text,
    )
    return colors[0], colors[1]


@pytest.mark.usefixtures("r_kernel_prerequisites")
async def test_an_r_notebook_is_highlighted_as_r_and_runs_r(
    browser: Browser, shell: ShellServer, daemon: DaemonProcess, tmp_path: Path
) -> None:
    metadata = {
        "kernelspec": {"name": "ir", "display_name": "R", "language": "R"},
        "language_info": {"name": "R"},
    }
    path = write_notebook(tmp_path / "r.ipynb", "f <- function(x) x + 1\ncat(f(41))", metadata)
    page = await open_page(browser, shell.page_url(open=str(path)))
    await expect(cell_editor(page)).to_have_attribute("data-language", "r", timeout=20_000)
    await expect(page.locator("#app")).to_have_attribute("data-language", "r")
    keyword, plain = await token_color(page, "function")
    assert keyword and keyword != plain, "R's `function` is highlighted as a keyword"

    await cell_editor(page).click()
    await page.keyboard.press("Control+Enter")
    await expect(page.locator(".cell .output")).to_contain_text("42", timeout=KERNEL_TIMEOUT)
    await expect(page.locator("[data-kernel-button]")).to_have_text("R")
    await screenshot(page, "r-notebook")


async def test_the_editor_follows_the_notebook_language_live(
    browser: Browser, shell: ShellServer, daemon: DaemonProcess
) -> None:
    page = await open_page(browser, shell.page_url(create="1"))
    await page.get_by_role("button", name="+ Below").click()
    await expect(cell_editor(page)).to_have_attribute("data-language", "python")
    scripts = "() => [...document.scripts].map((s) => s.src).filter((s) => s.includes('languages'))"
    assert await page.evaluate(scripts) == [], "a Python notebook loads no other language"
    async with NotebookClient.join(await notebook_id_of(page), daemon.home) as client:
        for kernel_language, editor in [
            ("sql", "sql"),
            ("bash", "shell"),
            ("julia", "julia"),
            ("typescript", "typescript"),
            ("javascript", "javascript"),
            ("python", "python"),
        ]:
            await client.set_raw_metadata("language_info", json.dumps({"name": kernel_language}))
            await expect(cell_editor(page)).to_have_attribute("data-language", editor)
