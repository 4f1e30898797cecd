"""Render icons/nbdesk.svg (the one source drawing) into every icon the installers need.

    python packaging/make_icons.py [OUT_DIR]     # default: icons/

Writes `png/nbdesk-<size>.png` (the Linux hicolor set, also the .deb's icons), `nbdesk.ico`
(Windows) and `nbdesk.icns` (macOS). Each size is rendered from the vector drawing by Qt's
SVG renderer (PySide6 is already a dependency), so small sizes are drawn, not downscaled;
Pillow packs the .ico and .icns containers.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "icons" / "nbdesk.svg"
PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)


def render(svg: bytes, size: int) -> bytes:
    """The drawing as a square `size` px PNG with a transparent background."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(svg))
    if not renderer.isValid():
        raise SystemExit(f"{SOURCE} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def make_icons(out: Path) -> list[Path]:
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QGuiApplication.instance() or QGuiApplication([])
    svg = SOURCE.read_bytes()
    (out / "png").mkdir(parents=True, exist_ok=True)
    written = []
    images = {}
    for size in PNG_SIZES:
        png = render(svg, size)
        path = out / "png" / f"nbdesk-{size}.png"
        path.write_bytes(png)
        written.append(path)
        images[size] = Image.open(io.BytesIO(png)).convert("RGBA")
    ico = out / "nbdesk.ico"
    largest = images[max(ICO_SIZES)]
    largest.save(
        ico,
        format="ICO",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)],
    )
    icns = out / "nbdesk.icns"
    images[1024].save(
        icns, format="ICNS", append_images=[images[s] for s in ICNS_SIZES if s != 1024]
    )
    return [*written, ico, icns]


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "icons"
    for path in make_icons(target):
        print(path.relative_to(target) if path.is_relative_to(target) else path)
