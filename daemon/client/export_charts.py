"""Charts in an exported HTML page, drawn offline: Plotly figures and Vega / Vega-Lite specs
become HTML that draws them with the page's own chart bundles (web/dist/charts-*.js,
src/charts/ in the web sources), inlined once into the page's head; Altair's default HTML
gets those bundles marked as the versions it asks for, so it loads nothing from its CDN.

Mirrors the page's choice (web/src/render/mime.ts, render/charts.ts): a chart MIME type
wins over the HTML or text an output carries too. Works on an export's copy of the
notebook, never on the document. Does not write files (`export.py` does).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import nbformat

from nbdesk.daemon.home.web_build import web_dist

# The kind of chart each MIME type is, in the page's order of preference.
CHART_KINDS = {
    "application/vnd.plotly.v1+json": "plotly",
    "application/vnd.vega.v6+json": "vega",
    "application/vnd.vega.v6.json": "vega",
    "application/vnd.vega.v5+json": "vega",
    "application/vnd.vegalite.v6+json": "vega-lite",
    "application/vnd.vegalite.v6.json": "vega-lite",
    "application/vnd.vegalite.v5+json": "vega-lite",
    "application/vnd.vegalite.v4+json": "vega-lite",
}
BUNDLES = {"plotly": "charts-plotly.js", "vega": "charts-vega.js", "vega-lite": "charts-vega.js"}
_ALTAIR_VERSION = re.compile(r'maybeLoadScript\("(vega|vega-lite|vega-embed)", "([^"]*)"\)')

# Draws the chart whose spec and options are the two JSON scripts before this one.
_DRAW = """<script>(function (script) {
  var options = script.previousElementSibling, spec = options.previousElementSibling;
  var element = spec.previousElementSibling;
  function fail(message) { element.textContent = message; element.style.color = "#c33"; }
  var draw = window.nbdeskCharts && window.nbdeskCharts[%s];
  if (!draw) { fail("The chart renderer is missing from this page."); return; }
  Promise.resolve().then(function () {
    return draw(element, JSON.parse(spec.textContent), JSON.parse(options.textContent));
  }).catch(function (error) { fail("Could not draw this chart: " + (error && error.message || error)); });
})(document.currentScript);</script>"""


def _json_in_script(value: Any) -> str:
    return json.dumps(value).replace("<", "\\u003c")


def chart_html(kind: str, spec: Any, options: Any) -> str:
    """HTML that draws one chart, once the page holds the bundle for `kind`."""
    return (
        f'<div class="nbdesk-chart" data-chart="{kind}"></div>'
        f'<script type="application/json">{_json_in_script(spec)}</script>'
        f'<script type="application/json">{_json_in_script(options)}</script>'
        + _DRAW
        % json.dumps(kind)
    )


def altair_versions(html: str) -> dict[str, str] | None:
    """The library versions Altair's default HTML asks for, or None for other HTML."""
    if "VEGA_DEBUG" not in html or "vegaEmbed" not in html:
        return None
    versions = {f"{lib.replace('-', '', 1)}_version": v for lib, v in _ALTAIR_VERSION.findall(html)}
    return versions or None


def _chart_of(data: dict[str, Any]) -> str | None:
    return next((mime for mime in CHART_KINDS if mime in data), None)


def draw_charts(nb: nbformat.NotebookNode) -> set[str]:
    """Rewrite `nb`'s chart outputs (in place) as HTML that draws them; the bundles needed."""
    needed: set[str] = set()
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data")
            if not isinstance(data, dict):
                continue
            mime = _chart_of(data)
            if mime is not None:
                kind = CHART_KINDS[mime]
                options = output.get("metadata", {}).get(mime)
                data["text/html"] = chart_html(kind, data[mime], options)
                needed.add(BUNDLES[kind])
                continue
            html = data.get("text/html")
            text = "".join(html) if isinstance(html, list) else html
            versions = altair_versions(text) if isinstance(text, str) else None
            if versions is not None:
                marked = f"<script>var VEGA_DEBUG = {json.dumps(versions)};</script>"
                data["text/html"] = marked + str(text)
                needed.add(BUNDLES["vega-lite"])
    return needed


def bundle_scripts(names: set[str], web_dir: Path | None = None) -> list[str]:
    """The bundles' code, ready to sit inside a `<script>` element of the page's head."""
    folder = web_dir or web_dist()
    scripts = []
    for name in sorted(names):
        path = folder / name
        try:
            code = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise FileNotFoundError(
                f"the chart renderer {path} is missing ({exc.strerror}): build the page "
                "with `make web` (or `npm run build` in web/)"
            ) from exc
        scripts.append(re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE))
    return scripts
