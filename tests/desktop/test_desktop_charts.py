"""Charts in the real app (pywebview + Qt WebEngine under Xvfb): a Plotly figure and an
Altair chart, made by real code on the kernel, drawn in the window. The window's DOM is
out of reach here, so the signal is the screen itself: the app's screenshot holds a block
of Plotly's bar colour and one of Altair's steelblue. Saved as artifacts/desktop-charts.png.
"""

from __future__ import annotations

import asyncio
import time

from conftest import DaemonProcess
from desktop_app import ARTIFACTS, App, display, joined, needs_desktop, wait_until
from PIL import Image

from nbdesk.daemon.client.notebook_client import NotebookClient

pytestmark = needs_desktop
__all__ = ["display"]  # a fixture

PLOTLY = (
    "import plotly.graph_objects as go\n"
    "go.Figure(go.Bar(y=[3, 7, 5]), layout=dict(height=260, width=420, margin=dict(t=20)))"
)
ALTAIR = (
    "import altair as alt\n"
    "alt.Chart(alt.Data(values=[{'x': 'a', 'y': 3}, {'x': 'b', 'y': 7}]))"
    ".mark_bar(color='steelblue').encode(x='x:N', y='y:Q').properties(width=200, height=110)"
)
PLOTLY_BAR = (0x63, 0x6E, 0xFA)  # plotly's first trace colour
STEELBLUE = (0x46, 0x82, 0xB4)


def pixels_near(image: Image.Image, colour: tuple[int, int, int], tolerance: int = 12) -> int:
    return sum(
        count
        for count, pixel in image.getcolors(maxcolors=1 << 20) or []
        if all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))
    )


async def test_plotly_and_altair_charts_draw_in_the_app(
    daemon: DaemonProcess, display: str
) -> None:
    app = App(daemon, display).start()
    try:
        await wait_until(lambda: len(joined(app.session())) == 1)
        await wait_until(lambda: " ready at " in app.log())
        client = await NotebookClient.join(joined(app.session())[0], home=daemon.home)
        await client.wait_for(lambda doc: len(doc.cell_ids()) == 1, 30)
        first = client.doc.cell_ids()[0]
        client.set_source(first, PLOTLY)
        second = client.add_cell(ALTAIR)
        for cell in (first, second):
            result = await client.execute(cell, timeout=120)
            assert result.status == "ok", result.outputs

        shot = ARTIFACTS / "desktop-charts.png"
        deadline = time.monotonic() + 60
        while True:
            app.screenshot("desktop-charts")
            with Image.open(shot) as image:
                rgb = image.convert("RGB")
            plotly, altair = pixels_near(rgb, PLOTLY_BAR), pixels_near(rgb, STEELBLUE)
            if plotly > 3000 and altair > 3000:
                break
            assert time.monotonic() < deadline, f"chart pixels: plotly {plotly}, altair {altair}"
            await asyncio.sleep(0.5)
        await client.close()
    finally:
        app.stop()
