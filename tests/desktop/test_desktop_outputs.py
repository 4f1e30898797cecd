"""Rich outputs in the real app (pywebview, Qt WebEngine, Xvfb): an anywidget widget from
PyPI and one written on anywidget, a pandas table, and an image saved through the
output's "Save as file…" button and the native save dialog, reached by keyboard."""

from __future__ import annotations

import asyncio
import base64
import io
from pathlib import Path

import nbformat
from conftest import DaemonProcess
from desktop_app import App, display, joined, needs_desktop, wait_until
from PIL import Image

from nbdesk.daemon.client.notebook_client import NotebookClient

pytestmark = needs_desktop
__all__ = ["display"]  # a fixture

WIDGETS = (
    "import anywidget, traitlets\n"
    "from wigglystuff import ColorPicker\n"
    "class Probe(anywidget.AnyWidget):\n"
    "    _esm = '''export default { render({ model, el }) {\n"
    "      el.textContent = 'anywidget ran in ' + self.origin;\n"
    "      model.set('seen', self.origin); model.save_changes(); } }'''\n"
    "    seen = traitlets.Unicode('').tag(sync=True)\n"
    "probe = Probe()\n"
    "display(ColorPicker(color='#2a63c9'), probe)"
)
TABLE = (
    "import pandas as pd\n"
    "pd.DataFrame({'city': ['Oslo', 'Lima', 'Pune'], 'people': [709037, 10092000, 3124458]})"
)


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(buffer, "png")
    return buffer.getvalue()


def outputs_notebook(path: Path, image: bytes) -> None:
    """An image output whose cell's input is hidden (so Tab reaches the output's buttons
    from the start), then the widget and table cells, not yet run."""
    notebook = nbformat.v4.new_notebook()
    shown = nbformat.v4.new_code_cell(
        "show()", execution_count=1, metadata={"jupyter": {"source_hidden": True}}
    )
    data = {"image/png": base64.b64encode(image).decode(), "text/plain": "<image>"}
    shown.outputs = [nbformat.v4.new_output("display_data", data)]
    notebook.cells = [shown, nbformat.v4.new_code_cell(WIDGETS), nbformat.v4.new_code_cell(TABLE)]
    nbformat.write(notebook, path)


async def test_anywidget_pandas_table_and_saving_an_image_in_the_app(
    daemon: DaemonProcess, display: str, tmp_path: Path
) -> None:
    image = png(320, 90)
    path = tmp_path / "outputs.ipynb"
    outputs_notebook(path, image)
    target = tmp_path / "saved-image.png"
    app = App(daemon, display).start(str(path))
    try:
        await wait_until(lambda: len(joined(app.session())) == 1)
        await wait_until(lambda: " ready at " in app.log())
        client = await NotebookClient.join(joined(app.session())[0], home=daemon.home)
        _, widgets, table = client.doc.cell_ids()
        await client.execute(widgets)
        await client.execute(table)
        probe = next(c for c in client.doc.get_comms() if c.state.get("_esm", "").find("seen") > 0)
        # the module ran in the app's web engine, in a sandbox (an opaque origin)
        await client.wait_for(
            lambda doc: doc.get_comm(probe.comm_id).state.get("seen") == "null", 60
        )
        await asyncio.sleep(1.5)  # let the frames and the table paint before the screenshot
        app.screenshot("desktop-anywidget-pandas")

        # Keyboard only: the hidden input's note has the focus; Tab past Hide the outputs,
        # the image (zoom) and Copy image to Save as file…, then the native dialog.
        window = app.windows()[-1]
        app.focus(window)
        app.xdotool("key", "--clearmodifiers", "Tab", "Tab", "Tab", "Tab", "Return")
        await wait_until(lambda: len(app.windows()) >= 2, timeout=20)
        await asyncio.sleep(1.0)
        app.screenshot("desktop-save-output-dialog")
        dialog = next(w for w in app.windows() if w != window)
        app.focus(dialog)
        app.xdotool("key", "--clearmodifiers", "ctrl+a")
        app.xdotool("type", "--delay", "10", str(target))
        app.xdotool("key", "--clearmodifiers", "Return")
        await wait_until(lambda: "saved an output to " in app.log(), timeout=30)
        assert target.read_bytes() == image
        await client.close()
    finally:
        app.stop()
