"""The HTML export's chart rewriting (pure; the browser side is in
tests/web/test_browser_charts.py, which opens an exported page offline)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from nbdesk.daemon.client.export_charts import bundle_scripts, draw_charts


def notebook(*bundles: dict) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data=b) for b in bundles]
    nb = nbformat.v4.new_notebook()
    nb.cells = [cell]
    return nb


def test_chart_types_win_over_html_and_other_outputs_stay() -> None:
    plotly = {"data": [{"type": "bar", "y": [1]}], "layout": {}}
    nb = notebook(
        {"application/vnd.plotly.v1+json": plotly, "text/html": "<div>cdn plot</div>"},
        {"text/html": "<b>plain</b>"},
    )
    assert draw_charts(nb) == {"charts-plotly.js"}
    shown, plain = nb.cells[0].outputs
    assert 'data-chart="plotly"' in shown.data["text/html"]
    assert shown.data["application/vnd.plotly.v1+json"] == plotly
    assert plain.data == {"text/html": "<b>plain</b>"}


def test_a_spec_cannot_end_its_script() -> None:
    nb = notebook({"application/vnd.vegalite.v5+json": {"title": "</script><b>x</b>"}})
    assert draw_charts(nb) == {"charts-vega.js"}
    html = nb.cells[0].outputs[0].data["text/html"]
    assert "</script><b>" not in html and "\\u003c/script>\\u003cb>" in html


def test_altair_html_is_marked_with_the_versions_it_asks_for() -> None:
    altair = (
        '<div id="v"></div><script>var VEGA_DEBUG = {}; maybeLoadScript("vega", "6")'
        '.then(() => maybeLoadScript("vega-lite", "6.4.1"))'
        '.then(() => maybeLoadScript("vega-embed", "7")).then(() => vegaEmbed(1));</script>'
    )
    nb = notebook({"text/html": altair})
    assert draw_charts(nb) == {"charts-vega.js"}
    html = nb.cells[0].outputs[0].data["text/html"]
    assert html.startswith(
        '<script>var VEGA_DEBUG = {"vega_version": "6", "vegalite_version": "6.4.1", '
        '"vegaembed_version": "7"};</script>'
    )
    assert html.endswith(altair)


def test_a_missing_bundle_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="make web"):
        bundle_scripts({"charts-plotly.js"}, tmp_path)
