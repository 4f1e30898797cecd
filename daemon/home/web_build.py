"""Where the built web page (web/dist) is: beside the installed package or the frozen app
(`nbdesk/desktop/web`), else the source tree's `web/dist`. The shell serves it; the HTML
export inlines its chart bundles. Does not build it (`make web` does)."""

from __future__ import annotations

from pathlib import Path


def web_dist() -> Path:
    """The built page's folder (it may not exist yet in a source tree never built)."""
    package = Path(__file__).resolve().parents[2]  # nbdesk/ installed, the repository in source
    installed = package / "desktop" / "web"
    return installed if (installed / "index.html").is_file() else package / "web" / "dist"
