import assert from "node:assert/strict";
import { describe, it } from "node:test";

import * as A from "@automerge/automerge/slim";

import { newCellId } from "../src/doc/ids.ts";
import { deleteCell, getCell, insertCell, type NotebookDoc, orderedCells } from "../src/doc/notebook.ts";
import {
  CellClipboard,
  type CellSnapshot,
  type ClipboardStorage,
  DeletedCells,
  snapshotOf,
} from "../src/ui/cell-clipboard.ts";
import { freshCellIds, insertSnapshots, splitCell } from "../src/ui/cell-edits.ts";
import { daemonDoc } from "./helpers.ts";

class MemoryStorage implements ClipboardStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

const snapshot = (source: string, cellType: CellSnapshot["cellType"] = "code"): CellSnapshot => ({
  cellType,
  source,
  outputs: cellType === "code" ? ["a".repeat(64)] : [],
  executionCount: cellType === "code" ? 3 : null,
  metadata: '{"tags":["x"]}',
  attachments: cellType === "markdown" ? '{"a.png":{"image/png":"iVBORw0KGgo="}}' : null,
});

function notebook(sources: string[]): NotebookDoc {
  let doc = daemonDoc();
  sources.forEach((source, index) => {
    doc = insertCell(doc, index, { cellId: newCellId(), cellType: "code", source });
  });
  return doc;
}

const sources = (doc: NotebookDoc): string[] => orderedCells(doc).map((cell) => cell.source);

describe("cell clipboard", () => {
  it("shares copies through storage, so another window pastes them", () => {
    const storage = new MemoryStorage();
    new CellClipboard(storage).put([snapshot("x = 1"), snapshot("# hi", "markdown")]);
    assert.deepEqual(new CellClipboard(storage).cells, [snapshot("x = 1"), snapshot("# hi", "markdown")]);
  });

  it("keeps its own copy without storage or when storage holds garbage", () => {
    const alone = new CellClipboard(null);
    assert.deepEqual(alone.cells, []);
    alone.put([snapshot("y")]);
    assert.deepEqual(alone.cells, [snapshot("y")]);
    const storage = new MemoryStorage();
    const clipboard = new CellClipboard(storage);
    clipboard.put([snapshot("z")]);
    storage.setItem("nbdesk:cell-clipboard", '[{"cellType":"python"}]');
    assert.deepEqual(clipboard.cells, [snapshot("z")]);
    storage.setItem("nbdesk:cell-clipboard", "not json");
    assert.deepEqual(clipboard.cells, [snapshot("z")]);
  });

  it("reads a copy an older window stored without attachments", () => {
    const storage = new MemoryStorage();
    const older: Record<string, unknown> = { ...snapshot("x = 1") };
    Reflect.deleteProperty(older, "attachments");
    storage.setItem("nbdesk:cell-clipboard", JSON.stringify([older]));
    assert.deepEqual(new CellClipboard(storage).cells, [snapshot("x = 1")]);
  });

  it("survives a storage that throws", () => {
    const broken: ClipboardStorage = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("quota");
      },
    };
    const clipboard = new CellClipboard(broken);
    clipboard.put([snapshot("w")]);
    assert.deepEqual(clipboard.cells, [snapshot("w")]);
  });
});

describe("deleted cells", () => {
  it("pops the newest deletion first and keeps at most the limit", () => {
    const deleted = new DeletedCells(2);
    deleted.push({ index: 0, cells: [snapshot("a")] });
    deleted.push({ index: 1, cells: [snapshot("b")] });
    deleted.push({ index: 2, cells: [snapshot("c")] });
    assert.equal(deleted.size, 2);
    assert.equal(deleted.pop()?.cells[0]?.source, "c");
    assert.equal(deleted.pop()?.cells[0]?.source, "b");
    assert.equal(deleted.pop(), undefined);
  });

  it("restores a deleted cell with its type, source, outputs and index", () => {
    let doc = notebook(["first", "second", "third"]);
    const second = orderedCells(doc)[1];
    assert.ok(second !== undefined);
    doc = A.change(doc, (draft) => {
      const record = draft.cells?.[second.id];
      if (record !== undefined) {
        record.outputs = [new A.ImmutableString("b".repeat(64))];
        record.execution_count = 7;
      }
    });
    const saved = snapshotOf(getCell(doc, second.id) ?? second);
    doc = deleteCell(doc, second.id);
    assert.deepEqual(sources(doc), ["first", "third"]);
    const ids = freshCellIds(doc, 1);
    doc = insertSnapshots(doc, 1, [saved], ids);
    assert.deepEqual(sources(doc), ["first", "second", "third"]);
    const restored = orderedCells(doc)[1];
    assert.equal(restored?.id, ids[0]);
    assert.deepEqual(restored?.outputs, ["b".repeat(64)]);
    assert.equal(restored.executionCount, 7);
    assert.equal(restored.cellType, "code");
  });
});

describe("cell edits", () => {
  it("pastes several cells in order under fresh, distinct ids", () => {
    let doc = notebook(["a", "b"]);
    const ids = freshCellIds(doc, 3);
    assert.equal(new Set(ids).size, 3);
    doc = insertSnapshots(doc, 1, [snapshot("p1"), snapshot("p2", "markdown"), snapshot("p3", "raw")], ids);
    assert.deepEqual(sources(doc), ["a", "p1", "p2", "p3", "b"]);
    assert.deepEqual(
      orderedCells(doc).map((cell) => cell.cellType),
      ["code", "code", "markdown", "raw", "code"],
    );
    assert.equal(getCell(doc, ids[1] ?? newCellId())?.metadata, '{"tags":["x"]}');
  });

  it("splits a cell at the cursor, dropping the newlines at the cut", () => {
    let doc = notebook(["before", "x = 1\ny = 2\n\nz = 3", "after"]);
    const cell = orderedCells(doc)[1];
    assert.ok(cell !== undefined);
    const [lower] = freshCellIds(doc, 1);
    assert.ok(lower !== undefined);
    doc = splitCell(doc, cell.id, 1, "x = 1\ny = 2\n".length, lower);
    assert.deepEqual(sources(doc), ["before", "x = 1\ny = 2", "z = 3", "after"]);
    assert.equal(orderedCells(doc)[2]?.id, lower);
    assert.equal(orderedCells(doc)[1]?.id, cell.id, "the upper half keeps the cell");
  });

  it("splits at either end into an empty cell", () => {
    let doc = notebook(["only"]);
    const cell = orderedCells(doc)[0];
    assert.ok(cell !== undefined);
    const [lower] = freshCellIds(doc, 1);
    assert.ok(lower !== undefined);
    doc = splitCell(doc, cell.id, 0, 99, lower);
    assert.deepEqual(sources(doc), ["only", ""]);
  });
});
