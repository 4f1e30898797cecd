"""PDF export in the app: the exported HTML page printed by Qt WebEngine's own
`printToPdf` (the engine the windows already run), so the app needs no separate Chromium.

Qt objects live on the GUI thread, so the page is made and printed there; the caller (a
menu item's thread) waits on a future. Off the Qt backend (macOS, Windows) there is no
printer here and the export prints with the headless Chromium of `nbdesk export`
(`nbdesk.daemon.client.pdf`). Does not make the HTML (`client.export`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import shutil
import tempfile
from pathlib import Path
from typing import Any

from nbdesk.daemon.client.pdf import PdfPrinter
from nbdesk.daemon.wire.errors import ErrorCode, NbdeskError

PRINT_TIMEOUT = 120.0  # seconds, as for the headless Chromium
SETTLE_MS = 500  # the page's own scripts (syntax colours) run before it is printed
MARGIN_MM = 10.0

# Pages being printed, held until Qt says they are done (else Python would free them).
_printing: set[Any] = set()


def qt_printer() -> PdfPrinter | None:
    """Qt WebEngine's printer when the app runs on Qt (its QApplication exists), else None."""
    try:
        from qtpy.QtWidgets import QApplication
    except ImportError:
        return None
    return print_with_qt if QApplication.instance() is not None else None


def _failed(message: str) -> NbdeskError:
    return NbdeskError(message, code=ErrorCode.EXPORT_FAILED)


def _print_on_gui_thread(
    page_file: Path, printed: Path, done: concurrent.futures.Future[None]
) -> None:
    from qtpy.QtCore import QMarginsF, QTimer, QUrl
    from qtpy.QtGui import QPageLayout, QPageSize
    from qtpy.QtWebEngineCore import QWebEnginePage

    page = QWebEnginePage()
    _printing.add(page)
    layout = QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4),
        QPageLayout.Orientation.Portrait,
        QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
        QPageLayout.Unit.Millimeter,
    )

    def finish(error: NbdeskError | None) -> None:
        _printing.discard(page)
        page.deleteLater()
        if done.done():
            return
        if error is None:
            done.set_result(None)
        else:
            done.set_exception(error)

    def printed_to(path: str, success: bool) -> None:
        ok = success and printed.exists() and printed.stat().st_size > 0
        finish(None if ok else _failed("Qt WebEngine printed no PDF"))

    def loaded(ok: bool) -> None:
        if done.done() or page not in _printing:
            return
        if not ok:
            finish(_failed("Qt WebEngine could not load the exported page to print it"))
            return
        QTimer.singleShot(SETTLE_MS, lambda: page.printToPdf(str(printed), layout))

    page.pdfPrintingFinished.connect(printed_to)
    page.loadFinished.connect(loaded)
    page.load(QUrl.fromLocalFile(str(page_file)))


async def print_with_qt(html: bytes, target: Path, timeout: float = PRINT_TIMEOUT) -> None:
    """Print `html` to the PDF `target` with Qt WebEngine, from any thread but the GUI's."""
    from qtpy.QtCore import QTimer
    from qtpy.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        raise _failed("Qt is not running, so it cannot print the PDF")
    with tempfile.TemporaryDirectory(prefix="nbdesk-pdf-") as scratch:
        page_file = Path(scratch) / "notebook.html"
        page_file.write_bytes(html)  # a file, not setHtml: that is capped at 2 MB
        printed = Path(scratch) / "notebook.pdf"
        done: concurrent.futures.Future[None] = concurrent.futures.Future()
        QTimer.singleShot(0, app, lambda: _print_on_gui_thread(page_file, printed, done))
        try:
            async with asyncio.timeout(timeout):
                await asyncio.wrap_future(done)
        except TimeoutError:
            done.cancel()
            raise _failed(
                f"Qt WebEngine did not finish printing the PDF within {timeout:g} s"
            ) from None
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(printed, target)
