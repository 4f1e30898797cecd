import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { type CellId, isCellId } from "../src/doc/ids.ts";
import type { Cell } from "../src/doc/notebook.ts";
import { estimateHeight, HeightMemory, LAYOUT, sameCell, visibleRange } from "../src/ui/cell-heights.ts";

function cellId(id: string): CellId {
  assert.ok(isCellId(id));
  return id;
}

function cell(id: string, source: string, outputs: string[] = []): Cell {
  return {
    id: cellId(id),
    cellType: "code",
    position: "a0",
    source,
    executionCount: null,
    outputs,
    metadata: "{}",
    attachments: null,
  };
}

describe("cell height estimates", () => {
  it("grow with source lines and outputs", () => {
    const one = estimateHeight(cell("a", "x"));
    const four = estimateHeight(cell("a", "a\nb\nc\nd"));
    assert.ok(Math.abs(four - one - 3 * LAYOUT.editorLine) <= 1);
    const withOutputs = estimateHeight(cell("a", "x", ["h1", "h2"]));
    assert.equal(withOutputs - one, LAYOUT.outputsChrome + 2 * LAYOUT.output);
    assert.ok(estimateHeight(cell("a", "")) > 0);
  });

  it("prefer a measured height and carry later content changes forward", () => {
    const memory = new HeightMemory();
    const before = cell("a", "x", ["h1"]);
    assert.equal(memory.heightOf(before), estimateHeight(before));
    memory.remember(before, 300);
    assert.equal(memory.heightOf(before), 300);
    const twoMoreLines = cell("a", "x\ny\nz", ["h1"]);
    assert.equal(memory.heightOf(twoMoreLines), 300 + 2 * LAYOUT.editorLine);
    assert.equal(memory.heightOf(cell("b", "x", ["h1"])), estimateHeight(before), "per cell id");
    memory.remember(before, Number.NaN);
    memory.remember(before, 0);
    assert.equal(memory.heightOf(before), 300, "nonsense measurements are ignored");
    memory.forget("a");
    assert.equal(memory.has("a"), false);
    assert.equal(memory.heightOf(before), estimateHeight(before));
  });
});

describe("visible range", () => {
  const heights = Array.from({ length: 100 }, () => 100);

  it("covers the viewport and the margins on both sides", () => {
    assert.deepEqual(visibleRange(heights, 0, 250, 0), { start: 0, end: 3 });
    assert.deepEqual(visibleRange(heights, 1000, 250, 0), { start: 10, end: 13 });
    assert.deepEqual(visibleRange(heights, 1000, 250, 200), { start: 8, end: 15 });
    assert.deepEqual(visibleRange(heights, 1050, 100, 0), { start: 10, end: 12 });
  });

  it("counts the gap between cells and clamps at both ends", () => {
    assert.deepEqual(visibleRange(heights, 0, 250, 0, 10), { start: 0, end: 3 });
    assert.deepEqual(visibleRange(heights, 1100, 100, 0, 10), { start: 10, end: 11 });
    assert.deepEqual(visibleRange(heights, 9950, 500, 0), { start: 99, end: 100 });
    assert.deepEqual(visibleRange(heights, 20_000, 500, 0), { start: 100, end: 100 });
    assert.deepEqual(visibleRange([], 0, 500, 100), { start: 0, end: 0 });
    assert.deepEqual(visibleRange([50, 400, 50], 100, 100, 0), { start: 1, end: 2 });
  });
});

describe("sameCell", () => {
  it("sees every change that redraws a cell", () => {
    const base = cell("a", "x", ["h1"]);
    assert.ok(sameCell(base, cell("a", "x", ["h1"])));
    assert.ok(!sameCell(base, cell("a", "y", ["h1"])));
    assert.ok(!sameCell(base, cell("a", "x", ["h2"])));
    assert.ok(!sameCell(base, cell("a", "x", ["h1", "h2"])));
    assert.ok(!sameCell(base, { ...base, executionCount: 3 }));
    assert.ok(!sameCell(base, { ...base, cellType: "markdown" }));
  });
});
