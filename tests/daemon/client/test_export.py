"""`nbdesk export`: a real daemon and kernel, the command as a user types it, the exports
opened by the tools that read them (Debian's chromium for the HTML, pdftoppm for the PDF).

The notebook has a plot (a PNG drawn in the kernel), a slider moved after it was shown,
and an edit that was never saved: every export must show all three.
"""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import nbformat
import pytest
from conftest import DaemonFactory, DaemonProcess, nbdesk_cli, require
from PIL import Image
from playwright.async_api import Browser

from nbdesk.daemon.client.notebook_client import NotebookClient
from nbdesk.daemon.client.widget_snapshot import WIDGET_STATE_MIME

PLOT = (
    "import io\nfrom PIL import Image, ImageDraw\nfrom IPython.display import display, Image as Png\n"
    "im = Image.new('RGB', (160, 90), 'white')\nd = ImageDraw.Draw(im)\n"
    "d.line([(0, 89), (40, 30), (80, 60), (159, 0)], fill='navy', width=4)\n"
    "buf = io.BytesIO(); im.save(buf, 'PNG'); display(Png(buf.getvalue()))"
)
SLIDER = "import ipywidgets as w\nspeed = w.IntSlider(value=3, min=0, max=10, description='speed')\nspeed"
MOVE = "speed.value = 7"
UNSAVED = "An edit nobody saved"


@pytest.fixture
def daemon(daemon_factory: DaemonFactory) -> DaemonProcess:
    """Autosave far off, so the notebook file lacks what was typed: the export must come
    from the daemon's document, not the file."""
    return daemon_factory(NBDESK_AUTOSAVE_DELAY="600")


def write_notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Quarterly report"),
        nbformat.v4.new_code_cell(PLOT),
        nbformat.v4.new_code_cell(SLIDER),
        nbformat.v4.new_code_cell(MOVE),
    ]
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    return path


def export_cli(daemon: DaemonProcess, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return nbdesk_cli({**daemon.env, **env}, "export", *args, timeout=180)


@pytest.fixture
async def ran(daemon: DaemonProcess, tmp_path: Path) -> AsyncIterator[tuple[NotebookClient, str]]:
    """The notebook open in the daemon, run, with an unsaved markdown cell; and the plot's
    PNG as the kernel sent it (base64)."""
    path = write_notebook(tmp_path / "report.ipynb")
    async with NotebookClient.open(path, daemon.home) as client:
        results = await client.run_all(timeout=60)
        assert [r.status for r in results] == ["ok"] * 3, [r.error for r in results]
        png = results[0].outputs[0]["data"]["image/png"]
        client.add_cell(UNSAVED, "markdown")
        await client.confirm_sync()
        assert UNSAVED not in path.read_text()  # still unsaved: the export must read the room
        yield client, png


def check_ok(result: subprocess.CompletedProcess[str], suffix: str) -> Path:
    assert result.returncode == 0, result.stderr
    written = Path(result.stdout.strip())
    assert written.suffix == suffix and written.is_file(), result.stdout
    return written


async def test_html_shows_the_plot_the_widget_as_last_set_and_unsaved_edits(
    daemon: DaemonProcess, ran: tuple[NotebookClient, str], browser: Browser, tmp_path: Path
) -> None:
    client, png = ran
    assert client.path is not None
    html_path = check_ok(export_cli(daemon, client.path, "--to", "html"), ".html")
    assert html_path == Path(client.path).with_suffix(".html")
    text = html_path.read_text()
    assert UNSAVED in text
    assert f"data:image/png;base64,{png.strip()}" in text.replace("\n", "")
    state = re.search(
        rf'<script type="{re.escape(WIDGET_STATE_MIME)}">(.*?)</script>', text, re.DOTALL
    )
    assert state is not None, "the widgets' state is not in the page"
    models = json.loads(state.group(1))["state"].values()
    sliders = [m for m in models if m["model_name"] == "IntSliderModel"]
    assert [s["state"]["value"] for s in sliders] == [7]
    assert "unpkg.com" not in text  # widgets are drawn from their state, not a CDN's manager

    page = await browser.new_page()
    await page.goto(html_path.as_uri())
    plot = page.locator(f'img[src^="data:image/png;base64,{png.strip()[:40]}"]')
    await plot.wait_for()
    assert await plot.evaluate("img => img.complete && img.naturalWidth") == 160
    slider = page.locator(".nbdesk-widget input[type=range]")
    assert await slider.input_value() == "7"
    assert await page.locator(".nbdesk-widget label").inner_text() == "speed"
    await page.screenshot(path=str(tmp_path / "export.png"), full_page=True)
    artifacts = Path(__file__).resolve().parents[3] / "artifacts"
    artifacts.mkdir(exist_ok=True)
    shutil.copy(tmp_path / "export.png", artifacts / "export-html.png")


async def test_script_and_markdown(daemon: DaemonProcess, ran: tuple[NotebookClient, str]) -> None:
    client, png = ran
    assert client.path is not None
    script = check_ok(export_cli(daemon, client.path, "--to", "script"), ".py")
    source = script.read_text()
    assert SLIDER in source and MOVE in source and "# Quarterly report" in source
    compile(source, str(script), "exec")  # a script Python reads

    target = Path(client.path).parent / "out" / "notes"
    markdown = check_ok(
        export_cli(daemon, client.path, "--to", "markdown", "-o", str(target)), ".md"
    )
    assert markdown == target.with_suffix(".md")
    text = markdown.read_text()
    assert "# Quarterly report" in text and UNSAVED in text and MOVE in text
    images = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", text)
    assert len(images) == 1, text
    assert (markdown.parent / images[0]).read_bytes() == base64.b64decode(png)


async def test_pdf_pages_render(daemon: DaemonProcess, ran: tuple[NotebookClient, str]) -> None:
    require(shutil.which("pdftoppm") is not None, "pdftoppm (Debian's poppler-utils)")
    client, _ = ran
    assert client.path is not None
    pdf = check_ok(export_cli(daemon, client.path, "--to", "pdf"), ".pdf")
    assert pdf.read_bytes().startswith(b"%PDF-")
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(pdf.parent / "page")], check=True)
    pages = sorted(pdf.parent.glob("page*.png"))
    assert pages, "pdftoppm rendered no page"
    first = Image.open(io.BytesIO(pages[0].read_bytes())).convert("L")
    dark = sum(1 for value in first.tobytes() if value < 128)
    assert dark > 500, "the first page is blank"
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Quarterly report" in text and UNSAVED in text


async def test_untitled_notebook_by_id(daemon: DaemonProcess, tmp_path: Path) -> None:
    async with NotebookClient.create(daemon.home, folder=tmp_path, launch=False) as client:
        client.add_cell("x = 'from an untitled notebook'")
        await client.confirm_sync()
        target = tmp_path / "untitled-export"
        result = export_cli(daemon, "--id", client.notebook_id, "--to", "script", "-o", str(target))
        assert "from an untitled notebook" in check_ok(result, ".py").read_text()


def test_bad_input_says_what_to_do(daemon: DaemonProcess, tmp_path: Path) -> None:
    missing = export_cli(daemon, str(tmp_path / "nope.ipynb"), "--to", "html")
    assert missing.returncode == 2 and "no notebook file at" in missing.stderr
    neither = export_cli(daemon, "--to", "html")
    assert neither.returncode == 2 and "give a notebook file or --id" in neither.stderr
    unknown = export_cli(daemon, "--id", "00000000-0000-0000-0000-000000000000", "--to", "html")
    assert unknown.returncode == 2 and "nbdesk export:" in unknown.stderr, unknown.stderr
    bad_format = export_cli(daemon, str(tmp_path / "nope.ipynb"), "--to", "docx")
    assert bad_format.returncode == 2 and "invalid choice" in bad_format.stderr


def test_pdf_without_a_browser_says_how_to_get_one(daemon: DaemonProcess, tmp_path: Path) -> None:
    path = write_notebook(tmp_path / "plain.ipynb")
    result = export_cli(daemon, str(path), "--to", "pdf", NBDESK_CHROMIUM=str(tmp_path / "none"))
    assert result.returncode == 1
    assert "NBDESK_CHROMIUM" in result.stderr and "point it at a Chromium" in result.stderr
    assert not path.with_suffix(".pdf").exists()
