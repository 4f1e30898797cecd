/**
 * The part of plotly.js's dist bundle the chart frame uses, typed for a figure that
 * arrives as JSON (plotly.js's own types describe figures built in TypeScript).
 */
declare module "plotly.js-dist-min/plotly.min.js" {
  interface PlotlyDist {
    newPlot(root: HTMLElement, figure: Readonly<Record<string, unknown>>): Promise<unknown>;
  }
  const Plotly: PlotlyDist;
  export default Plotly;
}
