"""Time to first paint of a notebook of charts: nbdesk's page against JupyterLab's.

The notebook holds 20 Plotly figures (a 1,000-point line each, made by plotly's own
Python package) and 20 Vega-Lite v5 charts (a 40-bar chart each, made by Altair),
alternating, as saved outputs. JupyterLab (the pinned version, with the jupyterlab-plotly
extension that plotly's wheel installs, and its built-in Vega-Lite v5 renderer) and nbdesk
open copies of it in one Playwright script, in Debian's chromium at 1280x900, each open
in a fresh browser context (`_servers.py` starts both apps).

Measured per app and run, from `page.goto` until the first Plotly figure and the first
Vega-Lite chart (the notebook's first two cells, on screen) show their marks (Plotly's
line path, the chart's first SVG bar): "cold" is the first open after the server started,
"warm" the next one. Printed: medians and ranges over `--runs` runs, and the ratio
JupyterLab / nbdesk of the medians. Target: above 1 (nbdesk faster).

Run: `.venv/bin/python bench/charts_vs_jupyterlab.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat
from _daemon import ROOT, run_main
from _servers import jupyterlab_server, nbdesk_server
from playwright.async_api import Browser, Locator, Page, async_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 900}
FIGURES = 20
PLOTLY_MARKS = ".main-svg .scatterlayer .trace path.js-line"
# Altair's specs ask vega-embed for SVG (usermeta); a canvas counts too.
VEGA_MARKS = ".vega-embed svg.marks .mark-rect path, .vega-embed canvas.marks"


def chart_notebook() -> nbformat.NotebookNode:
    """20 Plotly figures and 20 Vega-Lite charts, alternating, with their outputs."""
    import altair as alt
    import plotly.graph_objects as go
    import plotly.io as pio

    cells = []
    for i in range(FIGURES):
        xs = list(range(1000))
        figure = go.Figure(go.Scatter(x=xs, y=[math.sin((x + i) / 40) for x in xs], mode="lines"))
        figure.update_layout(title=f"figure {i}", height=360)
        plotly_data = json.loads(pio.to_json(figure))
        plotly_cell = nbformat.v4.new_code_cell(f"figure_{i}", id=f"plotly-{i}")
        plotly_cell.outputs = [
            nbformat.v4.new_output(
                "display_data",
                data={"application/vnd.plotly.v1+json": plotly_data, "text/plain": "Figure"},
            )
        ]
        rows = [{"k": f"k{j:02d}", "v": 1 + (j * (i + 3)) % 17} for j in range(40)]
        chart = alt.Chart(alt.Data(values=rows)).mark_bar().encode(x="k:N", y="v:Q")
        spec = {
            **chart.properties(title=f"chart {i}", height=240).to_dict(),
            "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        }
        vega_cell = nbformat.v4.new_code_cell(f"chart_{i}", id=f"vega-{i}")
        vega_cell.outputs = [
            nbformat.v4.new_output(
                "display_data",
                data={"application/vnd.vegalite.v5+json": spec, "text/plain": "alt.Chart(...)"},
            )
        ]
        cells += [plotly_cell, vega_cell]
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


@dataclass
class App:
    name: str
    url: str
    plotly: Callable[[Page], Locator]
    vega: Callable[[Page], Locator]


@asynccontextmanager
async def nbdesk(notebook: Path) -> AsyncIterator[App]:
    def in_frame(cell_id: str, marks: str) -> Callable[[Page], Locator]:
        frame = f".cell[data-cell-id={cell_id}] iframe.chart-output"
        return lambda page: page.locator(frame).content_frame.locator(marks).first

    async with nbdesk_server() as base:
        yield App(
            name="nbdesk",
            url=f"{base}&{urllib.parse.urlencode({'open': str(notebook)})}",
            plotly=in_frame("plotly-0", PLOTLY_MARKS),
            vega=in_frame("vega-0", VEGA_MARKS),
        )


@asynccontextmanager
async def jupyterlab(notebook: Path) -> AsyncIterator[App]:
    def in_cell(index: int, marks: str) -> Callable[[Page], Locator]:
        cell = f'.jp-Notebook .jp-Cell[data-windowed-list-index="{index}"]'
        return lambda page: page.locator(f"{cell} {marks}").first

    async with jupyterlab_server(notebook.parent) as (base, token):
        yield App(
            name="JupyterLab",
            url=f"{base}/lab/tree/{notebook.name}?token={token}",
            plotly=in_cell(0, PLOTLY_MARKS),
            vega=in_cell(1, VEGA_MARKS),
        )


async def first_paint(browser: Browser, app: App) -> float:
    """Seconds from `goto` until the first figure and the first chart are drawn."""
    context = await browser.new_context(viewport=VIEWPORT)
    try:
        page = await context.new_page()
        started = time.perf_counter()
        await page.goto(app.url)
        await asyncio.gather(
            app.plotly(page).wait_for(timeout=180_000), app.vega(page).wait_for(timeout=180_000)
        )
        return time.perf_counter() - started
    finally:
        await context.close()


async def bench(runs: int) -> dict[str, dict[str, list[float]]]:
    work = Path(tempfile.mkdtemp(prefix="chartbench-"))
    results: dict[str, dict[str, list[float]]] = {
        "nbdesk": {"cold": [], "warm": []},
        "JupyterLab": {"cold": [], "warm": []},
    }
    try:
        source = nbformat.writes(chart_notebook()) + "\n"
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for run in range(runs):
                    order = [nbdesk, jupyterlab] if run % 2 == 0 else [jupyterlab, nbdesk]
                    for opener in order:
                        folder = work / f"run{run}-{opener.__name__}"
                        folder.mkdir()
                        notebook = folder / "charts.ipynb"
                        notebook.write_text(source, encoding="utf-8")
                        async with opener(notebook) as app:
                            cold = await first_paint(browser, app)
                            warm = await first_paint(browser, app)
                        results[app.name]["cold"].append(cold)
                        results[app.name]["warm"].append(warm)
                        print(f"run {run + 1} {app.name:<10} cold {cold:.2f} s, warm {warm:.2f} s")
            finally:
                await browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def span(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s [{min(values):.2f}-{max(values):.2f}]"


def report(results: dict[str, dict[str, list[float]]], runs: int) -> bool:
    print()
    print(
        f"{FIGURES} Plotly figures + {FIGURES} Vega-Lite charts, {runs} runs (median [min-max]); "
        "ratio = JupyterLab / nbdesk of the medians"
    )
    print(f"{'first paint':<14} {'nbdesk':>24} {'JupyterLab':>24} {'ratio':>7}")
    ok = True
    for kind in ("cold", "warm"):
        ours, theirs = results["nbdesk"][kind], results["JupyterLab"][kind]
        ratio = statistics.median(theirs) / statistics.median(ours)
        ok = ok and ratio > 1
        print(f"{kind + ' open':<14} {span(ours):>24} {span(theirs):>24} {ratio:6.2f}x")
    print(f"target: nbdesk faster on both rows: {'met' if ok else 'NOT met'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not Path(CHROMIUM).exists() or not (ROOT / "web" / "dist" / "charts-plotly.js").exists():
        print("needs Debian chromium and the web build (make web)", file=sys.stderr)
        return 2
    report(asyncio.run(bench(args.runs)), args.runs)
    return 0


if __name__ == "__main__":
    run_main(main)
