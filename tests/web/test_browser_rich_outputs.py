"""Outputs people produce, rendered from a real kernel in Debian's chromium: pandas tables
styled like JupyterLab's, images that zoom, copy and save, GeoJSON drawn offline, and a
saved notebook that keeps every MIME bundle these renderers showed."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from conftest import DaemonProcess
from playwright.async_api import Browser, expect
from test_browser import open_page, screenshot
from test_browser_renderers import IMAGE_LOADED, RUN_TIMEOUT, png_bytes, run_cell, wait_until

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.desktop.web_server import ShellServer

pytestmark = pytest.mark.usefixtures("browser_prerequisites")

DATAFRAME = (
    "import pandas as pd\n"
    "pd.DataFrame({'city': ['Oslo', 'Lima', 'Pune', 'Kyiv'], 'people': [709037, 10092000, 3124458, 2952301],"
    " 'share': [0.5, 0.25, 0.125, 0.0625]})"
)

STYLE = "(element, prop) => getComputedStyle(element).getPropertyValue(prop)"


async def test_pandas_dataframe_is_styled_like_jupyterlab(
    browser: Browser, shell: ShellServer
) -> None:
    page, cell = await run_cell(browser, shell, DATAFRAME)
    await expect(cell.locator('.output[data-mime="text/html"] iframe.html-output')).to_have_count(1)
    table = page.frame_locator("iframe.html-output").locator("table.dataframe")
    await expect(table.locator("tbody tr")).to_have_count(4)
    rows = table.locator("tbody tr")
    number = rows.nth(1).locator("td").nth(1)
    await expect(number).to_have_text("10092000")
    assert await number.evaluate(STYLE, "text-align") == "right"
    assert await table.evaluate(STYLE, "border-collapse") == "collapse"
    assert await table.locator("thead").evaluate(STYLE, "border-bottom-style") == "solid"
    assert await number.evaluate(STYLE, "border-top-style") == "none"  # no grid (border="1")
    first, second = rows.nth(0), rows.nth(1)
    stripe = await second.evaluate(STYLE, "background-color")
    assert stripe == "rgb(245, 245, 245)"  # even rows striped
    assert await first.evaluate(STYLE, "background-color") == "rgba(0, 0, 0, 0)"
    await first.hover()
    await expect(first).to_have_css("background-color", "rgb(225, 245, 254)")  # hover
    await screenshot(page, "renderer-pandas-table")


async def test_image_zooms_copies_and_saves_by_mouse_and_keyboard(
    browser: Browser, shell: ShellServer
) -> None:
    wide = png_bytes(1600, 60)
    code = f"from IPython.display import Image\nImage(data={wide!r}, format='png')"
    page, cell = await run_cell(browser, shell, code)
    await page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=shell.url)
    image = cell.locator('.output[data-mime="image/png"] img.image-output')
    await wait_until(image, IMAGE_LOADED, 1600)
    box = cell.locator(".image-box")
    fitted = await image.bounding_box()
    area = await cell.locator(".outputs").bounding_box()
    assert fitted and area and fitted["width"] <= area["width"] < 1600

    zoom = cell.get_by_role("button", name="Show the image at its actual size")
    await image.click()  # actual size, scrolled inside the output
    await expect(box).to_have_attribute("data-zoom", "actual")
    await expect(zoom).to_have_attribute("aria-pressed", "true")
    actual = await image.bounding_box()
    assert actual and round(actual["width"]) == 1600
    await screenshot(page, "renderer-image-actual-size")
    await zoom.focus()
    await page.keyboard.press("Enter")  # back to fit, from the keyboard
    await expect(box).to_have_attribute("data-zoom", "fit")
    refit = await image.bounding_box()
    assert refit and round(refit["width"]) == round(fitted["width"])

    # Tab reaches Copy image, then Save as file…
    await page.keyboard.press("Tab")
    copy = cell.get_by_role("button", name="Copy image")
    await expect(copy).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(cell.get_by_role("status")).to_have_text("Image copied")
    pasted = await page.evaluate(
        """async () => { const [item] = await navigator.clipboard.read();
        const bitmap = await createImageBitmap(await item.getType('image/png'));
        return [item.types, bitmap.width, bitmap.height]; }"""
    )
    assert pasted == [["image/png"], 1600, 60]

    await page.keyboard.press("Tab")
    save = cell.get_by_role("button", name="Save as file…")
    await expect(save).to_be_focused()
    async with page.expect_download() as started:
        await page.keyboard.press("Enter")
    download = await started.value
    assert download.suggested_filename.startswith(
        "image-"
    ) and download.suggested_filename.endswith(".png")
    saved = await download.path()
    assert Path(saved).read_bytes() == wide


async def test_jpeg_copies_as_png_and_svg_saves_its_text(
    browser: Browser, shell: ShellServer
) -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="30"><rect width="60" height="30" fill="teal"/></svg>'
    page, cell = await run_cell(
        browser,
        shell,
        "from IPython.display import SVG, Image, display\n"
        "from PIL import Image as P\nimport io\nb = io.BytesIO()\nP.new('RGB', (30, 20), 'red').save(b, 'jpeg')\n"
        f"display(Image(data=b.getvalue(), format='jpeg'))\ndisplay(SVG({svg!r}))",
    )
    await page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=shell.url)
    await wait_until(cell.locator("img.image-output"), IMAGE_LOADED, 30)
    jpeg = cell.locator('.output[data-mime="image/jpeg"]')
    await jpeg.get_by_role("button", name="Copy image").click()
    await expect(jpeg.get_by_role("status")).to_have_text("Image copied")
    size = await page.evaluate(
        """async () => { const [item] = await navigator.clipboard.read();
        const bitmap = await createImageBitmap(await item.getType('image/png')); return [bitmap.width, bitmap.height]; }"""
    )
    assert size == [30, 20]

    framed = cell.locator('.output[data-mime="image/svg+xml"]')
    assert (
        await framed.get_by_role("button", name="Copy image").count() == 0
    )  # a document, not pixels
    async with page.expect_download() as started:
        await framed.get_by_role("button", name="Save as file…").click()
    download = await started.value
    assert download.suggested_filename.endswith(".svg")
    assert Path(await download.path()).read_text() == svg


POLYGON = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "square"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[10, 50], [20, 50], [20, 60], [10, 60], [10, 50]]],
            },
        },
        {
            "type": "Feature",
            "properties": {},
            "geometry": {"type": "Point", "coordinates": [15, 55]},
        },
        {
            "type": "Feature",
            "properties": {},
            "geometry": {"type": "LineString", "coordinates": [[10, 50], [20, 60]]},
        },
    ],
}


async def test_geojson_draws_an_outline_or_says_why_not(
    browser: Browser, shell: ShellServer
) -> None:
    bad = {"type": "Polygon", "coordinates": [[["east", 1]]]}
    page, cell = await run_cell(
        browser,
        shell,
        f"from IPython.display import GeoJSON, display\ndisplay(GeoJSON({POLYGON!r}))\ndisplay(GeoJSON({bad!r}))",
    )
    outputs = cell.locator('.output[data-mime="application/geo+json"]')
    await expect(outputs).to_have_count(2)
    drawn = outputs.nth(0).locator(".geojson-output[data-geojson=drawn]")
    svg = drawn.locator("svg.geojson-map")
    await expect(svg).to_have_attribute("aria-label", "GeoJSON outline: 1 rings, 1 lines, 1 points")
    ring = await svg.locator(".geojson-ring").bounding_box()
    line = await svg.locator(".geojson-line").bounding_box()
    point = await svg.locator(".geojson-point").bounding_box()
    assert ring and line and point
    # at 55°N a degree of longitude is shorter than one of latitude: the square is tall
    assert ring["height"] > ring["width"] * 1.5
    assert abs((point["x"] + point["width"] / 2) - (ring["x"] + ring["width"] / 2)) < 2  # centred
    invalid = outputs.nth(1).locator(".geojson-output[data-geojson=invalid]")
    await expect(invalid.locator(".geojson-note")).to_contain_text(
        "a position is not an array of at least two numbers"
    )
    await expect(invalid.locator(".json-output")).to_contain_text('type: "Polygon"')
    await screenshot(page, "renderer-geojson")


async def test_markdown_table_renders(browser: Browser, shell: ShellServer) -> None:
    _page, cell = await run_cell(
        browser,
        shell,
        "from IPython.display import Markdown\nMarkdown('| a | b |\\n|---|--:|\\n| x | 12 |')",
    )
    table = cell.locator('.output[data-mime="text/markdown"] table')
    await expect(table.locator("td")).to_have_text(["x", "12"])
    assert await table.locator("td").nth(1).evaluate(STYLE, "text-align") == "right"


def bundles_notebook(path: Path) -> nbformat.NotebookNode:
    """One output per renderer this suite covers, with the metadata they come with."""
    output = nbformat.v4.new_output
    cells = [
        (
            "html table",
            output(
                "execute_result",
                {
                    "text/html": "<table class='dataframe'><tr><td>1</td></tr></table>",
                    "text/plain": "   a\n0  1",
                },
                execution_count=1,
            ),
        ),
        (
            "image",
            output(
                "display_data",
                {
                    "image/png": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC",
                    "text/plain": "<Image>",
                },
                metadata={"image/png": {"width": 40}},
            ),
        ),
        (
            "geojson",
            output(
                "display_data",
                {"application/geo+json": POLYGON, "text/plain": "<GeoJSON>"},
                metadata={"application/geo+json": {"layer_options": {"maxZoom": 9}}},
            ),
        ),
        (
            "widget",
            output(
                "display_data",
                {
                    "application/vnd.jupyter.widget-view+json": {
                        "model_id": "0123abcd",
                        "version_major": 2,
                        "version_minor": 1,
                    },
                    "text/plain": "Probe()",
                },
            ),
        ),
        ("markdown", output("display_data", {"text/markdown": "| a |\n|---|\n| 1 |"})),
    ]
    notebook = nbformat.v4.new_notebook()
    for source, out in cells:
        cell = nbformat.v4.new_code_cell(f"# {source}", execution_count=1)
        cell.outputs = [out]
        notebook.cells.append(cell)
    nbformat.write(notebook, path)
    return notebook


async def test_saved_notebook_keeps_every_bundle_unchanged(
    browser: Browser, shell: ShellServer, daemon: DaemonProcess, tmp_path: Path
) -> None:
    path = tmp_path / "bundles.ipynb"
    original = bundles_notebook(path)
    page = await open_page(browser, shell.page_url(open=str(path)))
    await expect(page.locator(".cell")).to_have_count(5, timeout=RUN_TIMEOUT)
    for mime in ["text/html", "image/png", "application/geo+json", "text/markdown"]:
        await expect(page.locator(f'.output[data-mime="{mime}"]')).to_have_count(
            1, timeout=RUN_TIMEOUT
        )
    await expect(page.locator(".geojson-output[data-geojson=drawn]")).to_have_count(1)
    await expect(page.locator(".image-box img.image-output")).to_have_attribute("width", "40")
    await page.wait_for_function("() => new URL(location.href).searchParams.has('join')")
    notebook_id = await page.evaluate("() => new URL(location.href).searchParams.get('join')")
    target = tmp_path / "saved.ipynb"
    async with NotebookClient.join(notebook_id, daemon.home) as client:
        await client.save(target)
    saved_text = target.read_text()
    saved = nbformat.reads(saved_text, as_version=4)
    assert [c.outputs for c in saved.cells] == [c.outputs for c in original.cells]
    assert (
        json.loads(saved_text)["cells"][2]["outputs"][0]["data"]["application/geo+json"] == POLYGON
    )
