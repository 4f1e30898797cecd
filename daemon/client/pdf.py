"""Print an exported HTML page to PDF with a headless Chromium: PDF without TeX.

The page is written to a private temporary folder and printed by the browser's own
`--print-to-pdf` (what a user's Print → Save as PDF does), without header or footer.
Which browser: `NBDESK_CHROMIUM`, else the first of `chromium`, `chromium-browser`,
`google-chrome` on the PATH. Does not make the HTML (`export.py`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from nbdesk.daemon.home.frozen import outside_env
from nbdesk.daemon.wire.errors import ErrorCode, NbdeskError

# Prints an HTML page to a PDF file: this module's headless Chromium, or the app's own
# engine (the desktop's Qt WebEngine).
PdfPrinter = Callable[[bytes, Path], Awaitable[None]]

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
PRINT_TIMEOUT = 120.0  # seconds; a notebook of many plots takes a few
# Enough for the page's own scripts (MathJax, syntax colours) to run before printing.
VIRTUAL_TIME_BUDGET_MS = 5000


def find_browser() -> str:
    """The Chromium that prints, or an error saying how to get one."""
    chosen = os.environ.get("NBDESK_CHROMIUM")
    if chosen:
        if not os.access(chosen, os.X_OK):
            raise NbdeskError(
                f"NBDESK_CHROMIUM={chosen} is not an executable; point it at a Chromium",
                code=ErrorCode.EXPORT_FAILED,
            )
        return chosen
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise NbdeskError(
        "PDF export prints through Chromium, and none was found: install it (Debian: "
        "apt-get install chromium) or set NBDESK_CHROMIUM to its path; HTML export works without",
        code=ErrorCode.EXPORT_FAILED,
    )


async def print_to_pdf(html: bytes, target: Path, timeout: float = PRINT_TIMEOUT) -> None:
    browser = find_browser()
    with tempfile.TemporaryDirectory(prefix="nbdesk-pdf-") as scratch:
        page = Path(scratch) / "notebook.html"
        page.write_bytes(html)
        printed = Path(scratch) / "notebook.pdf"
        argv = [
            browser,
            "--headless",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={scratch}/profile",
            "--no-pdf-header-footer",
            f"--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}",
            f"--print-to-pdf={printed}",
            page.as_uri(),
        ]
        if os.geteuid() == 0:
            argv.insert(1, "--no-sandbox")  # Chromium refuses to start as root otherwise
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ, **outside_env()},  # not the frozen app's bundled libraries
        )
        try:
            async with asyncio.timeout(timeout):
                _, stderr = await process.communicate()
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            raise NbdeskError(
                f"{browser} did not finish printing the PDF within {timeout:g} s",
                code=ErrorCode.EXPORT_FAILED,
            ) from None
        if not printed.exists() or printed.stat().st_size == 0:
            tail = stderr.decode(errors="replace").strip().splitlines()[-3:]
            raise NbdeskError(
                f"{browser} printed no PDF (exit status {process.returncode}): " + " / ".join(tail),
                code=ErrorCode.EXPORT_FAILED,
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(printed, target)
