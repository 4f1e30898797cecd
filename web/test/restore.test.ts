import assert from "node:assert/strict";
import { describe, it } from "node:test";

import * as A from "@automerge/automerge/slim";

import { type CellId, newCellId } from "../src/doc/ids.ts";
import {
  deleteCell,
  insertCell,
  moveCell,
  type NotebookDoc,
  orderedCells,
  replaceSource,
} from "../src/doc/notebook.ts";
import { allCellIds, restoreCells } from "../src/doc/restore.ts";
import { daemonDoc, syncAll } from "./helpers.ts";

const HASH = "a".repeat(64);

function withCells(sources: string[]): { doc: NotebookDoc; ids: CellId[] } {
  let doc = daemonDoc();
  const ids: CellId[] = [];
  sources.forEach((source, index) => {
    const cellId = newCellId();
    ids.push(cellId);
    doc = insertCell(doc, index, { cellId, cellType: "code", source, outputs: index === 1 ? [HASH] : [], executionCount: index === 1 ? 3 : null });
  });
  return { doc, ids };
}

function sources(doc: NotebookDoc): string[] {
  return orderedCells(doc).map((cell) => cell.source);
}

describe("restoring cells from a past point", () => {
  it("brings a deleted cell back in its place, with its outputs and count", () => {
    const { doc, ids } = withCells(["a", "b", "c"]);
    const then = A.getHeads(doc);
    const deleted = ids[1] ?? newCellId();
    const now = deleteCell(doc, deleted);
    const result = restoreCells(now, A.view(now, then), [deleted]);
    assert.deepEqual(result.added, [deleted]);
    assert.deepEqual(sources(result.doc), ["a", "b", "c"]);
    const back = orderedCells(result.doc)[1];
    assert.ok(back !== undefined);
    assert.equal(back.id, deleted);
    assert.deepEqual(back.outputs, [HASH]);
    assert.equal(back.executionCount, 3);
  });

  it("restores one cell's source and leaves the others as they are now", () => {
    const { doc, ids } = withCells(["a", "b"]);
    const then = A.getHeads(doc);
    let now = replaceSource(doc, ids[0] ?? newCellId(), "a changed");
    now = replaceSource(now, ids[1] ?? newCellId(), "b changed");
    const result = restoreCells(now, A.view(now, then), [ids[0] ?? newCellId()]);
    assert.deepEqual(result.restored, [ids[0]]);
    assert.deepEqual(sources(result.doc), ["a", "b changed"]);
  });

  it("restores the whole notebook: order, deletions and additions, as one change", () => {
    const { doc, ids } = withCells(["a", "b", "c"]);
    const then = A.getHeads(doc);
    let now = moveCell(doc, ids[0] ?? newCellId(), 2);
    now = insertCell(now, 0, { cellId: newCellId(), cellType: "markdown", source: "new" });
    now = deleteCell(now, ids[2] ?? newCellId());
    const before = A.getAllChanges(now).length;
    const past = A.view(now, then);
    const result = restoreCells(now, past, allCellIds(now, past));
    assert.deepEqual(sources(result.doc), ["a", "b", "c"]);
    assert.equal(A.getAllChanges(result.doc).length, before + 1);
  });

  it("is undone by restoring the same cells to the heads before it", () => {
    const { doc, ids } = withCells(["a", "b"]);
    const then = A.getHeads(doc);
    const now = deleteCell(replaceSource(doc, ids[0] ?? newCellId(), "edited"), ids[1] ?? newCellId());
    const beforeRestore = A.getHeads(now);
    const past = A.view(now, then);
    const restored = restoreCells(now, past, allCellIds(now, past));
    assert.deepEqual(sources(restored.doc), ["a", "b"]);
    const touched = [...restored.restored, ...restored.added, ...restored.removed];
    const undone = restoreCells(restored.doc, A.view(restored.doc, beforeRestore), touched);
    assert.deepEqual(sources(undone.doc), ["edited"]);
  });

  it("changes nothing when the cells are already as they were", () => {
    const { doc, ids } = withCells(["a"]);
    const result = restoreCells(doc, A.view(doc, A.getHeads(doc)), ids);
    assert.equal(result.doc, doc);
    assert.deepEqual(result.restored, []);
  });

  it("syncs to another replica like any edit", () => {
    const { doc, ids } = withCells(["a", "b"]);
    const then = A.getHeads(doc);
    const now = deleteCell(doc, ids[0] ?? newCellId());
    let other = A.clone(now);
    const result = restoreCells(now, A.view(now, then), [ids[0] ?? newCellId()]);
    [, other] = syncAll(result.doc, other);
    assert.deepEqual(sources(other), ["a", "b"]);
  });
});
