"""nbdesk's page against JupyterLab on one 1,000-cell notebook with outputs.

One Playwright script drives both, in the same run, on copies of the same notebook
(`thousand_cells()` from tests/fixtures: code cells with streams, results and images,
and markdown cells), in Debian's chromium at 1280x900, a fresh browser context each time
(so neither gets a warm HTTP cache):

  * nbdesk: a real daemon and the shell's own web server and relay (`_servers.py`), page
    `?open=<path>`;
  * JupyterLab (the version pinned in pyproject [dev], `_servers.py`), page
    `/lab/tree/<name>`.

Measured, per app and run:
  (a) first paint: from `page.goto` until the first cell's editor shows its source;
      interactive: until a click into that editor and a typed character shows in it.
      "Cold" is the first open after the server started (nbdesk's daemon then imports
      the .ipynb into its document and blob store; JupyterLab reads the JSON), "warm"
      the next open in a new browser context (the server has the notebook loaded, as
      when a window is reopened; the page still loads everything afresh);
  (b) keystroke latency while output floods: another cell runs a loop printing a line
      every 5 ms for `--flood-seconds` in the third cell (in nbdesk from a second page, as another window
      would; in JupyterLab in the same notebook, since that is where its output shows),
      while `--keys` characters are typed into the first cell (above it, so the growing
      output pushes nothing the typist needs off screen). A keystroke's latency runs
      from the keydown event's timestamp (taken when the browser created the event, so
      a busy page's queueing counts) to the start of the frame that shows the character
      (a MutationObserver on the editor, then requestAnimationFrame); the same in-page
      probe serves both apps, since both editors are CodeMirror 6.

Printed: a table with medians and ranges over `--runs` runs and the ratio JupyterLab /
nbdesk of the medians. Target: 2x or more on every row.

Run: `.venv/bin/python bench/frontend_vs_jupyterlab.py [--runs N] [--keys N]
[--flood-seconds S] [--cells N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from _daemon import ROOT, run_main
from _servers import jupyterlab_server, nbdesk_server
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
from make_fixtures import thousand_cells

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 900}
TARGET_RATIO = 2.0
FLOOD = (
    "import time\n"
    "start = time.monotonic()\n"
    "i = 0\n"
    "while time.monotonic() - start < {seconds}:\n"
    "    print('flood', i)\n"
    "    i += 1\n"
    "    time.sleep(0.005)\n"
)

# Keydown timestamp -> frame showing the character, for the focused CodeMirror editor.
INSTALL_PROBE = """() => {
  const editor = document.activeElement.closest('.cm-content');
  if (editor === null) { throw new Error('no focused editor'); }
  window.__latencies = [];
  let pending = null;
  window.addEventListener('keydown', (event) => {
    if (event.key.length === 1) { pending = {t0: event.timeStamp, length: editor.textContent.length}; }
  }, true);
  new MutationObserver(() => {
    if (pending !== null && editor.textContent.length > pending.length) {
      const {t0} = pending;
      pending = null;
      requestAnimationFrame(() => window.__latencies.push(performance.now() - t0));
    }
  }).observe(editor, {subtree: true, childList: true, characterData: true});
}"""


@dataclass
class Result:
    cold_first_paint_s: float
    cold_interactive_s: float
    first_paint_s: float
    interactive_s: float
    key_p50_ms: float
    key_p95_ms: float
    flood_outlasted_typing: bool


@dataclass
class App:
    """How to open the notebook in one app and find its cells."""

    name: str
    url: str
    first_editor: str
    cell_editor: Callable[[int], str]
    flood_output: str
    start_flood: Callable[[Page, Browser, str], Awaitable[Page | None]]
    busy: Callable[[Page], Awaitable[bool]]
    extra_pages: list[Page] = field(default_factory=list)


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered)) - 1))]


async def replace_source_and_run(page: Page, editor: str, source: str) -> None:
    await page.locator(editor).click()
    await page.keyboard.press("Control+a")
    await page.keyboard.insert_text(source)
    await page.locator(editor).filter(has_text="flood").wait_for(timeout=30_000)
    await page.keyboard.press("Control+Enter")


# -- nbdesk -------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def nbdesk(notebook: Path, flood_seconds: float) -> AsyncIterator[App]:
    async with nbdesk_server() as base:

        async def start_flood(page: Page, browser: Browser, _: str) -> Page:
            notebook_id = await page.locator("#app").get_attribute("data-notebook-id")
            flooder = await (await browser.new_context(viewport=VIEWPORT)).new_page()
            await flooder.goto(f"{base}&join={notebook_id}")
            source = FLOOD.format(seconds=flood_seconds)
            await replace_source_and_run(flooder, ".cell[data-cell-id=code-2] .cm-content", source)
            return flooder

        async def busy(page: Page) -> bool:
            state = await page.locator(".cell[data-cell-id=code-2]").get_attribute("data-state")
            return state == "running"

        yield App(
            name="nbdesk",
            url=f"{base}&{urllib.parse.urlencode({'open': str(notebook)})}",
            first_editor=".cell[data-cell-id=code-0] .cm-content",
            cell_editor=lambda i: f".cell[data-cell-id=code-{i}] .cm-content",
            flood_output=".cell[data-cell-id=code-2] .output[data-output-type=stream]",
            start_flood=start_flood,
            busy=busy,
        )


# -- JupyterLab ---------------------------------------------------------------------


@contextlib.asynccontextmanager
async def jupyterlab(notebook: Path, flood_seconds: float) -> AsyncIterator[App]:
    async with jupyterlab_server(notebook.parent) as (base, token):

        def cell_editor(i: int) -> str:
            return f'.jp-Notebook .jp-Cell[data-windowed-list-index="{i}"] .cm-content'

        async def start_flood(page: Page, _: Browser, __: str) -> None:
            await replace_source_and_run(page, cell_editor(2), FLOOD.format(seconds=flood_seconds))

        async def busy(page: Page) -> bool:
            cell = page.locator('.jp-Notebook .jp-Cell[data-windowed-list-index="2"]')
            prompt = await cell.locator(".jp-InputPrompt").inner_text()
            return "*" in prompt

        yield App(
            name="JupyterLab",
            url=f"{base}/lab/tree/{notebook.name}?token={token}",
            first_editor=cell_editor(0),
            cell_editor=cell_editor,
            flood_output='.jp-Notebook .jp-Cell[data-windowed-list-index="2"] .jp-OutputArea-output',
            start_flood=start_flood,
            busy=busy,
        )


# -- the measurement ----------------------------------------------------------------


async def open_notebook(browser: Browser, app: App) -> tuple[BrowserContext, Page, float, float]:
    """A fresh context opens the notebook: seconds to the first cell, and to typing in it."""
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    started = time.perf_counter()
    await page.goto(app.url)
    first = page.locator(app.first_editor)
    await first.filter(has_text="x_0 = 0").wait_for(timeout=180_000)
    first_paint = time.perf_counter() - started
    await first.click()
    await page.keyboard.type("Q")
    await first.filter(has_text="Q").wait_for(timeout=180_000)
    interactive = time.perf_counter() - started
    await page.keyboard.press("Backspace")
    await first.filter(has_text="Q").wait_for(state="detached", timeout=60_000)
    return context, page, first_paint, interactive


async def measure(browser: Browser, app: App, keys: int) -> Result:
    cold_context, _, cold_paint, cold_interactive = await open_notebook(browser, app)
    await cold_context.close()
    context, page, first_paint, interactive = await open_notebook(browser, app)
    try:
        flooder = await app.start_flood(page, browser, app.url)
        await (
            page.locator(app.flood_output)
            .filter(has_text="flood 1")
            .first.wait_for(timeout=120_000)
        )
        await page.locator(app.cell_editor(0)).click()
        await page.keyboard.press("Control+End")
        await page.evaluate(INSTALL_PROBE)
        for i in range(keys):
            await page.keyboard.press("abcdefghij"[i % 10])
            await page.wait_for_function(
                "n => window.__latencies.length >= n", arg=i + 1, timeout=60_000
            )
            await asyncio.sleep(0.03)
        latencies: list[float] = await page.evaluate("window.__latencies")
        outlasted = await app.busy(page)
        if flooder is not None:
            await flooder.context.close()
        return Result(
            cold_first_paint_s=cold_paint,
            cold_interactive_s=cold_interactive,
            first_paint_s=first_paint,
            interactive_s=interactive,
            key_p50_ms=percentile(latencies, 50),
            key_p95_ms=percentile(latencies, 95),
            flood_outlasted_typing=outlasted,
        )
    finally:
        await context.close()


def fresh_copy(source: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "thousand.ipynb"
    shutil.copyfile(source, path)
    return path


async def bench(args: argparse.Namespace) -> dict[str, list[Result]]:
    work = Path(tempfile.mkdtemp(prefix="nbbench-"))
    results: dict[str, list[Result]] = {"nbdesk": [], "JupyterLab": []}
    try:
        source = work / "source.ipynb"
        source.write_text(nbformat.writes(thousand_cells(args.cells)) + "\n", encoding="utf-8")
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for run in range(args.runs):
                    order = [nbdesk, jupyterlab] if run % 2 == 0 else [jupyterlab, nbdesk]
                    for opener in order:
                        notebook = fresh_copy(source, work / f"run{run}-{opener.__name__}")
                        async with opener(notebook, args.flood_seconds) as app:
                            result = await measure(browser, app, args.keys)
                        results[app.name].append(result)
                        print(f"run {run + 1} {app.name:<10} {result}", flush=True)
            finally:
                await browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def span(values: list[float], unit: str, digits: int) -> str:
    median = statistics.median(values)
    return f"{median:.{digits}f} {unit} [{min(values):.{digits}f}-{max(values):.{digits}f}]"


def report(results: dict[str, list[Result]], args: argparse.Namespace) -> bool:
    rows = [
        ("cold open: first paint", "cold_first_paint_s", "s", 2),
        ("cold open: interactive", "cold_interactive_s", "s", 2),
        ("warm open: first paint", "first_paint_s", "s", 2),
        ("warm open: interactive", "interactive_s", "s", 2),
        (f"keystroke p50 during flood ({args.keys} keys)", "key_p50_ms", "ms", 1),
        (f"keystroke p95 during flood ({args.keys} keys)", "key_p95_ms", "ms", 1),
    ]
    print()
    print(
        f"{args.cells}-cell notebook, {args.runs} runs (median [min-max]), "
        f"flood {args.flood_seconds:g} s; ratio = JupyterLab / nbdesk of the medians"
    )
    print(f"{'metric':<40} {'nbdesk':>24} {'JupyterLab':>24} {'ratio':>7}")
    ok = True
    for label, attr, unit, digits in rows:
        ours = [getattr(r, attr) for r in results["nbdesk"]]
        theirs = [getattr(r, attr) for r in results["JupyterLab"]]
        ratio = statistics.median(theirs) / statistics.median(ours)
        ok = ok and ratio >= TARGET_RATIO
        print(
            f"{label:<40} {span(ours, unit, digits):>24} {span(theirs, unit, digits):>24} "
            f"{ratio:6.1f}x"
        )
    for name, runs in results.items():
        if not all(r.flood_outlasted_typing for r in runs):
            print(f"note: in some {name} runs the flood ended before the typing did")
    print(f"target: {TARGET_RATIO:g}x or more on every row: {'met' if ok else 'NOT met'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keys", type=int, default=100)
    parser.add_argument("--flood-seconds", type=float, default=30)
    parser.add_argument("--cells", type=int, default=1000)
    args = parser.parse_args()
    if not Path(CHROMIUM).exists() or not (ROOT / "web" / "dist" / "app.js").exists():
        print("needs Debian chromium and the web build (make web)", file=sys.stderr)
        return 2
    results = asyncio.run(bench(args))
    report(results, args)
    return 0


if __name__ == "__main__":
    run_main(main)
