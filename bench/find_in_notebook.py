"""Find-all in a 1,000-cell notebook: nbdesk's find bar against JupyterLab's, same run.

Both apps serve copies of the same notebook (`thousand_cells()` from tests/fixtures) set up
as in `frontend_vs_jupyterlab.py` (a real daemon and the shell's server for nbdesk,
`jupyter lab` on fresh settings for JupyterLab), in Debian's chromium at 1280x900. Each
search opens the notebook in a fresh browser context, waits until the first cell takes
a typed character, leaves the editor (Escape), opens the app's find bar (Ctrl-F) and
fills the query in one input event. Two queries:

  * "common": `x_`, in every code cell twice (1,500 matches);
  * "far": `x_998 `, only in the 999th cell, which neither app has drawn at that point,
    so the first highlight needs that cell drawn and scrolled to.

Measured from the input event's timestamp (taken when the browser created it) to the
start of the frame after the page shows:
  * the count: the app's match counter ends with the expected total (nbdesk
    `[data-find-count]` "1 of N", JupyterLab `.jp-DocumentSearch-index-counter` "1/N");
    the total is counted in the notebook's sources, not written down here;
  * the first highlighted match: any match mark in an editor (nbdesk `.cm-find-match`,
    JupyterLab `.cm-searching` or `.jp-current-match`). An app that shows the count but
    no match within 2 s (JupyterLab does not scroll to a match in a cell it has not
    drawn until asked) gets an Enter (next match), and its time runs from that keydown:
    the user's wait after their last key, reported with a "*"; a match still not shown
    10 s after Enter is reported as never shown (JupyterLab 4.6 selects cell 999 and
    counts "1/2" but leaves the view at the top).
The same in-page probe (a MutationObserver, then requestAnimationFrame) serves both.

Printed: medians and ranges over `--runs` runs and the ratio JupyterLab / nbdesk of the
medians. Target: above 1x (faster than JupyterLab) on every row.

Run: `.venv/bin/python bench/find_in_notebook.py [--runs N] [--cells N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
from _daemon import ROOT, run_main
from frontend_vs_jupyterlab import (
    CHROMIUM,
    CHROMIUM_ARGS,
    App,
    fresh_copy,
    jupyterlab,
    nbdesk,
    open_notebook,
)
from playwright.async_api import Browser, Page
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
from make_fixtures import thousand_cells

TARGET_RATIO = 1.0
# How long after the count a match may take to show before the bench presses Enter,
# and how long after Enter before it records that no match was shown.
ENTER_AFTER_MS = 2_000
GIVE_UP_MS = 10_000
QUERIES = {"common": "x_", "far": "x_998 "}


@dataclass(frozen=True)
class FindBar:
    """Where one app's find bar, counter and match marks are."""

    query_input: str
    counter: str
    match_mark: str


FIND_BARS = {
    "nbdesk": FindBar(
        query_input="[data-find-panel] input[data-find=query]",
        counter="[data-find-count]",
        match_mark=".cm-find-match",
    ),
    "JupyterLab": FindBar(
        query_input=".jp-DocumentSearch-input",
        counter=".jp-DocumentSearch-index-counter",
        match_mark=".cm-searching, .jp-current-match",
    ),
}

# Input event timestamp -> frame start after the counter shows the total / a mark appears.
INSTALL_PROBE = """({counter, total, mark}) => {
  const found = {t0: null, enter: null, count: null, highlight: null};
  window.__find = found;
  document.addEventListener('input', (event) => {
    if (found.t0 === null) { found.t0 = event.timeStamp; }
  }, true);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && found.highlight === null) { found.enter = event.timeStamp; }
  }, true);
  const endsWithTotal = new RegExp(`(^|\\\\D)${total}$`);
  const settle = (key) => requestAnimationFrame(() => {
    const from = key === 'highlight' && found.enter !== null ? found.enter : found.t0;
    if (found[key] === null) { found[key] = performance.now() - from; }
  });
  let countSeen = false;
  let markSeen = false;
  const check = () => {
    if (found.t0 === null) { return; }
    if (!countSeen) {
      const element = document.querySelector(counter);
      if (element !== null && endsWithTotal.test(element.textContent.trim())) {
        countSeen = true;
        settle('count');
      }
    }
    if (!markSeen && document.querySelector(mark) !== null) {
      markSeen = true;
      settle('highlight');
    }
  };
  new MutationObserver(check).observe(document.body, {
    subtree: true, childList: true, characterData: true, attributes: true,
  });
}"""


@dataclass
class Timing:
    count_ms: float
    #: None: no match was shown, not even 10 s after Enter.
    highlight_ms: float | None
    #: The app showed no match until Enter; `highlight_ms` then runs from that keydown.
    after_enter: bool


def expected_matches(notebook: nbformat.NotebookNode, query: str) -> int:
    """Case-insensitive occurrences of `query` in the sources (both apps' default)."""
    return sum(cell.source.lower().count(query.lower()) for cell in notebook.cells)


async def open_find_bar(page: Page, app: App, bar: FindBar) -> None:
    await page.keyboard.press("Escape")
    await page.keyboard.press("Control+f")
    await page.locator(bar.query_input).wait_for(timeout=30_000)


async def find(browser: Browser, app: App, query: str, total: int) -> Timing:
    context, page, _, _ = await open_notebook(browser, app)
    try:
        bar = FIND_BARS[app.name]
        await open_find_bar(page, app, bar)
        await page.evaluate(
            INSTALL_PROBE, {"counter": bar.counter, "total": total, "mark": bar.match_mark}
        )
        await page.locator(bar.query_input).fill(query)
        await page.wait_for_function("() => window.__find.count !== null", timeout=120_000)
        try:
            await page.wait_for_function(
                "() => window.__find.highlight !== null", timeout=ENTER_AFTER_MS
            )
        except PlaywrightTimeoutError:
            # The app counted but shows no match until asked for the next one.
            await page.locator(bar.query_input).press("Enter")
            with contextlib.suppress(PlaywrightTimeoutError):
                await page.wait_for_function(
                    "() => window.__find.highlight !== null", timeout=GIVE_UP_MS
                )
        found = await page.evaluate("window.__find")
        return Timing(
            count_ms=found["count"],
            highlight_ms=found["highlight"],
            after_enter=found["enter"] is not None,
        )
    finally:
        await context.close()


async def bench(args: argparse.Namespace) -> dict[str, dict[str, list[Timing]]]:
    from playwright.async_api import async_playwright

    work = Path(tempfile.mkdtemp(prefix="nbfind-"))
    results: dict[str, dict[str, list[Timing]]] = {
        name: {query: [] for query in QUERIES} for name in FIND_BARS
    }
    notebook = thousand_cells(args.cells)
    totals = {name: expected_matches(notebook, query) for name, query in QUERIES.items()}
    source = work / "source.ipynb"
    source.write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for run in range(args.runs):
                order = [nbdesk, jupyterlab] if run % 2 == 0 else [jupyterlab, nbdesk]
                for opener in order:
                    path = fresh_copy(source, work / f"run{run}-{opener.__name__}")
                    async with opener(path, 0) as app:
                        # The first open imports or reads the file; searches then run warm.
                        context, *_ = await open_notebook(browser, app)
                        await context.close()
                        for name, query in QUERIES.items():
                            timing = await find(browser, app, query, totals[name])
                            results[app.name][name].append(timing)
                            print(f"run {run + 1} {app.name:<10} {name:<6} {timing}", flush=True)
        finally:
            await browser.close()
    return results


def span(values: list[float | None]) -> str:
    shown = [value for value in values if value is not None]
    if not shown:
        return "never shown"
    missing = f" ({len(values) - len(shown)} never)" if len(shown) < len(values) else ""
    return f"{statistics.median(shown):.0f} ms [{min(shown):.0f}-{max(shown):.0f}]{missing}"


def report(results: dict[str, dict[str, list[Timing]]], args: argparse.Namespace) -> bool:
    print()
    print(
        f"{args.cells}-cell notebook, {args.runs} runs (median [min-max]); "
        "ratio = JupyterLab / nbdesk of the medians"
    )
    print(f"{'metric':<44} {'nbdesk':>24} {'JupyterLab':>24} {'ratio':>7}")
    ok = True
    for name, query in QUERIES.items():
        for label, attr in (("count", "count_ms"), ("first highlighted match", "highlight_ms")):
            cells: dict[str, str] = {}
            medians: dict[str, float | None] = {}
            for app in FIND_BARS:
                timings = results[app][name]
                values: list[float | None] = [getattr(t, attr) for t in timings]
                enter = attr == "highlight_ms" and any(t.after_enter for t in timings)
                cells[app] = span(values) + ("*" if enter else "")
                shown = [value for value in values if value is not None]
                medians[app] = statistics.median(shown) if len(shown) == len(values) else None
            ours, theirs = medians["nbdesk"], medians["JupyterLab"]
            if ours is None:
                ok, ratio = False, "  none"
            elif theirs is None:
                ratio = "   inf"
            else:
                ok = ok and theirs / ours > TARGET_RATIO
                ratio = f"{theirs / ours:6.1f}"
            row = f"{name} {query.strip()!r}: {label}"
            print(f"{row:<44} {cells['nbdesk']:>24} {cells['JupyterLab']:>24} {ratio}x")
    print("* after the bench pressed Enter: no match was shown for 2 s after the count")
    print("never shown: no match in view even 10 s after Enter (inf: only nbdesk showed it)")
    print(f"target: faster than JupyterLab on every row: {'met' if ok else 'NOT met'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
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
