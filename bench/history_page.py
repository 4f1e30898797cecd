"""The history panel in the page on a long history: time to the timeline, and rendering a
past point while scrubbing.

A real daemon (pools off) and the shell's server serve a copy of the 1,000-cell fixture
(`thousand_cells()` from tests/fixtures), opened by a Python client that first gives it a
long past: tests/history_seed.py appends `--changes` edits (default 50,000) with older
change times, in `--sessions` sessions two hours apart, each made of bursts of 100 edits
two minutes apart (so the daemon's timeline folds each burst into one point). Debian's
chromium at 1280x900 then opens the notebook and, measured in the page from the input
event's timestamp (taken when the browser created it) to the start of the frame after
the page shows the result (a MutationObserver, then requestAnimationFrame):

  * time to the timeline: a click on the toolbar's History button until the panel says
    how many points it holds (the `history` request, its reply decoded and the timeline
    drawn);
  * a point while scrubbing: with the newest point viewed, each ArrowUp on the timeline
    until the page has drawn the point before read only (`A.view(doc, heads)` on the
    page's own document and the read-only cell window redrawn), `--steps` times.

Printed: the number of changes and points, the time to the timeline, and p50/p95/max of
the scrubbing steps. Targets: the timeline in under 1 s, a point in under 100 ms (p50).

Run: `.venv/bin/python bench/history_page.py [--changes N] [--sessions N] [--steps N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import nbformat
from _daemon import ROOT, BenchDaemon, run_main, spawn, stop_process
from frontend_vs_jupyterlab import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, percentile
from playwright.async_api import Page, async_playwright

sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
sys.path.insert(0, str(ROOT / "tests"))
from history_seed import PastSession, seed_past_sessions
from make_fixtures import thousand_cells

from nbdesk.daemon.client.notebook_client import NotebookClient

FRONTEND_BENCH = ROOT / "bench" / "frontend_vs_jupyterlab.py"
TARGET_TIMELINE_S = 1.0
TARGET_POINT_P50_MS = 100.0
BURST = 100
BURST_PAUSE_S = 120.0
SESSION_GAP_S = 2 * 3600.0

# Resolves with milliseconds from the next trusted input event (keydown or click) to the
# frame after `selector`'s text next changes and, when given, holds `expected`.
PROBE = """([selector, expected]) => new Promise((resolve) => {
    let started = null;
    const note = (event) => { if (started === null) started = event.timeStamp; };
    window.addEventListener("keydown", note, { capture: true, once: true });
    window.addEventListener("mousedown", note, { capture: true, once: true });
    const target = document.querySelector(selector);
    const observer = new MutationObserver(() => {
        if (expected !== null && !target.textContent.includes(expected)) return;
        observer.disconnect();
        requestAnimationFrame((frame) => resolve(frame - started));
    });
    observer.observe(target, { childList: true, characterData: true, subtree: true });
})"""


def past_sessions(changes: int, sessions: int, now: float) -> list[PastSession]:
    per_session = changes // sessions
    return [
        PastSession(
            start=now - (sessions - number) * SESSION_GAP_S - 3600,
            edits=per_session + (changes % sessions if number == sessions - 1 else 0),
            step=0.05,
            burst=BURST,
            pause=BURST_PAUSE_S,
        )
        for number in range(sessions)
    ]


async def measure(page: Page, steps: int) -> tuple[float, int, list[float]]:
    """(time to the timeline in s, points on it, scrubbing steps in ms)."""
    timeline = asyncio.ensure_future(page.evaluate(PROBE, ["[data-history-status]", "points"]))
    await page.wait_for_timeout(50)  # the probe's listeners are in place
    await page.click("[data-action=history]")
    to_timeline = await timeline / 1000
    count = await page.locator("button[data-history-point]").count()
    await page.keyboard.press("Enter")  # view the newest point
    await page.locator("[data-history-view]").wait_for(state="visible")
    samples: list[float] = []
    for _ in range(min(steps, count - 1)):
        step = asyncio.ensure_future(page.evaluate(PROBE, ["[data-history-title]", None]))
        await page.wait_for_timeout(20)
        await page.keyboard.press("ArrowUp")
        samples.append(await step)
    return to_timeline, count, samples


async def bench(args: argparse.Namespace) -> bool:
    with BenchDaemon(NBDESK_POOL_UV="0", NBDESK_POOL_CONDA="0", NBDESK_HOT_KERNELS="0") as daemon:
        folder = Path(tempfile.mkdtemp(prefix="nbd-history-"))
        notebook = folder / "thousand.ipynb"
        nbformat.write(thousand_cells(), notebook)
        seeding = time.perf_counter()
        client = await NotebookClient.open(notebook, home=daemon.home)
        try:
            changes = await seed_past_sessions(
                client, past_sessions(args.changes, args.sessions, time.time()), timeout=900
            )
        finally:
            await client.close()
        print(f"seeded {changes:,} changes in {time.perf_counter() - seeding:.0f} s")
        shell = spawn(str(FRONTEND_BENCH), "--serve-shell", str(daemon.root), env=daemon.env)
        try:
            assert shell.stdout is not None
            base = (await asyncio.to_thread(shell.stdout.readline)).decode().strip()
            url = f"{base}&{urllib.parse.urlencode({'open': str(notebook)})}"
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(
                    executable_path=CHROMIUM, args=CHROMIUM_ARGS
                )
                page = await (await browser.new_context(viewport=VIEWPORT)).new_page()
                await page.goto(url)
                await page.locator(".cell[data-cell-id=code-0] .cm-content").wait_for(
                    timeout=300_000
                )
                to_timeline, count, samples = await measure(page, args.steps)
                await browser.close()
        finally:
            stop_process(shell)
    p50, p95 = statistics.median(samples), percentile(samples, 95)
    print(f"timeline: {count} points, {to_timeline * 1000:.0f} ms to draw")
    print(
        f"a point while scrubbing ({len(samples)} steps): p50 {p50:.0f} ms, "
        f"p95 {p95:.0f} ms, max {max(samples):.0f} ms"
    )
    ok = to_timeline < TARGET_TIMELINE_S and p50 < TARGET_POINT_P50_MS
    print(
        f"targets: timeline < {TARGET_TIMELINE_S:.0f} s, point p50 < {TARGET_POINT_P50_MS:.0f} ms"
        f" -> {'met' if ok else 'MISSED'}"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--changes", type=int, default=50_000)
    parser.add_argument("--sessions", type=int, default=25)
    parser.add_argument("--steps", type=int, default=60)
    args = parser.parse_args()
    return 0 if asyncio.run(bench(args)) else 1


if __name__ == "__main__":
    run_main(main)
