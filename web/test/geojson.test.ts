import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { GeoJsonError, geoShapes, projection } from "../src/render/geojson.ts";
import { chooseMime } from "../src/render/mime.ts";

const square = {
  type: "Polygon",
  coordinates: [
    [
      [-5, -5],
      [5, -5],
      [5, 5],
      [-5, 5],
      [-5, -5],
    ],
  ],
};

describe("GeoJSON shapes", () => {
  it("collects points, lines and rings through features and collections", () => {
    const shapes = geoShapes({
      type: "FeatureCollection",
      features: [
        { type: "Feature", properties: {}, geometry: square },
        { type: "Feature", properties: {}, geometry: null },
        {
          type: "Feature",
          properties: {},
          geometry: {
            type: "GeometryCollection",
            geometries: [
              { type: "MultiPoint", coordinates: [[1, 2], [3, 4]] },
              { type: "MultiLineString", coordinates: [[[0, 0], [1, 1]]] },
            ],
          },
        },
      ],
    });
    assert.equal(shapes.rings.length, 1);
    assert.deepEqual(shapes.points, [[1, 2], [3, 4]]);
    assert.deepEqual(shapes.lines, [[[0, 0], [1, 1]]]);
  });

  it("says what is wrong with a value that is not GeoJSON", () => {
    assert.throws(() => geoShapes({ type: "Circle" }), /"Circle" is not a GeoJSON type/);
    assert.throws(() => geoShapes({ type: "Point", coordinates: ["x", 1] }), GeoJsonError);
    assert.throws(() => geoShapes({ type: "FeatureCollection", features: [] }), /no coordinates/);
    assert.throws(() => geoShapes([1, 2]), /not a JSON object/);
  });

  it("projects north up and keeps a square square at the equator", () => {
    const { project, height } = projection(geoShapes(square));
    const [left, bottom] = project([-5, -5]);
    const [right, top] = project([5, 5]);
    assert.ok(top < bottom, "north is up");
    assert.ok(Math.abs(right - left - (bottom - top)) < 0.5);
    assert.ok(height <= 480);
  });
});

describe("GeoJSON in a bundle", () => {
  it("is shown before JSON and plain text, after images", () => {
    assert.equal(chooseMime(["text/plain", "application/json", "application/geo+json"]), "application/geo+json");
    assert.equal(chooseMime(["application/geo+json", "image/png"]), "image/png");
  });
});
