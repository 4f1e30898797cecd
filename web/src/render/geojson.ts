/**
 * `application/geo+json` as a plain SVG outline: every point, line and polygon of the
 * value, projected equirectangularly (longitude scaled by the cosine of the middle
 * latitude) into a fixed-width box. No map tiles, since nbdesk fetches nothing from the
 * network; a value that is not GeoJSON is shown as a JSON tree under a note saying why.
 * The SVG is built with DOM calls from numbers only, so it needs no sandbox.
 */

import { h } from "../ui/dom.ts";
import { isRecord } from "../util/guards.ts";
import { jsonTree } from "./json-view.ts";

export type Position = readonly [number, number];

/** The shapes of a GeoJSON value: points, open lines and closed rings. */
export interface Shapes {
  readonly points: Position[];
  readonly lines: Position[][];
  readonly rings: Position[][];
}

export class GeoJsonError extends Error {}

function position(value: unknown): Position {
  if (!Array.isArray(value) || value.length < 2) {
    throw new GeoJsonError("a position is not an array of at least two numbers");
  }
  const x: unknown = value[0];
  const y: unknown = value[1];
  if (typeof x !== "number" || typeof y !== "number" || !Number.isFinite(x) || !Number.isFinite(y)) {
    throw new GeoJsonError("a position is not an array of at least two numbers");
  }
  return [x, y];
}

function positions(value: unknown): Position[] {
  if (!Array.isArray(value)) {
    throw new GeoJsonError("coordinates are not an array");
  }
  return value.map(position);
}

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) {
    throw new GeoJsonError(`${what} is not an array`);
  }
  return value;
}

function collect(value: unknown, into: Shapes, depth: number): void {
  if (depth > 32) {
    throw new GeoJsonError("geometries are nested too deeply");
  }
  if (!isRecord(value)) {
    throw new GeoJsonError("a GeoJSON object is not a JSON object");
  }
  const coordinates = value["coordinates"];
  switch (value["type"]) {
    case "FeatureCollection":
      list(value["features"], "features").forEach((feature) => collect(feature, into, depth + 1));
      return;
    case "Feature":
      if (value["geometry"] !== null) {
        collect(value["geometry"], into, depth + 1);
      }
      return;
    case "GeometryCollection":
      list(value["geometries"], "geometries").forEach((geometry) => collect(geometry, into, depth + 1));
      return;
    case "Point":
      into.points.push(position(coordinates));
      return;
    case "MultiPoint":
      into.points.push(...positions(coordinates));
      return;
    case "LineString":
      into.lines.push(positions(coordinates));
      return;
    case "MultiLineString":
      into.lines.push(...list(coordinates, "coordinates").map(positions));
      return;
    case "Polygon":
      into.rings.push(...list(coordinates, "coordinates").map(positions));
      return;
    case "MultiPolygon":
      for (const polygon of list(coordinates, "coordinates")) {
        into.rings.push(...list(polygon, "a polygon").map(positions));
      }
      return;
    default:
      throw new GeoJsonError(`"${String(value["type"])}" is not a GeoJSON type`);
  }
}

/** The shapes of a GeoJSON value; GeoJsonError says what is wrong with one that is not. */
export function geoShapes(value: unknown): Shapes {
  const shapes: Shapes = { points: [], lines: [], rings: [] };
  collect(value, shapes, 0);
  if (shapes.points.length + shapes.lines.length + shapes.rings.length === 0) {
    throw new GeoJsonError("it holds no coordinates");
  }
  return shapes;
}

const WIDTH = 480;
const PAD = 8;
const MAX_HEIGHT = 480;

/** A projection of the shapes' bounds into a WIDTH-wide box (at most MAX_HEIGHT high). */
export function projection(shapes: Shapes): { project: (p: Position) => Position; height: number } {
  const all = [...shapes.points, ...shapes.lines.flat(), ...shapes.rings.flat()];
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const squash = Math.cos((((minY + maxY) / 2) * Math.PI) / 180) || 1;
  const spanX = Math.max((maxX - minX) * squash, 1e-9);
  const spanY = Math.max(maxY - minY, 1e-9);
  const scale = Math.min((WIDTH - 2 * PAD) / spanX, (MAX_HEIGHT - 2 * PAD) / spanY);
  const height = Math.max(Math.round(spanY * scale + 2 * PAD), 2 * PAD + 1);
  const project = (p: Position): Position => [
    PAD + (p[0] - minX) * squash * scale,
    height - PAD - (p[1] - minY) * scale,
  ];
  return { project, height };
}

const SVG = "http://www.w3.org/2000/svg";

function svgElement(tag: string, attributes: Readonly<Record<string, string>>): SVGElement {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    element.setAttribute(name, value);
  }
  return element;
}

function pathData(points: readonly Position[], closed: boolean): string {
  const steps = points.map(([x, y], i) => `${i === 0 ? "M" : "L"}${x.toFixed(1)},${y.toFixed(1)}`);
  return steps.join("") + (closed ? "Z" : "");
}

/** The outline of `value`, or the JSON tree with why it cannot be drawn. */
export function geoJsonOutput(value: unknown): HTMLElement {
  let shapes: Shapes;
  try {
    shapes = geoShapes(value);
  } catch (error) {
    if (!(error instanceof GeoJsonError)) {
      throw error;
    }
    const note = `Not drawable as GeoJSON (${error.message}); shown as JSON:`;
    return h("div", { class: "geojson-output", "data-geojson": "invalid" }, h("p", { class: "geojson-note" }, note), jsonTree(value));
  }
  const { project, height } = projection(shapes);
  const svg = svgElement("svg", {
    class: "geojson-map",
    width: String(WIDTH),
    height: String(height),
    viewBox: `0 0 ${WIDTH} ${height}`,
    role: "img",
    "aria-label": `GeoJSON outline: ${shapes.rings.length} rings, ${shapes.lines.length} lines, ${shapes.points.length} points`,
  });
  for (const ring of shapes.rings) {
    svg.append(svgElement("path", { class: "geojson-ring", d: pathData(ring.map(project), true) }));
  }
  for (const line of shapes.lines) {
    svg.append(svgElement("path", { class: "geojson-line", d: pathData(line.map(project), false) }));
  }
  for (const point of shapes.points) {
    const [cx, cy] = project(point);
    svg.append(svgElement("circle", { class: "geojson-point", cx: cx.toFixed(1), cy: cy.toFixed(1), r: "3" }));
  }
  const caption = h("p", { class: "geojson-note" }, "GeoJSON outline (no map tiles: nbdesk works offline)");
  return h("div", { class: "geojson-output", "data-geojson": "drawn" }, svg, caption);
}
