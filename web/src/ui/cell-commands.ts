/**
 * The cell commands that hold cells outside the document: delete with undo (D D / Z),
 * copy, cut and paste (C / X / V), each on one cell or a selection, and split at the
 * cursor. Each is one document edit
 * through the host, which also owns selection, focus and messages.
 */

import type { CellId } from "../doc/ids.ts";
import { type Cell, getCell, type NotebookDoc } from "../doc/notebook.ts";
import { deleteCells } from "./block-edits.ts";
import {
  CellClipboard,
  type CellSnapshot,
  type ClipboardStorage,
  DeletedCells,
  snapshotOf,
} from "./cell-clipboard.ts";
import { freshCellIds, insertSnapshots, splitCell } from "./cell-edits.ts";

export interface CellCommandHost {
  doc(): NotebookDoc;
  /** Apply an edit; false when the document refused it (the host reports why). */
  edit(edit: (doc: NotebookDoc) => NotebookDoc): boolean;
  /** Select a cell, then focus its editor (`edit`) or stay in command mode. */
  show(cellId: CellId, edit: boolean): void;
  /** The cursor's offset in a cell's editor. */
  cursorOf(cellId: CellId): number;
  message(text: string): void;
}

export class CellCommands {
  readonly #host: CellCommandHost;
  readonly #clipboard: CellClipboard;
  readonly #deleted = new DeletedCells();

  constructor(host: CellCommandHost, storage: ClipboardStorage | null) {
    this.#host = host;
    this.#clipboard = new CellClipboard(storage);
  }

  /** Delete cells (the first at `index` of the order), remembering them for `undoDelete`. */
  delete(cellIds: readonly CellId[], index: number): void {
    const cells = this.#cells(cellIds);
    if (cells.length > 0 && this.#host.edit((doc) => deleteCells(doc, cellIds))) {
      this.#deleted.push({ index, cells: cells.map(snapshotOf) });
    }
  }

  undoDelete(editing: boolean): void {
    const deletion = this.#deleted.pop();
    if (deletion === undefined) {
      this.#host.message("No deleted cell to restore");
      return;
    }
    this.#insert(deletion.index, deletion.cells, editing);
  }

  copy(cellIds: readonly CellId[]): void {
    const cells = this.#cells(cellIds);
    if (cells.length > 0) {
      this.#clipboard.put(cells.map(snapshotOf));
    }
  }

  cut(cellIds: readonly CellId[], index: number): void {
    this.copy(cellIds);
    this.delete(cellIds, index);
  }

  paste(index: number, editing: boolean): void {
    const cells = this.#clipboard.cells;
    if (cells.length === 0) {
      this.#host.message("No copied cell to paste");
      return;
    }
    this.#insert(index, cells, editing);
  }

  /** Split at the editor's cursor; the lower half is edited next, as in JupyterLab. */
  split(cellId: CellId, index: number): void {
    const cursor = this.#host.cursorOf(cellId);
    const [lower] = freshCellIds(this.#host.doc(), 1);
    if (lower !== undefined && this.#host.edit((doc) => splitCell(doc, cellId, index, cursor, lower))) {
      this.#host.show(lower, true);
    }
  }

  #cells(cellIds: readonly CellId[]): Cell[] {
    const doc = this.#host.doc();
    return cellIds.map((cellId) => getCell(doc, cellId)).filter((cell) => cell !== undefined);
  }

  #insert(index: number, cells: readonly CellSnapshot[], editing: boolean): void {
    const cellIds = freshCellIds(this.#host.doc(), cells.length);
    const last = cellIds[cellIds.length - 1];
    if (this.#host.edit((doc) => insertSnapshots(doc, index, cells, cellIds)) && last !== undefined) {
      this.#host.show(last, editing);
    }
  }
}
