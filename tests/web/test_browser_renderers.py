"""Every common output type and markdown cells, rendered by the page from a real kernel's
outputs in Debian's chromium (Playwright). Screenshots go to artifacts/renderer-*.png."""

from __future__ import annotations

import base64
import json
import zlib
from pathlib import Path

import pytest
from playwright.async_api import Browser, Locator, Page, expect
from test_browser import (
    CHROMIUM,
    WEB_DIST,
    cell_editor,
    open_page,
    screenshot,
)

from nbdesk.desktop.web_server import ShellServer

pytestmark = pytest.mark.usefixtures("browser_prerequisites")

RUN_TIMEOUT = 60_000


async def new_notebook_with_cell(browser: Browser, shell: ShellServer) -> Page:
    """A new notebook with one empty code cell, added once the replica has synced."""
    page = await open_page(browser, shell.page_url(create=1))
    await expect(page.locator(".notice[data-loading]")).to_have_count(0, timeout=RUN_TIMEOUT)
    await page.click("[data-action=add-below]")
    await expect(page.locator(".cell")).to_have_count(1, timeout=RUN_TIMEOUT)
    return page


async def run_cell(browser: Browser, shell: ShellServer, code: str) -> tuple[Page, Locator]:
    """A new notebook whose one cell ran `code`; returns the page and the cell."""
    page = await new_notebook_with_cell(browser, shell)
    await cell_editor(page).click()
    await page.keyboard.insert_text(code)
    await page.keyboard.press("Control+Enter")
    cell = page.locator(".cell").first
    await expect(cell.locator(".execution-count")).to_have_text("[1]", timeout=RUN_TIMEOUT)
    await expect(cell.locator(".output.pending")).to_have_count(0, timeout=RUN_TIMEOUT)
    return page, cell


def png_bytes(width: int, height: int) -> bytes:
    """An RGB PNG of one colour, made without an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    rows = b"".join(b"\0" + b"\x20\x80\xe0" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


GIF_1X1 = base64.b64decode("R0lGODlhAQABAIAAAP8AAAAAACH5BAAAAAAALAAAAAABAAEAAAICRAEAOw==")


async def wait_until(target: Locator, predicate: str, arg: object = None) -> None:
    """Wait until the JS `predicate(element, arg)` holds for `target`'s element."""
    handle = await target.element_handle(timeout=RUN_TIMEOUT)
    await target.page.wait_for_function(
        f"([element, arg]) => ({predicate})(element, arg)", arg=[handle, arg], timeout=15_000
    )


async def frame_height(frame: Locator) -> float:
    box = await frame.bounding_box()
    assert box is not None
    return box["height"]


FRAME_TALLER_THAN = "(frame, min) => frame.getBoundingClientRect().height > min"
IMAGE_LOADED = "(img, width) => img.complete && img.naturalWidth === width"


async def test_html_in_a_sandboxed_frame_sized_to_content(browser: Browser, shell: ShellServer):
    page, cell = await run_cell(
        browser,
        shell,
        "from IPython.display import HTML, display\n"
        'display(HTML(\'<div id="box" style="height:120px"><b>bold</b></div>\'))',
    )
    frame = cell.locator('.output[data-mime="text/html"] iframe.html-output')
    await expect(frame).to_have_attribute("sandbox", "allow-scripts")
    await expect(page.frame_locator("iframe.html-output").locator("b")).to_have_text("bold")
    await wait_until(frame, FRAME_TALLER_THAN, 115)
    assert await frame_height(frame) < 200
    await screenshot(page, "renderer-html")


async def test_svg_in_a_sandboxed_frame(browser: Browser, shell: ShellServer) -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="90" height="60">'
        '<circle cx="30" cy="30" r="25" fill="teal"/></svg>'
    )
    page, cell = await run_cell(
        browser, shell, f"from IPython.display import SVG, display\ndisplay(SVG({svg!r}))"
    )
    frame = cell.locator('.output[data-mime="image/svg+xml"] iframe.svg-output')
    await expect(frame).to_have_attribute("sandbox", "allow-scripts")
    await expect(page.frame_locator("iframe.svg-output").locator("circle")).to_have_count(1)
    await wait_until(frame, FRAME_TALLER_THAN, 55)
    assert await frame_height(frame) < 100
    await screenshot(page, "renderer-svg")


async def test_png_jpeg_and_gif_images(browser: Browser, shell: ShellServer) -> None:
    probe = await browser.new_page()
    jpeg_url = await probe.evaluate(
        """() => { const c = document.createElement('canvas'); c.width = 24; c.height = 12;
        const g = c.getContext('2d'); g.fillStyle = '#c03'; g.fillRect(0, 0, 24, 12);
        return c.toDataURL('image/jpeg'); }"""
    )
    await probe.close()
    jpeg = base64.b64decode(jpeg_url.split(",", 1)[1])
    images = {"png": (png_bytes(40, 20), 40), "jpeg": (jpeg, 24), "gif": (GIF_1X1, 1)}
    code = "from IPython.display import Image, display\n" + "".join(
        f"display(Image(data={data!r}, format={kind!r}))\n" for kind, (data, _) in images.items()
    )
    code += f"display(Image(data={images['png'][0]!r}, format='png', width=80))\n"
    page, cell = await run_cell(browser, shell, code)
    for kind, (_, width) in images.items():
        image = cell.locator(f'.output[data-mime="image/{kind}"] img.image-output').first
        await wait_until(image, IMAGE_LOADED, width)
    sized = cell.locator('.output[data-mime="image/png"] img.image-output').nth(1)
    await expect(sized).to_have_attribute("width", "80")  # the output's metadata
    box = await sized.bounding_box()
    assert box is not None and round(box["width"]) == 80 and round(box["height"]) == 40
    await screenshot(page, "renderer-images")


async def test_markdown_output(browser: Browser, shell: ShellServer) -> None:
    text = "# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nInline $x^2$ math.\n"
    page, cell = await run_cell(
        browser,
        shell,
        f"from IPython.display import Markdown, display\ndisplay(Markdown({text!r}))",
    )
    output = cell.locator('.output[data-mime="text/markdown"] .markdown-body')
    await expect(output.locator("h1")).to_have_text("Title")
    await expect(output.locator("td")).to_have_text(["1", "2"])
    await expect(output.locator(".katex")).to_have_count(1)
    await screenshot(page, "renderer-markdown-output")


async def test_latex_output_with_katex_fonts(browser: Browser, shell: ShellServer) -> None:
    page, cell = await run_cell(
        browser,
        shell,
        "from IPython.display import Latex, display\n"
        "display(Latex(r'$$\\frac{a}{b} = \\int_0^1 x\\,dx$$'))",
    )
    output = cell.locator('.output[data-mime="text/latex"]')
    await expect(output.locator(".katex-display .mfrac")).to_have_count(1)
    await expect(output.locator(".katex-error")).to_have_count(0)
    loaded = await page.evaluate(
        "async () => { await document.fonts.ready; return document.fonts.check('16px KaTeX_Main'); }"
    )
    assert loaded, "KaTeX's fonts did not load"
    family = await output.locator(".katex").first.evaluate("e => getComputedStyle(e).fontFamily")
    assert "KaTeX_Main" in family
    await screenshot(page, "renderer-latex")


async def test_json_tree_expands_by_click_and_keyboard(browser: Browser, shell: ShellServer):
    value = {"name": "nbdesk", "items": [1, 2, {"deep": None}], "ok": True}
    page, cell = await run_cell(
        browser, shell, f"from IPython.display import JSON, display\ndisplay(JSON({value!r}))"
    )
    tree = cell.locator('.output[data-mime="application/json"] [role=tree]')
    root = tree.locator("[role=treeitem]").first
    await expect(root).to_have_attribute("aria-expanded", "true")
    # Stored as canonical JSON (daemon/manifests.py), so keys arrive sorted.
    await expect(tree.locator(".json-key")).to_have_text(["items", "name", "ok"])
    items = tree.locator("[role=treeitem]", has=page.locator(".json-key", has_text="items")).last
    await expect(items).to_have_attribute("aria-expanded", "false")
    await root.focus()
    await page.keyboard.press("ArrowDown")
    await expect(items).to_be_focused()
    await page.keyboard.press("ArrowRight")
    await expect(items).to_have_attribute("aria-expanded", "true")
    await expect(items.locator("[role=group] .json-key")).to_have_text(["0", "1", "2"])
    await page.keyboard.press("ArrowLeft")
    await expect(items).to_have_attribute("aria-expanded", "false")
    await items.locator(".json-row").first.click()
    await expect(items).to_have_attribute("aria-expanded", "true")
    await screenshot(page, "renderer-json")


async def test_javascript_runs_only_in_its_sandbox(browser: Browser, shell: ShellServer) -> None:
    page, cell = await run_cell(
        browser,
        shell,
        "from IPython.display import Javascript, display\n"
        "display(Javascript(\"element.textContent = 'from js ' + (40 + 2)\"))\n"
        "display(Javascript('parent.document.title = \"pwned\"'))",
    )
    frames = cell.locator('.output[data-mime="application/javascript"] iframe.javascript-output')
    await expect(frames).to_have_count(2)
    for index in range(2):
        await expect(frames.nth(index)).to_have_attribute("sandbox", "allow-scripts")
    first = page.frame_locator("iframe.javascript-output >> nth=0")
    await expect(first.locator("#output")).to_have_text("from js 42")
    second = page.frame_locator("iframe.javascript-output >> nth=1")
    await expect(second.locator("#output")).to_contain_text("Javascript error")
    assert await page.title() != "pwned"
    await screenshot(page, "renderer-javascript")


async def test_unknown_mime_lists_its_types(browser: Browser, shell: ShellServer) -> None:
    page, cell = await run_cell(
        browser, shell, "display({'application/x-nope': 'x', 'application/x-other': 'y'}, raw=True)"
    )
    output = cell.locator('.output[data-mime="unknown"]')
    await expect(output).to_contain_text("application/x-nope")
    await expect(output).to_contain_text("application/x-other")
    await screenshot(page, "renderer-unknown")


async def test_error_traceback_in_colour(browser: Browser, shell: ShellServer) -> None:
    page, cell = await run_cell(browser, shell, "def f():\n    return 1 / 0\n\nf()")
    error = cell.locator(".output[data-output-type=error][data-ename=ZeroDivisionError]")
    await expect(error).to_contain_text("division by zero")
    coloured = error.locator(".error-output span[style*='color']")
    assert await coloured.count() > 3
    await screenshot(page, "renderer-error")


async def test_hundred_thousand_lines_are_truncated_and_show_all_stays_responsive(
    browser: Browser, shell: ShellServer
) -> None:
    page, cell = await run_cell(browser, shell, "for i in range(100_000):\n    print(i)")
    truncated = cell.locator(".output[data-output-type=stream] .stream-truncated")
    await expect(truncated).to_have_attribute("data-hidden-lines", "99900", timeout=RUN_TIMEOUT)
    await expect(truncated.locator("pre").first).to_contain_text("49")
    await expect(truncated.locator("pre").last).to_contain_text("99999")
    shown = await truncated.evaluate("e => e.textContent.split('\\n').length")
    assert shown < 200
    await truncated.locator(".truncation-note").scroll_into_view_if_needed()
    await screenshot(page, "renderer-stream-truncated")
    # The longest gap between animation frames while "show all" renders: a frozen page
    # paints no frames.
    await page.evaluate(
        """() => { window.__gap = 0; let last = performance.now(); window.__frames = true;
        const tick = (now) => { window.__gap = Math.max(window.__gap, now - last); last = now;
          if (window.__frames) requestAnimationFrame(tick); };
        requestAnimationFrame(tick); }"""
    )
    started = await page.evaluate("performance.now()")
    await truncated.locator("[data-output-action=show-all]").click()
    await expect(truncated).not_to_have_attribute("data-rendering", "", timeout=RUN_TIMEOUT)
    await expect(truncated.locator("pre").last).to_contain_text("99999")
    elapsed = await page.evaluate(f"performance.now() - {started}")
    lines = await truncated.evaluate("e => e.textContent.split('\\n').length")
    assert lines >= 100_000
    longest = await page.evaluate("window.__frames = false, window.__gap")
    print(f"show all: {elapsed:.0f} ms for 100,000 lines, longest frame gap {longest:.0f} ms")
    assert 0 < longest < 1_000, f"the page froze for {longest:.0f} ms"


def markdown_notebook(folder: Path) -> Path:
    (folder / "img").mkdir()
    (folder / "img" / "relative.png").write_bytes(png_bytes(30, 15))
    attached = base64.b64encode(png_bytes(12, 6)).decode()
    source = (
        "# Results\n\n"
        "Energy $E = mc^2$ and\n\n$$\\sum_{i=1}^n i = \\frac{n(n+1)}{2}$$\n\n"
        "| x | y |\n|---|---|\n| 1 | 4 |\n\n"
        "```python\ndef f(x):\n    return x + 1\n```\n\n"
        "![attached](attachment:dot.png) ![relative](img/relative.png)\n\n"
        "<script>document.title = 'pwned'</script><img src=x onerror=\"document.title='pwned'\">"
    )
    notebook = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [
            {
                "id": "md-1",
                "cell_type": "markdown",
                "metadata": {},
                "source": source,
                "attachments": {"dot.png": {"image/png": attached}},
            },
            {
                "id": "code-1",
                "cell_type": "code",
                "metadata": {},
                "source": "1 + 1",
                "outputs": [],
                "execution_count": None,
            },
        ],
    }
    path = folder / "report.ipynb"
    path.write_text(json.dumps(notebook))
    return path


async def test_markdown_cell_renders_and_edits(
    browser: Browser, shell: ShellServer, tmp_path: Path
) -> None:
    path = markdown_notebook(tmp_path)
    page = await open_page(browser, shell.page_url(open=str(path)))
    cell = page.locator(".cell[data-cell-type=markdown]")
    preview = cell.locator(".markdown-preview")
    await expect(preview.locator("h1")).to_have_text("Results")
    await expect(cell.locator(".editor")).to_be_hidden()
    await expect(preview.locator(".katex")).to_have_count(2)
    await expect(preview.locator(".katex-display")).to_have_count(1)
    await expect(preview.locator("td")).to_have_text(["1", "4"])
    await expect(preview.locator("pre code .hljs-keyword")).to_have_text(["def", "return"])
    for alt, width in (("attached", 12), ("relative", 30)):
        image = preview.locator(f"img[alt={alt}]")
        await wait_until(image, IMAGE_LOADED, width)
    assert (await preview.locator("img[alt=attached]").get_attribute("src") or "").startswith(
        "data:image/png;base64,"
    )
    assert (await preview.locator("img[alt=relative]").get_attribute("src") or "").startswith(
        "/files/img/relative.png?"
    )
    await expect(preview.locator("script")).to_have_count(0)
    assert await page.title() != "pwned"
    await screenshot(page, "renderer-markdown-cell")

    await preview.dblclick()
    await expect(cell.locator(".editor")).to_be_visible()
    await expect(preview).to_be_hidden()
    await page.keyboard.press("Control+End")
    await page.keyboard.insert_text("\n\n**added**")
    await page.keyboard.press("Shift+Enter")
    await expect(preview.locator("strong")).to_have_text("added")
    await expect(cell.locator(".editor")).to_be_hidden()
    await expect(page.locator(".cell").nth(1)).to_have_attribute("data-selected", "")

    await preview.click()
    await expect(cell).to_have_attribute("data-selected", "")
    await page.keyboard.press("Enter")
    await expect(cell.locator(".editor")).to_be_visible()
    await expect(cell.locator(".cm-content")).to_be_focused()
    await page.click("[data-action=run]")
    await expect(preview).to_be_visible()
    await expect(cell.locator(".editor")).to_be_hidden()


async def test_a_cell_turned_markdown_keeps_its_editor_until_run(
    browser: Browser, shell: ShellServer
) -> None:
    page = await new_notebook_with_cell(browser, shell)
    await cell_editor(page).click()
    await page.keyboard.insert_text("# Hello *there*")
    await page.click("[data-action=to-markdown]")
    cell = page.locator(".cell").first
    await expect(cell).to_have_attribute("data-cell-type", "markdown")
    await expect(cell.locator(".editor")).to_be_visible()
    await expect(cell.locator(".cm-content")).to_be_focused()
    await page.keyboard.press("Shift+Enter")
    await expect(cell.locator(".markdown-preview h1")).to_have_text("Hello there")
    await expect(cell.locator(".markdown-preview em")).to_have_text("there")
    await expect(page.locator(".cell")).to_have_count(2)  # advancing past the last cell adds one
    await screenshot(page, "renderer-markdown-converted")
