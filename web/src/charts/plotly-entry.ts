/**
 * dist/charts-plotly.js: draws `application/vnd.plotly.v1+json` outputs (a figure's
 * `data`, `layout`, `config` and `frames`) with plotly.js's dist bundle, inside the
 * output's frame (or an exported HTML page). Plotly's own notebook renderer emits that
 * MIME type, so figures show without loading anything from the network.
 */

import Plotly from "plotly.js-dist-min/plotly.min.js";
import { isRecord } from "../util/guards.ts";
import type { DrawChart } from "./contract.ts";

const drawPlotly: DrawChart = async (element, spec) => {
  if (!isRecord(spec) || !Array.isArray(spec["data"])) {
    throw new Error("a Plotly figure is an object with a `data` list");
  }
  const config = isRecord(spec["config"]) ? spec["config"] : {};
  // Responsive: the figure follows the output's width when the window is resized.
  await Plotly.newPlot(element, { ...spec, config: { responsive: true, ...config } });
};

globalThis.nbdeskCharts = { ...globalThis.nbdeskCharts, plotly: drawPlotly };
