/**
 * Which MIME type of an output bundle is shown: the first of MIME_ORDER the bundle holds.
 *
 * The order follows JupyterLab's renderer ranks: charts first, rich text and images before
 * code that must run, JSON and plain text last. Pure (no DOM), so it is unit-tested in Node.
 */

import type { ChartKind } from "../charts/contract.ts";

/** Charts, drawn by a bundle loaded in their frame (render/charts.ts), before any HTML the
 * bundle carries too. Altair 6 spells the v6 types with `.json`. */
export const CHART_MIMES = [
  "application/vnd.plotly.v1+json",
  "application/vnd.vega.v6+json",
  "application/vnd.vega.v6.json",
  "application/vnd.vega.v5+json",
  "application/vnd.vegalite.v6+json",
  "application/vnd.vegalite.v6.json",
  "application/vnd.vegalite.v5+json",
  "application/vnd.vegalite.v4+json",
] as const;

export type ChartMime = (typeof CHART_MIMES)[number];

export function isChartMime(mime: string): mime is ChartMime {
  return CHART_MIMES.some((chart) => chart === mime);
}

export function chartKind(mime: ChartMime): ChartKind {
  if (mime.startsWith("application/vnd.vegalite.")) {
    return "vega-lite";
  }
  return mime.startsWith("application/vnd.vega.") ? "vega" : "plotly";
}

/** Richest first: the first of these a bundle holds is the one shown. */
export const MIME_ORDER = [
  ...CHART_MIMES,
  "text/html",
  "text/markdown",
  "text/latex",
  "image/svg+xml",
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "application/geo+json",
  "application/javascript",
  "application/json",
  "text/plain",
] as const;

export type ShownMime = (typeof MIME_ORDER)[number];

export function chooseMime(mimes: Iterable<string>): ShownMime | null {
  const available = new Set(mimes);
  return MIME_ORDER.find((mime) => available.has(mime)) ?? null;
}
