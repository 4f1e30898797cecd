/**
 * Document edits made of several cell operations: putting copied or deleted cells back,
 * and splitting a cell at the cursor. Pure functions over the document, built from the
 * accessors in doc/notebook.ts.
 */

import { type CellId, newCellId } from "../doc/ids.ts";
import { getCell, insertCell, isCellType, type NotebookDoc, NotebookError, replaceSource } from "../doc/notebook.ts";
import type { CellSnapshot } from "./cell-clipboard.ts";

/** `count` new cell ids, distinct from each other and from the document's. */
export function freshCellIds(doc: NotebookDoc, count: number): CellId[] {
  const ids: CellId[] = [];
  while (ids.length < count) {
    ids.push(newCellId((id) => ids.includes(id) || getCell(doc, id) !== undefined));
  }
  return ids;
}

/** Insert `cells` as new cells from `index` on, the i-th under `cellIds[i]`. */
export function insertSnapshots(
  doc: NotebookDoc,
  index: number,
  cells: readonly CellSnapshot[],
  cellIds: readonly CellId[],
): NotebookDoc {
  let current = doc;
  cells.forEach((cell, offset) => {
    const cellId = cellIds[offset];
    if (cellId === undefined) {
      throw new RangeError(`no id for pasted cell ${offset}`);
    }
    current = insertCell(current, index + offset, {
      cellId,
      cellType: cell.cellType,
      source: cell.source,
      outputs: cell.outputs,
      executionCount: cell.executionCount,
      metadata: cell.metadata,
      attachments: cell.attachments,
    });
  });
  return current;
}

/**
 * Split the cell at `index` of the order at UTF-16 offset `at`: it keeps the text before
 * (and its outputs), a new cell `newId` of the same type below gets the text after. The
 * newlines at the cut are dropped, as JupyterLab does.
 */
export function splitCell(
  doc: NotebookDoc,
  cellId: CellId,
  index: number,
  at: number,
  newId: CellId,
): NotebookDoc {
  const cell = getCell(doc, cellId);
  if (cell === undefined) {
    throw new NotebookError(`no cell ${JSON.stringify(cellId)}`, "no_such_cell");
  }
  const cut = Math.max(0, Math.min(at, cell.source.length));
  const head = cell.source.slice(0, cut).replace(/\n+$/, "");
  const tail = cell.source.slice(cut).replace(/^\n+/, "");
  const kept = replaceSource(doc, cellId, head);
  return insertCell(kept, index + 1, {
    cellId: newId,
    cellType: isCellType(cell.cellType) ? cell.cellType : "code",
    source: tail,
  });
}
