"""Charts in the page: real Altair and Plotly code on a real kernel (the daemon's own
Python, where `make test` installs both), drawn by the page in Debian's chromium with the
network cut off. A chart counts as drawn when its frame holds marks (Plotly's SVG bars,
vega-embed's canvas pixels), not when a container exists. Screenshots go to
artifacts/chart-*.png."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, DaemonProcess
from playwright.async_api import FrameLocator, Page, async_playwright, expect
from test_browser import screenshot

from nbdesk.daemon.client.export import ExportFormat, export
from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.desktop.web_server import ShellServer

pytestmark = pytest.mark.usefixtures("browser_prerequisites")
TIMEOUT = 60_000

# Kernel code: three bars with heights from a list, the same data for each library.
BARS = "rows = [{'x': 'a', 'y': 3}, {'x': 'b', 'y': 7}, {'x': 'c', 'y': 5}]\n"
PLOTLY = (
    BARS + "import plotly.graph_objects as go\n"
    "fig = go.Figure(go.Bar(x=[r['x'] for r in rows], y=[r['y'] for r in rows]))\n"
    "fig.update_layout(title='plotly bars', width=500, height=320)\n"
    "fig"
)
ALTAIR = (
    BARS + "import altair as alt\n"
    "chart = alt.Chart(alt.Data(values=rows)).mark_bar(color='steelblue')"
    ".encode(x='x:N', y='y:Q').properties(title='altair bars', width=240, height=160)\n"
)
ALTAIR_DEFAULT = ALTAIR + "chart"  # Altair's default renderer: HTML that loads Vega itself
ALTAIR_MIMETYPE = ALTAIR + "alt.renderers.enable('mimetype')\nchart"  # the Vega-Lite MIME type

# Pixels of a canvas that are neither transparent nor near white: the marks vega drew.
INKED_PIXELS = """canvas => {
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 0 && (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200)) inked++;
  }
  return inked;
}"""


# No name resolves but the loopback address: a chart that needs a CDN cannot draw.
OFFLINE_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]

# What a frame (or the page) loaded, from its own resource timing entries.
LOADED = "() => performance.getEntriesByType('resource').map(entry => entry.name)"


@pytest.fixture
async def offline_page() -> AsyncIterator[tuple[Page, list[str]]]:
    """A page in a chromium that reaches nothing but this machine; its script errors."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *OFFLINE_ARGS]
        )
        page = await browser.new_page(viewport={"width": 1000, "height": 1400})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page, errors
        await browser.close()


async def loaded_everywhere(page: Page) -> dict[str, list[str]]:
    """The URLs each frame of the page loaded, by frame (the page itself is "page")."""
    loaded: dict[str, list[str]] = {}
    for frame in page.frames:
        if frame == page.main_frame:
            key = "page"
        else:
            key = str(await (await frame.frame_element()).get_attribute("class"))
        loaded.setdefault(key, []).extend(await frame.evaluate(LOADED))
    return loaded


async def notebook_with(daemon: DaemonProcess, *sources: str) -> tuple[NotebookClient, list[str]]:
    client = await NotebookClient.create(home=daemon.home)
    with client.edit() as doc:
        ids = [doc.insert_cell(i, source=source) for i, source in enumerate(sources)]
    return client, ids


async def join(page: Page, shell: ShellServer, client: NotebookClient) -> None:
    await page.goto(shell.page_url(join=client.notebook_id))
    await expect(page.locator("[data-connection]")).to_have_text("connected", timeout=20_000)


def cell_frame(page: Page, cell_id: str, selector: str) -> FrameLocator:
    return page.locator(f".cell[data-cell-id='{cell_id}'] {selector}").frame_locator(":scope")


async def plotly_bars(frame: FrameLocator | Page) -> int:
    bars = frame.locator(".main-svg .barlayer .point path")
    await expect(bars).to_have_count(3, timeout=TIMEOUT)
    heights = await bars.evaluate_all("paths => paths.map(p => p.getBoundingClientRect().height)")
    assert all(h > 10 for h in heights), heights
    return len(heights)


async def vega_drawn(frame: FrameLocator | Page, nth: int = 0) -> None:
    """The `nth` vega-embed drew its three bars: as SVG paths, or as canvas pixels."""
    embed = frame.locator(".vega-embed").nth(nth)
    marks = embed.locator("svg.marks, canvas.marks")
    await expect(marks).to_have_count(1, timeout=TIMEOUT)
    if await embed.locator("canvas.marks").count():
        canvas = await embed.locator("canvas.marks").element_handle()
        owner = await canvas.owner_frame()
        assert owner is not None
        await owner.wait_for_function(f"c => ({INKED_PIXELS})(c) > 2000", arg=canvas)
        return
    bars = embed.locator(".mark-rect path")
    await expect(bars).to_have_count(3, timeout=TIMEOUT)
    heights = await bars.evaluate_all("paths => paths.map(p => p.getBoundingClientRect().height)")
    assert sorted(heights)[0] > 10, heights


async def test_plotly_and_altair_draw_offline(
    daemon: DaemonProcess, shell: ShellServer, offline_page: tuple[Page, list[str]]
) -> None:
    page, errors = offline_page
    client, (plotly_cell, default_cell, mimetype_cell) = await notebook_with(
        daemon, PLOTLY, ALTAIR_DEFAULT, ALTAIR_MIMETYPE
    )
    await join(page, shell, client)
    for cell in (plotly_cell, default_cell, mimetype_cell):
        result = await client.execute(cell, timeout=120)
        assert result.status == "ok", result.outputs

    plotly_output = page.locator(f".cell[data-cell-id='{plotly_cell}'] .output")
    await expect(plotly_output).to_have_attribute(
        "data-mime", "application/vnd.plotly.v1+json", timeout=TIMEOUT
    )
    frame = page.locator(f".cell[data-cell-id='{plotly_cell}'] iframe.chart-output")
    await expect(frame).to_have_attribute("sandbox", "allow-scripts")
    await plotly_bars(cell_frame(page, plotly_cell, "iframe.chart-output"))

    # Altair's default renderer: its own HTML, in an HTML frame, drawn with our Vega.
    default_frame = cell_frame(page, default_cell, "iframe.html-output")
    await vega_drawn(default_frame)
    # Altair's mimetype renderer: the Vega-Lite MIME type, in a chart frame.
    mimetype_output = page.locator(f".cell[data-cell-id='{mimetype_cell}'] .output")
    await expect(mimetype_output).to_have_attribute(
        "data-mime", "application/vnd.vegalite.v6.json", timeout=TIMEOUT
    )
    await vega_drawn(cell_frame(page, mimetype_cell, "iframe.chart-output"))

    # The frames grew to the charts' heights (reported from inside).
    box = await frame.bounding_box()
    assert box is not None and 300 <= box["height"] <= 420, box
    hosts = {
        urlsplit(url).hostname for urls in (await loaded_everywhere(page)).values() for url in urls
    }
    assert hosts == {"127.0.0.1"}, hosts
    assert errors == []
    await screenshot(page, "chart-plotly-altair")


async def test_charts_load_only_the_bundle_they_need(
    daemon: DaemonProcess, shell: ShellServer, offline_page: tuple[Page, list[str]]
) -> None:
    page, _ = offline_page
    client, (html_cell, plotly_cell) = await notebook_with(
        daemon, "from IPython.display import HTML\nHTML('<b>plain</b>')", PLOTLY
    )
    await join(page, shell, client)
    await client.execute(html_cell)
    html_frame = cell_frame(page, html_cell, "iframe.html-output")
    await expect(html_frame.locator("b")).to_have_text("plain", timeout=TIMEOUT)

    def charts(urls: list[str]) -> list[str]:
        return [url.rsplit("/", 1)[-1] for url in urls if "/charts-" in url]

    assert {frame: charts(urls) for frame, urls in (await loaded_everywhere(page)).items()} == {
        "page": [],
        "html-output": [],
    }
    await client.execute(plotly_cell, timeout=120)
    await plotly_bars(cell_frame(page, plotly_cell, "iframe.chart-output"))
    assert {frame: charts(urls) for frame, urls in (await loaded_everywhere(page)).items()} == {
        "page": [],
        "html-output": [],
        "chart-output": ["charts-plotly.js"],
    }


async def test_a_bad_spec_says_what_is_wrong(
    daemon: DaemonProcess, shell: ShellServer, offline_page: tuple[Page, list[str]]
) -> None:
    page, errors = offline_page
    display = (
        "from IPython.display import display\n"
        "display({{{mime!r}: {spec}, 'text/plain': 'fallback'}}, raw=True)"
    )
    client, (plotly_cell, vega_cell, broken_cell) = await notebook_with(
        daemon,
        display.format(mime="application/vnd.plotly.v1+json", spec="{'data': 5}"),
        display.format(mime="application/vnd.vegalite.v5+json", spec="[1, 2]"),
        display.format(mime="application/vnd.vegalite.v5+json", spec="{'mark': 'nosuchmark'}"),
    )
    await join(page, shell, client)
    for cell in (plotly_cell, vega_cell, broken_cell):
        await client.execute(cell, timeout=60)
    plotly_error = cell_frame(page, plotly_cell, "iframe.chart-output").locator(".chart-error")
    await expect(plotly_error).to_contain_text(
        "Could not draw this chart: a Plotly figure is an object with a `data` list",
        timeout=TIMEOUT,
    )
    vega_error = cell_frame(page, vega_cell, "iframe.chart-output").locator(".chart-error")
    await expect(vega_error).to_contain_text(
        "Could not draw this chart: a Vega-Lite spec is a JSON object", timeout=TIMEOUT
    )
    # vega-lite's own error, whatever its words: shown in place of the chart, not thrown.
    broken = cell_frame(page, broken_cell, "iframe.chart-output").locator(".chart-error")
    await expect(broken).to_contain_text("Could not draw this chart: ", timeout=TIMEOUT)
    assert errors == []


async def test_saved_notebook_keeps_the_chart_bundles(
    daemon: DaemonProcess,
    shell: ShellServer,
    offline_page: tuple[Page, list[str]],
    tmp_path: Path,
) -> None:
    """Open, run, save: each chart output's bundle in the file is the one the kernel made
    (the library's or IPython's own formatter, written by the kernel to a file): a Plotly
    figure, Altair's default HTML (its random element id made once, then displayed), and
    a Vega-Lite v5 spec as Altair 5 and JupyterLab notebooks hold it."""
    expected = tmp_path / "expected"
    record = (
        "import json\n"
        "_bundle, _ = get_ipython().display_formatter.format(_shown)\n"
        f"json.dump(_bundle, open({str(expected)!r} + _name, 'w'))\n"
    )
    # A figure displays itself (_ipython_display_) with the bundle of its renderer.
    plotly_source = (
        PLOTLY.removesuffix("fig")
        + f"import json\njson.dump(fig._repr_mimebundle_(), open({str(expected)!r} + 'plotly', 'w'))\n"
        + "fig"
    )
    altair_source = (
        ALTAIR + "_shown, _name = chart, 'altair'\n" + record + "display(_bundle, raw=True)"
    )
    v5_source = (
        ALTAIR
        + "_spec = {**chart.to_dict(), '$schema': 'https://vega.github.io/schema/vega-lite/v5.json'}\n"
        + "_shown, _name = {'application/vnd.vegalite.v5+json': _spec, 'text/plain': 'chart'}, 'v5'\n"
        + "json.dump(_shown, open("
        + repr(str(expected))
        + " + _name, 'w'))\n"
        + "display(_shown, raw=True)"
    )
    page, _ = offline_page
    client, cells = await notebook_with(
        daemon, plotly_source, altair_source, "import json", v5_source
    )
    await join(page, shell, client)
    for cell in cells:
        result = await client.execute(cell, timeout=120)
        assert result.status == "ok", result.outputs
    await plotly_bars(cell_frame(page, cells[0], "iframe.chart-output"))
    await vega_drawn(cell_frame(page, cells[1], "iframe.html-output"))
    await vega_drawn(cell_frame(page, cells[3], "iframe.chart-output"))

    path = await client.save(tmp_path / "charts.ipynb")
    saved = nbformat.read(path, as_version=4)
    for index, name in ((0, "plotly"), (1, "altair"), (3, "v5")):
        kernel_bundle = json.loads(Path(f"{expected}{name}").read_text())
        [output] = saved.cells[index].outputs
        assert output.data == kernel_bundle, name
    assert "application/vnd.plotly.v1+json" in saved.cells[0].outputs[0].data
    assert "text/html" in saved.cells[1].outputs[0].data


async def test_exported_html_draws_the_charts_offline(
    daemon: DaemonProcess, offline_page: tuple[Page, list[str]], tmp_path: Path
) -> None:
    """`nbdesk export --to html` (its function): the page, opened from disk in a chromium
    that reaches nothing, draws the Plotly figure, Altair's default chart and a Vega-Lite
    spec, with the bundles inlined once."""
    v5 = (
        ALTAIR + "from IPython.display import display\n"
        "display({'application/vnd.vegalite.v5+json': chart.to_dict(), 'text/plain': 'c'}, raw=True)"
    )
    client, cells = await notebook_with(daemon, PLOTLY, ALTAIR_DEFAULT, v5)
    for cell in cells:
        result = await client.execute(cell, timeout=120)
        assert result.status == "ok", result.outputs
    html_path = await export(client, ExportFormat.HTML, tmp_path / "charts.html")
    text = html_path.read_text()
    # each bundle inlined once, and nothing fetched from Altair's CDN
    assert text.count("globalThis.vegaEmbed=") == 1, text.count("globalThis.vegaEmbed=")
    assert text.count('<div class="nbdesk-chart" data-chart="plotly">') == 1

    page, errors = offline_page
    await page.goto(html_path.as_uri())
    await plotly_bars(page)
    await expect(page.locator(".vega-embed")).to_have_count(2, timeout=TIMEOUT)
    await vega_drawn(page, 0)
    await vega_drawn(page, 1)
    assert errors == []
    await page.screenshot(path=str(tmp_path / "export.png"), full_page=True)
    await screenshot(page, "chart-export-html")
