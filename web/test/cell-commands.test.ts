import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { type CellId, newCellId } from "../src/doc/ids.ts";
import { insertCell, type NotebookDoc, orderedCells } from "../src/doc/notebook.ts";
import { CellCommands, type CellCommandHost } from "../src/ui/cell-commands.ts";
import { daemonDoc } from "./helpers.ts";

/** A host over a real document that records what the commands asked of the window. */
class RecordingHost implements CellCommandHost {
  current: NotebookDoc;
  cursor = 0;
  readonly shown: Array<[number, boolean]> = [];
  readonly messages: string[] = [];

  constructor(sources: string[]) {
    let doc = daemonDoc();
    sources.forEach((source, index) => {
      doc = insertCell(doc, index, { cellId: newCellId(), cellType: "code", source });
    });
    this.current = doc;
  }

  doc(): NotebookDoc {
    return this.current;
  }

  edit(edit: (doc: NotebookDoc) => NotebookDoc): boolean {
    this.current = edit(this.current);
    return true;
  }

  show(cellId: CellId, edit: boolean): void {
    this.shown.push([this.ids().indexOf(cellId), edit]);
  }

  cursorOf(): number {
    return this.cursor;
  }

  message(text: string): void {
    this.messages.push(text);
  }

  ids(): CellId[] {
    return orderedCells(this.current).map((cell) => cell.id);
  }

  sources(): string[] {
    return orderedCells(this.current).map((cell) => cell.source);
  }

  id(index: number): CellId {
    const cellId = this.ids()[index];
    assert.ok(cellId !== undefined);
    return cellId;
  }
}

describe("cell commands", () => {
  it("undo restores deletions newest first, each at its index", () => {
    const host = new RecordingHost(["a", "b", "c"]);
    const commands = new CellCommands(host, null);
    commands.delete([host.id(1)], 1);
    commands.delete([host.id(0)], 0);
    assert.deepEqual(host.sources(), ["c"]);
    commands.undoDelete(false);
    assert.deepEqual(host.sources(), ["a", "c"]);
    commands.undoDelete(false);
    assert.deepEqual(host.sources(), ["a", "b", "c"]);
    assert.deepEqual(host.shown, [[0, false], [1, false]]);
    commands.undoDelete(false);
    assert.deepEqual(host.messages, ["No deleted cell to restore"]);
  });

  it("cuts, copies and pastes whole cells", () => {
    const host = new RecordingHost(["a", "b"]);
    const commands = new CellCommands(host, null);
    commands.paste(0, false);
    assert.deepEqual(host.messages, ["No copied cell to paste"]);
    commands.cut([host.id(0)], 0);
    assert.deepEqual(host.sources(), ["b"]);
    commands.paste(1, false);
    commands.paste(2, true);
    assert.deepEqual(host.sources(), ["b", "a", "a"]);
    assert.deepEqual(host.shown, [[1, false], [2, true]]);
    commands.copy([host.id(0)]);
    commands.paste(0, false);
    assert.deepEqual(host.sources(), ["b", "b", "a", "a"]);
    commands.undoDelete(false);
    assert.deepEqual(host.sources(), ["a", "b", "b", "a", "a"], "a cut can be undone too");
  });

  it("deletes, copies and pastes a selection as one, and Z brings it all back", () => {
    const image = JSON.stringify({ "x.png": { "image/png": "iVBORw0KGgo=" } });
    const host = new RecordingHost(["a", "b"]);
    host.current = insertCell(host.current, 2, {
      cellId: newCellId(),
      cellType: "code",
      source: "c",
      outputs: ["f".repeat(64)],
      executionCount: 3,
    });
    host.current = insertCell(host.current, 3, {
      cellId: newCellId(),
      cellType: "markdown",
      source: "![x](attachment:x.png)",
      attachments: image,
    });
    const commands = new CellCommands(host, null);
    commands.copy([host.id(2), host.id(3)]);
    commands.paste(0, false);
    assert.deepEqual(host.sources(), ["c", "![x](attachment:x.png)", "a", "b", "c", "![x](attachment:x.png)"]);
    const [code, markdown] = orderedCells(host.current);
    assert.deepEqual([code?.outputs, code?.executionCount], [["f".repeat(64)], 3], "outputs travel");
    assert.equal(markdown?.attachments, image, "attachments travel");

    commands.delete([host.id(1), host.id(2), host.id(3)], 1);
    assert.deepEqual(host.sources(), ["c", "c", "![x](attachment:x.png)"]);
    commands.undoDelete(false);
    assert.deepEqual(host.sources(), ["c", "![x](attachment:x.png)", "a", "b", "c", "![x](attachment:x.png)"]);
    assert.equal(orderedCells(host.current)[1]?.attachments, image);
  });

  it("splits at the editor's cursor and edits the lower half", () => {
    const host = new RecordingHost(["x = 1\ny = 2"]);
    host.cursor = "x = 1\n".length;
    new CellCommands(host, null).split(host.id(0), 0);
    assert.deepEqual(host.sources(), ["x = 1", "y = 2"]);
    assert.deepEqual(host.shown, [[1, true]]);
  });
});
