import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { type CellId, newCellId } from "../src/doc/ids.ts";
import { getCell, insertCell, type NotebookDoc, orderedCells, setCellMetadata } from "../src/doc/notebook.ts";
import { deleteCells, mergeCells, moveBlock, moveBlockBefore, withSections } from "../src/ui/block-edits.ts";
import { isFolded, toggleFolded, withFolded } from "../src/ui/cell-display.ts";
import { selectionRange } from "../src/ui/cell-selection.ts";
import { withCollapsed } from "../src/ui/headings.ts";
import { cellsToRun } from "../src/ui/run-actions.ts";
import * as A from "@automerge/automerge/slim";

import { daemonDoc } from "./helpers.ts";

function notebook(sources: string[]): [NotebookDoc, CellId[]] {
  let doc = daemonDoc();
  const ids: CellId[] = [];
  sources.forEach((source, index) => {
    const cellId = newCellId();
    ids.push(cellId);
    doc = insertCell(doc, index, { cellId, cellType: "code", source });
  });
  return [doc, ids];
}

const sources = (doc: NotebookDoc): string[] => orderedCells(doc).map((cell) => cell.source);

function at(ids: readonly CellId[], index: number): CellId {
  const cellId = ids[index];
  assert.ok(cellId !== undefined);
  return cellId;
}

describe("selection range", () => {
  const order = ["a", "b", "c", "d"].map(() => newCellId());
  it("runs from the anchor to the active cell, either way, in display order", () => {
    assert.deepEqual(selectionRange(order, at(order, 1), at(order, 3)), order.slice(1, 4));
    assert.deepEqual(selectionRange(order, at(order, 3), at(order, 1)), order.slice(1, 4));
    assert.deepEqual(selectionRange(order, at(order, 2), at(order, 2)), [at(order, 2)]);
  });
  it("is the active cell alone when the anchor is gone, and empty without an active cell", () => {
    assert.deepEqual(selectionRange(order, newCellId(), at(order, 0)), [at(order, 0)]);
    assert.deepEqual(selectionRange(order, at(order, 0), null), []);
    assert.deepEqual(selectionRange(order, at(order, 0), newCellId()), []);
  });
});

describe("block edits", () => {
  it("moves a run of cells up and down by rewriting one position", () => {
    const [doc, ids] = notebook(["a", "b", "c", "d", "e"]);
    const up = moveBlock(A.clone(doc), [at(ids, 2), at(ids, 3)], "up");
    assert.deepEqual(sources(up), ["a", "c", "d", "b", "e"]);
    const down = moveBlock(A.clone(doc), [at(ids, 1), at(ids, 2)], "down");
    assert.deepEqual(sources(down), ["a", "d", "b", "c", "e"]);
    assert.deepEqual(sources(moveBlock(A.clone(doc), [at(ids, 0)], "up")), sources(doc), "nothing above the first");
    const moved = orderedCells(up).filter((cell, i) => cell.position !== orderedCells(doc)[i]?.position);
    assert.ok(moved.length <= 3, "positions change only where the order did");
    assert.deepEqual(
      orderedCells(up).map((cell) => cell.id),
      [at(ids, 0), at(ids, 2), at(ids, 3), at(ids, 1), at(ids, 4)],
      "ids (and so outputs) stay",
    );
  });

  it("moves a collapsed heading with its hidden section and steps over a collapsed section as one", () => {
    // "# A" (collapsed) hides "a1", "## A2", "a2"; "# B" is shown, then "c".
    let doc = daemonDoc();
    const ids: CellId[] = [];
    for (const source of ["# A", "a1", "## A2", "a2", "# B", "c"]) {
      const cellId = newCellId();
      doc = insertCell(doc, ids.length, { cellId, cellType: source.startsWith("#") ? "markdown" : "code", source });
      ids.push(cellId);
    }
    doc = setCellMetadata(doc, at(ids, 0), withCollapsed("{}", true));
    assert.deepEqual(withSections(doc, [at(ids, 0)]), ids.slice(0, 4));
    assert.deepEqual(withSections(doc, [at(ids, 4)]), [at(ids, 4)], "an expanded heading moves alone");
    assert.deepEqual(sources(moveBlock(A.clone(doc), [at(ids, 0)], "down")), ["# B", "# A", "a1", "## A2", "a2", "c"]);
    assert.deepEqual(sources(moveBlock(A.clone(doc), [at(ids, 4)], "up")), ["# B", "# A", "a1", "## A2", "a2", "c"]);
    assert.deepEqual(sources(moveBlock(A.clone(doc), [at(ids, 5)], "up")), ["# A", "a1", "## A2", "a2", "c", "# B"]);
    const dropped = moveBlockBefore(A.clone(doc), withSections(doc, [at(ids, 0)]), null);
    assert.deepEqual(sources(dropped), ["# B", "c", "# A", "a1", "## A2", "a2"]);
  });

  it("moves cells dragged before another cell or to the end, keeping their order", () => {
    const [doc, ids] = notebook(["a", "b", "c", "d", "e"]);
    const moved = moveBlockBefore(A.clone(doc), [at(ids, 3), at(ids, 4)], at(ids, 1));
    assert.deepEqual(sources(moved), ["a", "d", "e", "b", "c"]);
    assert.deepEqual(sources(moveBlockBefore(A.clone(doc), [at(ids, 1), at(ids, 0)], null)), ["c", "d", "e", "a", "b"]);
    assert.deepEqual(sources(moveBlockBefore(A.clone(doc), [at(ids, 1), at(ids, 2)], at(ids, 2))), sources(doc));
  });

  it("deletes several cells", () => {
    const [doc, ids] = notebook(["a", "b", "c"]);
    assert.deepEqual(sources(deleteCells(doc, [at(ids, 0), at(ids, 2)])), ["b"]);
  });

  it("merges cells into one where the first was, sources joined by a blank line, without outputs", () => {
    let [doc, ids] = notebook(["a = 1", "b = 2"]);
    const withOutputs = newCellId();
    doc = insertCell(doc, 1, {
      cellId: withOutputs,
      cellType: "code",
      source: "print(a)",
      outputs: ["c".repeat(64)],
      executionCount: 4,
    });
    doc = setCellMetadata(doc, at(ids, 0), '{"tags":["first"]}');
    ids = orderedCells(doc).map((cell) => cell.id);
    const merged = newCellId();
    const after = mergeCells(A.clone(doc), [at(ids, 2), at(ids, 0), at(ids, 1)], merged);
    assert.deepEqual(sources(after), ["a = 1\n\nprint(a)\n\nb = 2"]);
    const cell = getCell(after, merged);
    assert.ok(cell !== undefined);
    assert.deepEqual([cell.outputs, cell.executionCount, cell.metadata], [[], null, '{"tags":["first"]}']);
    assert.equal(mergeCells(doc, [at(ids, 0)], newCellId()), doc, "one cell: nothing to merge");
  });

  it("merges markdown attachments, the first cell's winning a shared name", () => {
    let doc = daemonDoc();
    const [first, second] = [newCellId(), newCellId()];
    doc = insertCell(doc, 0, { cellId: first, cellType: "markdown", source: "one", attachments: '{"a.png":{"image/png":"AA=="}}' });
    doc = insertCell(doc, 1, {
      cellId: second,
      cellType: "markdown",
      source: "two",
      attachments: '{"a.png":{"image/png":"BB=="},"b.png":{"image/png":"CC=="}}',
    });
    const merged = newCellId();
    const cell = getCell(mergeCells(doc, [first, second], merged), merged);
    assert.ok(cell !== undefined);
    assert.equal(cell.cellType, "markdown");
    assert.deepEqual(JSON.parse(cell.attachments ?? "{}"), {
      "a.png": { "image/png": "AA==" },
      "b.png": { "image/png": "CC==" },
    });
  });
});

describe("folded inputs and outputs", () => {
  it("writes JupyterLab's keys and removes them when unfolded", () => {
    const hidden = withFolded('{"tags":["t"]}', "input", true);
    assert.deepEqual(JSON.parse(hidden), { tags: ["t"], jupyter: { source_hidden: true } });
    const both = withFolded(hidden, "outputs", true);
    assert.deepEqual(JSON.parse(both), { tags: ["t"], jupyter: { source_hidden: true, outputs_hidden: true } });
    assert.deepEqual(JSON.parse(withFolded(withFolded(both, "input", false), "outputs", false)), { tags: ["t"] });
    assert.deepEqual(JSON.parse(withFolded("{}", "scrolled", true)), { scrolled: true });
    assert.deepEqual(JSON.parse(withFolded('{"scrolled":true}', "scrolled", false)), {});
  });

  it("reads what JupyterLab and the classic Notebook wrote, and survives junk", () => {
    assert.equal(isFolded({ metadata: '{"jupyter":{"outputs_hidden":true}}' }, "outputs"), true);
    assert.equal(isFolded({ metadata: '{"jupyter":{"source_hidden":false}}' }, "input"), false);
    assert.equal(isFolded({ metadata: '{"scrolled":"auto"}' }, "scrolled"), false);
    assert.equal(isFolded({ metadata: "not json" }, "input"), false);
    assert.equal(isFolded({ metadata: '{"jupyter":[1]}' }, "input"), false);
  });

  it("keeps the other jupyter keys (a collapsed heading) when folding", () => {
    const metadata = withFolded(withCollapsed("{}", true), "input", true);
    assert.deepEqual(JSON.parse(metadata), { jupyter: { heading_collapsed: true, source_hidden: true } });
  });

  it("toggles a selection: folds all while any is shown, else unfolds all", () => {
    const [doc, ids] = notebook(["a", "b"]);
    const one = toggleFolded(doc, [at(ids, 0)], "outputs");
    const all = toggleFolded(one, ids, "outputs");
    assert.deepEqual(orderedCells(all).map((cell) => isFolded(cell, "outputs")), [true, true]);
    const none = toggleFolded(all, ids, "outputs");
    assert.deepEqual(orderedCells(none).map((cell) => cell.metadata), ["{}", "{}"]);
  });
});

describe("run variants", () => {
  const order = ["a", "b", "c", "d"].map(() => newCellId());
  it("takes the selection, everything above it, or it and everything below", () => {
    const selection = [at(order, 1), at(order, 2)];
    assert.deepEqual(cellsToRun("selected", order, selection), selection);
    assert.deepEqual(cellsToRun("above", order, selection), [at(order, 0)]);
    assert.deepEqual(cellsToRun("below", order, selection), order.slice(1));
    assert.deepEqual(cellsToRun("above", order, []), []);
  });
});
