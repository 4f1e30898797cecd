import assert from "node:assert/strict";
import { describe, it } from "node:test";

import * as A from "@automerge/automerge/slim";

import { type CellId, isCellId, newCellId } from "../src/doc/ids.ts";
import {
  insertCell,
  moveCell,
  type NotebookDoc,
  orderedCells,
  replaceSource,
  getCell,
} from "../src/doc/notebook.ts";
import { daemonDoc } from "./helpers.ts";

function id(value: string): CellId {
  if (!isCellId(value)) {
    throw new Error("bad id");
  }
  return value;
}

function withCells(sources: string[]): { doc: NotebookDoc; ids: CellId[] } {
  let doc = daemonDoc();
  const ids: CellId[] = [];
  sources.forEach((source, index) => {
    const cellId = newCellId();
    ids.push(cellId);
    doc = insertCell(doc, index, { cellId, cellType: "code", source });
  });
  return { doc, ids };
}

const sources = (doc: NotebookDoc): string[] => orderedCells(doc).map((cell) => cell.source);

describe("cell order", () => {
  it("orders by position, ties broken by id", () => {
    const doc = A.change(daemonDoc(), (draft) => {
      const cells = draft.cells;
      if (cells === undefined) {
        return;
      }
      for (const [cellId, position] of [
        ["b", "a1"],
        ["a", "a1"],
        ["c", "a0"],
      ] as const) {
        cells[cellId] = {
          id: new A.ImmutableString(cellId),
          cell_type: new A.ImmutableString("code"),
          position: new A.ImmutableString(position),
          source: cellId,
          execution_count: null,
          outputs: [],
          metadata: new A.ImmutableString("{}"),
        };
      }
    });
    assert.deepEqual(
      orderedCells(doc).map((cell) => cell.id),
      ["c", "a", "b"],
    );
  });

  it("moves a cell up and down by rewriting only its position", () => {
    const { doc, ids } = withCells(["one", "two", "three"]);
    const [first, , third] = ids;
    assert.ok(first !== undefined && third !== undefined);
    const down = moveCell(A.clone(doc), first, 1);
    assert.deepEqual(sources(down), ["two", "one", "three"]);
    const up = moveCell(A.clone(doc), third, 1);
    assert.deepEqual(sources(up), ["one", "three", "two"]);
    const top = moveCell(A.clone(doc), third, 0);
    assert.deepEqual(sources(top), ["three", "one", "two"]);
    assert.equal(getCell(top, first)?.position, getCell(doc, first)?.position);
  });

  it("inserts between tied neighbours", () => {
    const { doc, ids } = withCells(["one", "two"]);
    const tied = A.change(doc, (draft) => {
      for (const cellId of ids) {
        const cell = draft.cells?.[cellId];
        if (cell !== undefined) {
          cell.position = new A.ImmutableString("a0");
        }
      }
    });
    const before = orderedCells(tied).map((cell) => cell.source);
    const inserted = insertCell(tied, 1, { cellId: id("0000beef"), cellType: "markdown", source: "mid" });
    assert.deepEqual(sources(inserted), [before[0], "mid", before[1]]);
  });

  it("replaces a source with the smallest edit", () => {
    const { doc, ids } = withCells(["print(1)"]);
    const [cellId] = ids;
    assert.ok(cellId !== undefined);
    const replaced = replaceSource(doc, cellId, "print(12)");
    assert.equal(getCell(replaced, cellId)?.source, "print(12)");
  });

  it("mints eight-hex-digit cell ids", () => {
    assert.match(newCellId(), /^[0-9a-f]{8}$/);
    const taken = new Set<string>();
    const first = newCellId();
    taken.add(first);
    assert.notEqual(newCellId((candidate) => taken.has(candidate)), first);
  });
});
