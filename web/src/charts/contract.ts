/**
 * The seam between the page and the chart bundles (dist/charts-plotly.js and
 * dist/charts-vega.js), which run only inside an output's sandboxed frame, never in the
 * page: the frame loads the bundle its chart needs, so a notebook without charts loads
 * neither. A bundle adds its draw functions to `globalThis.nbdeskCharts` by kind; the
 * frame's script (render/charts.ts, and the HTML export's copy in
 * daemon/client/export_charts.py) calls the one its output needs. Only types and names
 * live here, so the page never pulls in a chart library.
 */

export type ChartKind = "plotly" | "vega" | "vega-lite";

/**
 * Draws `spec` (the output's JSON) into `element`; `options` is the output's metadata
 * for its MIME type (Altair puts vega-embed's options there as `embed_options`).
 * Rejects with a message that says what was wrong with the spec.
 */
export type DrawChart = (element: HTMLElement, spec: unknown, options: unknown) => Promise<void>;

/** The file (in dist/, next to the page) that draws each kind. */
export const CHART_BUNDLES: Readonly<Record<ChartKind, string>> = {
  plotly: "charts-plotly.js",
  vega: "charts-vega.js",
  "vega-lite": "charts-vega.js",
};

declare global {
  var nbdeskCharts: Partial<Record<ChartKind, DrawChart>> | undefined;
}
