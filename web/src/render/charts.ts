/**
 * Charts in output frames: Plotly figures and Vega / Vega-Lite specs are drawn inside the
 * same sandboxed frame as untrusted HTML (render/frames.ts), by a bundle the frame loads
 * from the page's server the first time such an output is drawn (src/charts/). The page
 * itself never loads a chart library.
 *
 * Altair's default renderer emits HTML that loads Vega from a CDN unless `vegaEmbed` is
 * already there; such HTML gets the Vega bundle preloaded, so it draws offline.
 */

import { CHART_BUNDLES, type ChartKind } from "../charts/contract.ts";
import { sandboxedFrame } from "./frames.ts";
import { type ChartMime, chartKind } from "./mime.ts";

/** Before the chart reports its height, the frame holds about as much room as it will take. */
const PLACEHOLDER_HEIGHT: Readonly<Record<ChartKind, number>> = { plotly: 450, vega: 320, "vega-lite": 320 };

function bundleUrl(kind: ChartKind): string {
  return new URL(CHART_BUNDLES[kind], document.baseURI).href;
}

/** JSON text inside a `<script type="application/json">`: `<` escaped, so it cannot end it. */
function jsonInScript(json: string): string {
  return json.replace(/</g, "\\u003c");
}

/** A script element loading `url`; if it cannot, the frame says so instead of staying blank. */
function scriptTag(url: string): string {
  const missing = `document.body.prepend(${JSON.stringify(`Could not load the chart renderer (${url}).`)})`;
  return `<script src="${url}" onerror='${missing.replace(/&/g, "&amp;").replace(/'/g, "&#39;")}'></script>`;
}

/**
 * The frame of a chart output: `specJson` is the output's JSON text for its MIME type,
 * `options` that MIME type's output metadata.
 */
export function chartFrame(mime: ChartMime, specJson: string, options: unknown): HTMLIFrameElement {
  const kind = chartKind(mime);
  const body = `<div id="chart" class="nbdesk-chart"></div>
<script type="application/json" id="chart-spec">${jsonInScript(specJson)}</script>
<script type="application/json" id="chart-options">${jsonInScript(JSON.stringify(options ?? null))}</script>
${scriptTag(bundleUrl(kind))}
<script>(function(){
var element = document.getElementById("chart");
function fail(message){ var pre = document.createElement("pre"); pre.className = "chart-error";
pre.style.color = "#c33"; pre.style.whiteSpace = "pre-wrap"; pre.textContent = message; element.replaceChildren(pre); }
var draw = window.nbdeskCharts && window.nbdeskCharts[${JSON.stringify(kind)}];
if (!draw) { return; }
Promise.resolve().then(function(){
  return draw(element, JSON.parse(document.getElementById("chart-spec").textContent),
    JSON.parse(document.getElementById("chart-options").textContent));
}).then(function(){ element.dataset.drawn = "true"; },
  function(error){ fail("Could not draw this chart: " + (error && error.message || error)); });
})();</script>`;
  const frame = sandboxedFrame(body, "chart-output", `${kind} chart`);
  frame.dataset["chart"] = kind;
  frame.style.height = `${PLACEHOLDER_HEIGHT[kind]}px`;
  return frame;
}

/** The library versions Altair's default (universal) HTML template asks for, or null. */
export function altairVersions(html: string): Record<string, string> | null {
  if (!html.includes("VEGA_DEBUG") || !html.includes("vegaEmbed")) {
    return null;
  }
  const versions: Record<string, string> = {};
  for (const match of html.matchAll(/maybeLoadScript\("(vega|vega-lite|vega-embed)", "([^"]*)"\)/g)) {
    const [, lib = "", version = ""] = match;
    versions[`${lib.replace("-", "")}_version`] = version;
  }
  return Object.keys(versions).length > 0 ? versions : null;
}

/**
 * A text/html output: Altair's chart HTML gets the Vega bundle first, marked as the versions
 * it asks for, so its loader finds `vegaEmbed` and fetches nothing; other HTML is unchanged.
 */
export function htmlOutputHtml(html: string): string {
  const versions = altairVersions(html);
  if (versions === null) {
    return html;
  }
  return `${scriptTag(bundleUrl("vega-lite"))}<script>var VEGA_DEBUG = ${JSON.stringify(versions)};</script>${html}`;
}
