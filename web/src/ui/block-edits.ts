/**
 * Edits to several cells at once, as pure functions over the document: moving a run of
 * cells up, down or before another cell (only positions change, so outputs and ids stay),
 * deleting several, and merging several into one (JupyterLab's Shift-M: the sources joined
 * by a blank line, in the type and metadata of the first, without outputs). A collapsed
 * heading moves with the cells it hides, and a move steps over a collapsed section as
 * over one cell, as in JupyterLab.
 */

import type { CellId } from "../doc/ids.ts";
import {
  type Cell,
  deleteCell,
  insertCell,
  isCellType,
  moveCell,
  type NotebookDoc,
  orderedCells,
} from "../doc/notebook.ts";
import { hiddenCells } from "./headings.ts";

function idsInOrder(doc: NotebookDoc, cellIds: readonly CellId[]): CellId[] {
  const wanted = new Set(cellIds);
  return orderedCells(doc)
    .map((cell) => cell.id)
    .filter((cellId) => wanted.has(cellId));
}

/** `cellIds` and every cell a collapsed heading among them hides, in display order. */
export function withSections(doc: NotebookDoc, cellIds: readonly CellId[]): CellId[] {
  const cells = orderedCells(doc);
  const hidden = hiddenCells(cells);
  const wanted = new Set(cellIds);
  const result: CellId[] = [];
  let taking = false;
  for (const cell of cells) {
    // A hidden cell belongs to the nearest shown cell above it: a collapsed heading.
    taking = wanted.has(cell.id) || (taking && hidden.has(cell.id));
    if (taking) {
      result.push(cell.id);
    }
  }
  return result;
}

/**
 * Move the run of cells `cellIds` (contiguous in display order), with the sections their
 * collapsed headings hide, one shown place up or down: the neighbour, a collapsed section
 * counting as one, jumps to the other side, so only its positions are rewritten.
 */
export function moveBlock(doc: NotebookDoc, cellIds: readonly CellId[], direction: "up" | "down"): NotebookDoc {
  const cells = orderedCells(doc);
  const order = cells.map((cell) => cell.id);
  const hidden = hiddenCells(cells);
  const isHidden = (index: number): boolean => {
    const cellId = order[index];
    return cellId !== undefined && hidden.has(cellId);
  };
  const indices = withSections(doc, cellIds).map((cellId) => order.indexOf(cellId));
  if (indices.length === 0) {
    return doc;
  }
  const first = Math.min(...indices);
  const last = Math.max(...indices);
  if (direction === "up") {
    let start = first - 1;
    while (start > 0 && isHidden(start)) {
      start -= 1;
    }
    const neighbour = order.slice(Math.max(start, 0), first);
    return neighbour.length === 0 ? doc : moveBlockBefore(doc, neighbour, order[last + 1] ?? null);
  }
  let end = last + 1;
  while (isHidden(end + 1)) {
    end += 1;
  }
  const neighbour = order.slice(last + 1, end + 1);
  const firstId = order[first];
  return neighbour.length === 0 || firstId === undefined ? doc : moveBlockBefore(doc, neighbour, firstId);
}

/** Move `cellIds` (in their display order) to just before `before`, or to the end when null. */
export function moveBlockBefore(doc: NotebookDoc, cellIds: readonly CellId[], before: CellId | null): NotebookDoc {
  const moving = idsInOrder(doc, cellIds);
  if (before !== null && moving.includes(before)) {
    return doc;
  }
  let current = doc;
  let previous: CellId | null = null;
  for (const cellId of moving) {
    const others = orderedCells(current)
      .map((cell) => cell.id)
      .filter((other) => other !== cellId);
    const index =
      previous !== null
        ? others.indexOf(previous) + 1
        : before === null
          ? others.length
          : Math.max(others.indexOf(before), 0);
    current = moveCell(current, cellId, index);
    previous = cellId;
  }
  return current;
}

export function deleteCells(doc: NotebookDoc, cellIds: readonly CellId[]): NotebookDoc {
  return cellIds.reduce((current, cellId) => deleteCell(current, cellId), doc);
}

/** Every attachment of `cells`, the first cell's winning a name both use. */
function mergedAttachments(cells: readonly Cell[]): string | null {
  const merged: Record<string, unknown> = {};
  for (const cell of [...cells].reverse()) {
    if (cell.attachments === null) {
      continue;
    }
    try {
      const parsed: unknown = JSON.parse(cell.attachments);
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
        Object.assign(merged, parsed);
      }
    } catch {
      // An unreadable attachments value is left behind with its cell.
    }
  }
  return Object.keys(merged).length > 0 ? JSON.stringify(merged) : null;
}

/**
 * Replace `cellIds` (two or more, in display order) by one new cell `mergedId` where the
 * first of them was; fewer than two known cells leave the document as it is.
 */
export function mergeCells(doc: NotebookDoc, cellIds: readonly CellId[], mergedId: CellId): NotebookDoc {
  const wanted = new Set(cellIds);
  const order = orderedCells(doc);
  const cells = order.filter((cell) => wanted.has(cell.id));
  const first = cells[0];
  if (first === undefined || cells.length < 2) {
    return doc;
  }
  const inserted = insertCell(doc, order.indexOf(first), {
    cellId: mergedId,
    cellType: isCellType(first.cellType) ? first.cellType : "code",
    source: cells.map((cell) => cell.source).join("\n\n"),
    metadata: first.metadata,
    attachments: mergedAttachments(cells),
  });
  return deleteCells(
    inserted,
    cells.map((cell) => cell.id),
  );
}
