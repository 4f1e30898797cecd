/**
 * dist/charts-vega.js: draws Vega and Vega-Lite outputs with vega-embed, inside the
 * output's frame (or an exported HTML page).
 *
 * It also sets the globals `vega`, `vegaLite` and `vegaEmbed`: Altair's default renderer
 * emits HTML that uses those when they are already there (its `VEGA_DEBUG` check), and
 * loads them from a CDN otherwise; the frame preloads this bundle for such HTML so the
 * chart draws offline (render/charts.ts).
 */

import * as vega from "vega";
import embed, { type VisualizationSpec } from "vega-embed";
import * as vegaLite from "vega-lite";
import { isRecord } from "../util/guards.ts";
import type { ChartKind, DrawChart } from "./contract.ts";

function isSpec(value: unknown): value is VisualizationSpec {
  return isRecord(value);
}

function drawWith(mode: ChartKind & ("vega" | "vega-lite")): DrawChart {
  return async (element, spec, options) => {
    if (!isSpec(spec)) {
      throw new Error(`a ${mode === "vega" ? "Vega" : "Vega-Lite"} spec is a JSON object`);
    }
    const embedOptions = isRecord(options) && isRecord(options["embed_options"]) ? options["embed_options"] : {};
    // No actions menu by default: its export, source and editor entries need downloads and
    // popups, which the sandboxed frame does not allow.
    await embed(element, spec, { mode, actions: false, ...embedOptions });
  };
}

declare global {
  var vega: typeof import("vega") | undefined;
  var vegaLite: typeof import("vega-lite") | undefined;
  var vegaEmbed: typeof embed | undefined;
}

globalThis.vega = vega;
globalThis.vegaLite = vegaLite;
globalThis.vegaEmbed = embed;
globalThis.nbdeskCharts = { ...globalThis.nbdeskCharts, vega: drawWith("vega"), "vega-lite": drawWith("vega-lite") };
