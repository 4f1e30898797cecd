"""The notebook's packages in a real browser: the trust dialog that asks before anything is
installed, and the dependencies panel, against real daemons, real uv builds (small
packages, through uv's cache) and real kernels, driven by the keyboard. A Python client
on the same notebook checks what the daemon did. Screenshots go to artifacts/.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import DaemonProcess
from playwright.async_api import Browser, Locator, Page, expect
from test_browser import cell_editor, notebook_id_of, open_page, screenshot

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.desktop.web_server import ShellServer

pytestmark = [pytest.mark.usefixtures("browser_prerequisites"), pytest.mark.timeout(300)]

BUILD_TIMEOUT = 240_000  # a dependency environment: uv venv + ipykernel + the packages


def notebook_with_dependencies(path: Path, dependencies: list[str], source: str) -> Path:
    """A notebook as it arrives from elsewhere: dependencies listed, no signature."""
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(source))
    nb.metadata["nbdesk"] = {"uv": {"dependencies": dependencies}}
    nbformat.write(nb, path)
    return path


def deps_envs(daemon: DaemonProcess) -> list[str]:
    """The dependency environments the daemon has built (or is building)."""
    return sorted(path.name for path in daemon.home.envs.glob("nbdesk-deps-*"))



async def focus_in(locator: Locator) -> bool:
    return bool(await locator.evaluate("(d) => d.contains(document.activeElement)"))


async def tab_to(page: Page, target: Locator, limit: int = 12, key: str = "Tab") -> None:
    """Press Tab (or `key`: Shift+Tab) until `target` has the focus (keyboard only)."""
    for _ in range(limit):
        if await target.evaluate("(t) => t === document.activeElement"):
            return
        await page.keyboard.press(key)
    await expect(target).to_be_focused()


async def test_a_notebook_from_elsewhere_installs_nothing_until_approved(
    browser: Browser, shell: ShellServer, daemon: DaemonProcess, tmp_path: Path
) -> None:
    # six from the notebook's dependency environment (the daemon's own Python has one too)
    source = "import six; print('/nbdesk-deps-' in six.__file__, six.__file__)"
    path = notebook_with_dependencies(tmp_path / "mailed.ipynb", ["six", "iniconfig"], source)
    page = await open_page(browser, shell.page_url(open=str(path)))

    dialog = page.get_by_role("dialog", name="Install this notebook's packages?")
    await expect(dialog).to_be_visible(timeout=20_000)
    packages = dialog.get_by_role("list", name="Packages to install")
    await expect(packages.locator("li")).to_have_text(["six", "iniconfig"])
    await expect(dialog).to_contain_text("nothing has been installed")
    decline = dialog.get_by_role("button", name="Open without installing")
    approve = dialog.get_by_role("button", name="Approve and install")
    await expect(decline).to_be_focused()  # the safe answer is the first one

    # The kernel runs meanwhile, on the default environment; nothing was built.
    async with NotebookClient.open(path, daemon.home) as client:
        result = await client.run("import sys; print(sys.prefix)", timeout=120)
        assert result.outputs[0]["text"].strip() == sys.prefix
        trust = await client.request("get_trust")
        assert trust["trust"]["status"] == "untrusted"
    assert deps_envs(daemon) == []

    # Tab stays inside the dialog; then approve from the keyboard.
    for _ in range(5):
        await page.keyboard.press("Tab")
        assert await focus_in(dialog)
    await tab_to(page, approve)
    await screenshot(page, "trust-dialog")
    await page.keyboard.press("Enter")

    # The build's progress shows in the dialog, the installer's own lines included.
    await expect(dialog).to_have_attribute("data-stage", "installing")
    await expect(dialog.locator("[data-build-log]")).not_to_be_empty(timeout=BUILD_TIMEOUT)
    await expect(dialog).to_be_hidden(timeout=BUILD_TIMEOUT)
    await expect(page.locator("[data-kernel-place]")).to_have_attribute(
        "data-source", "inline_deps"
    )
    assert len(deps_envs(daemon)) == 1
    await expect(page.locator("[data-trust-notice]")).to_be_hidden()

    await cell_editor(page).click()
    await page.keyboard.press("Control+Enter")
    output = page.locator(".cell").first.locator(".output")
    await expect(output).to_contain_text("True", timeout=120_000)
    await expect(output).to_contain_text("nbdesk-deps-")


async def test_open_without_installing_says_what_is_missing_and_offers_review(
    browser: Browser, shell: ShellServer, daemon: DaemonProcess, tmp_path: Path
) -> None:
    # tabulate: a package the default environment (here the daemon's own) does not hold
    path = notebook_with_dependencies(tmp_path / "declined.ipynb", ["tabulate"], "import tabulate")
    page = await open_page(browser, shell.page_url(open=str(path)))
    dialog = page.get_by_role("dialog", name="Install this notebook's packages?")
    await expect(dialog).to_be_visible(timeout=20_000)

    await page.keyboard.press("Escape")  # the same as "Open without installing"
    await expect(dialog).to_be_hidden()
    notice = page.locator("[data-trust-notice]")
    await expect(notice).to_be_visible()
    await expect(notice).to_contain_text("Not installed: tabulate")
    await expect(notice).to_contain_text("runs on the default environment")
    assert await page.evaluate("document.activeElement !== document.body"), "focus restored"

    # The kernel runs without the package; still nothing built.
    await cell_editor(page).click()
    await page.keyboard.press("Control+Enter")
    error = page.locator(".cell").first.locator(".output")
    await expect(error).to_contain_text("ModuleNotFoundError", timeout=120_000)
    assert deps_envs(daemon) == []

    # "Review packages…" asks again, by keyboard; declining keeps the notice.
    review = notice.get_by_role("button", name="Review packages…")
    await review.focus()
    await page.keyboard.press("Enter")
    await expect(dialog).to_be_visible()
    await expect(dialog.get_by_role("button", name="Open without installing")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(dialog).to_be_hidden()
    await expect(review).to_be_focused()
    await screenshot(page, "trust-notice")


async def test_a_name_close_to_a_popular_package_is_flagged(
    browser: Browser, shell: ShellServer, daemon: DaemonProcess, tmp_path: Path
) -> None:
    path = notebook_with_dependencies(tmp_path / "typo.ipynb", ["reqeusts", "six"], "1")
    page = await open_page(browser, shell.page_url(open=str(path)))
    dialog = page.get_by_role("dialog", name="Install this notebook's packages?")
    await expect(dialog).to_be_visible(timeout=20_000)
    flagged = dialog.locator("li[data-flagged]")
    await expect(flagged).to_have_count(1)
    await expect(flagged).to_have_attribute("data-package", "reqeusts")
    await expect(flagged).to_contain_text("Check this name")
    await expect(flagged.locator("[data-trust-flag]")).to_contain_text("requests")
    await expect(dialog.locator("li[data-package=six]")).not_to_have_attribute("data-flagged", "")
    await screenshot(page, "trust-dialog-flagged")

    # The list changes while the dialog is open: it redraws and says so.
    async with NotebookClient.open(path, daemon.home) as client:
        await client.set_raw_metadata("nbdesk", json.dumps({"uv": {"dependencies": ["six"]}}))
    await expect(dialog.locator("[data-trust-changed]")).to_contain_text("The list changed")
    await expect(dialog.locator("li")).to_have_text(["six"])
    await expect(dialog.locator("li[data-flagged]")).to_have_count(0)


async def test_the_panel_edits_the_list_every_window_sees_it_and_restart_applies_it(
    browser: Browser, shell: ShellServer, daemon: DaemonProcess
) -> None:
    page = await open_page(browser, shell.page_url(create="1"))
    await expect(page.locator("[data-kernel-place]")).to_have_attribute(
        "data-phase", "ready", timeout=120_000
    )
    other = await open_page(browser, shell.page_url(join=await notebook_id_of(page)))

    # Keyboard only: the toolbar's "Dependencies…" opens the panel with the field focused.
    toolbar_item = page.get_by_role("button", name="Dependencies…")
    await toolbar_item.focus()
    await page.keyboard.press("Enter")
    panel = page.get_by_role("complementary", name="Dependencies")
    await expect(panel).to_be_visible()
    field = panel.get_by_label("Add a package")
    await expect(field).to_be_focused()
    await expect(panel.locator("[data-deps-empty]")).to_be_visible()
    # What the kernel holds now (the default environment: ipykernel is there).
    await expect(panel.locator("[data-deps-installed] li[data-package=ipykernel]")).to_have_count(
        1, timeout=30_000
    )

    # Bad input is refused with the reason; what was typed stays.
    error = panel.locator("[data-deps-error]")
    for typed, reason in [
        ("--index-url https://evil.example/simple", "installer option"),
        ("https://example.com/six-1.0.tar.gz", "place to download from"),
        ("./vendor/six", "path"),
    ]:
        await field.fill(typed)
        await page.keyboard.press("Enter")
        await expect(error).to_contain_text(reason)
        await expect(field).to_have_value(typed)
        await expect(field).to_have_attribute("aria-invalid", "true")
    assert listed_in_document(await daemon_metadata(daemon, page)) == []

    await field.fill("six")
    await page.keyboard.press("Enter")
    await expect(field).to_have_value("")
    for window in (page, other):
        await expect(window.locator("[data-deps-list] li")).to_have_count(1)
        await expect(window.locator("[data-deps-list] li[data-package=six]")).to_have_count(1)
    assert listed_in_document(await daemon_metadata(daemon, page)) == ["six"]
    # Added here, so approved as written: no window asks.
    for window in (page, other):
        await expect(window.locator("[data-trust-dialog]")).to_be_hidden()
        await expect(window.locator("[data-trust-notice]")).to_be_hidden()

    # The kernel still runs without it: "Restart to apply" rebuilds and restarts.
    drift = panel.locator("[data-deps-drift]")
    await expect(drift).to_be_visible(timeout=30_000)
    await expect(drift).to_contain_text("six added")
    await screenshot(page, "dependencies-panel")
    # From the field, back up the panel: the list, then the drift notice above it.
    await tab_to(page, drift.get_by_role("button", name="Restart to apply"), key="Shift+Tab")
    await page.keyboard.press("Enter")
    await expect(panel.locator("[data-build-log]")).not_to_be_empty(timeout=BUILD_TIMEOUT)
    await expect(panel.locator("[data-build]")).to_have_attribute(
        "data-phase", "ready", timeout=BUILD_TIMEOUT
    )
    await expect(drift).to_be_hidden(timeout=BUILD_TIMEOUT)
    listed = panel.locator("[data-deps-installed] li[data-package=six][data-listed]")
    await expect(listed).to_have_count(1, timeout=60_000)

    # Removed in the other window: both lists follow, and the kernel has drifted again.
    await other.get_by_role("button", name="Dependencies…").click()
    remove = other.get_by_role("button", name="Remove six")
    await remove.focus()
    await other.keyboard.press("Enter")
    for window in (page, other):
        await expect(window.locator("[data-deps-list] li")).to_have_count(0)
        await expect(window.locator("[data-deps-empty]")).to_be_visible()
    await expect(drift).to_contain_text("six removed", timeout=30_000)

    # Escape closes the panel and the focus goes back to the toolbar button.
    await field.focus()
    await page.keyboard.press("Escape")
    await expect(panel).to_be_hidden()
    await expect(toolbar_item).to_be_focused()


def listed_in_document(nbdesk_metadata: str | None) -> list[str]:
    return list(json.loads(nbdesk_metadata or "{}").get("uv", {}).get("dependencies", []))


async def daemon_metadata(daemon: DaemonProcess, page: Page) -> str | None:
    async with NotebookClient.join(await notebook_id_of(page), daemon.home) as client:
        return await client.get_raw_metadata("nbdesk")
