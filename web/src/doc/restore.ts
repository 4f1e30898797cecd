/**
 * Restoring cells from a past version of the document as one new change on top of the
 * present one (so it syncs like any edit and can itself be restored away).
 *
 * `past` is a read-only view of the same document at older heads (`A.view(doc, heads)`).
 * For each cell asked for: present in both, its content (type, source, outputs, count,
 * metadata, attachments) becomes the past one; only in the past, it comes back with its
 * id and outputs, after the nearest cell before it that still exists; only in the
 * present, it is deleted. Pure: no DOM, no session.
 */

import * as A from "@automerge/automerge/slim";
import { generateKeyBetween } from "fractional-indexing";

import type { CellId } from "./ids.ts";
import {
  type Cell,
  compareCells,
  getCell,
  isSynced,
  type NotebookDoc,
  NotebookError,
  orderedCells,
} from "./notebook.ts";

/** What a restore did, to report it and to undo it. */
export interface RestoreResult {
  readonly doc: NotebookDoc;
  readonly restored: readonly CellId[];
  readonly added: readonly CellId[];
  readonly removed: readonly CellId[];
}

/** Every cell id of either version: restoring all of them restores the whole notebook. */
export function allCellIds(present: NotebookDoc, past: NotebookDoc): CellId[] {
  const ids = new Set<CellId>([...orderedCells(past), ...orderedCells(present)].map((cell) => cell.id));
  return [...ids];
}

function sameContent(a: Cell, b: Cell): boolean {
  return (
    a.cellType === b.cellType &&
    a.source === b.source &&
    a.executionCount === b.executionCount &&
    a.metadata === b.metadata &&
    a.attachments === b.attachments &&
    a.outputs.length === b.outputs.length &&
    a.outputs.every((hash, i) => hash === b.outputs[i])
  );
}

/**
 * A position for `cell` (coming back) just after the last cell that came before it in
 * the past and is in `order` now, and before the next one there.
 */
function placeBack(cell: Cell, pastOrder: readonly Cell[], order: readonly Cell[]): string {
  const present = new Map(order.map((item, index) => [item.id, index]));
  const at = pastOrder.findIndex((item) => item.id === cell.id);
  let index = 0;
  for (let i = at - 1; i >= 0; i -= 1) {
    const earlier = pastOrder[i];
    const found = earlier === undefined ? undefined : present.get(earlier.id);
    if (found !== undefined) {
      index = found + 1;
      break;
    }
  }
  const before = order[index - 1]?.position ?? null;
  const after = order[index]?.position ?? null;
  if (before !== null && after !== null && before >= after) {
    return before + "V"; // tied neighbours: sort after `before` (ties break by id)
  }
  return generateKeyBetween(before, after);
}

/** Restore `cellIds` to how `past` has them (see the module docstring); one change. */
export function restoreCells(
  present: NotebookDoc,
  past: NotebookDoc,
  cellIds: readonly CellId[],
  message = "restore from history",
): RestoreResult {
  if (!isSynced(present) || !isSynced(past)) {
    throw new NotebookError("the document has not synced yet", "not_synced");
  }
  const pastOrder = orderedCells(past);
  const order = orderedCells(present);
  const restored: CellId[] = [];
  const added: { cell: Cell; position: string }[] = [];
  const removed: CellId[] = [];
  const wholeNotebook = new Set(cellIds).size === allCellIds(present, past).length;
  for (const cellId of cellIds) {
    const then = getCell(past, cellId);
    const now = getCell(present, cellId);
    if (then === undefined && now !== undefined) {
      removed.push(cellId);
    } else if (then !== undefined && now === undefined) {
      const position = wholeNotebook ? then.position : placeBack(then, pastOrder, order);
      added.push({ cell: then, position });
      order.push({ ...then, position });
      order.sort(compareCells);
    } else if (then !== undefined && now !== undefined) {
      if (!sameContent(then, now) || (wholeNotebook && then.position !== now.position)) {
        restored.push(cellId);
      }
    }
  }
  if (restored.length === 0 && added.length === 0 && removed.length === 0) {
    return { doc: present, restored, added: [], removed };
  }
  const doc = A.change(present, { message }, (draft) => {
    const cells = draft.cells;
    if (cells === undefined) {
      return;
    }
    for (const cellId of removed) {
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- how an Automerge map drops a key
      delete cells[cellId];
    }
    for (const { cell, position } of added) {
      cells[cell.id] = {
        id: new A.ImmutableString(cell.id),
        cell_type: new A.ImmutableString(cell.cellType),
        position: new A.ImmutableString(position),
        source: cell.source,
        execution_count: cell.executionCount,
        outputs: cell.outputs.map((hash) => new A.ImmutableString(hash)),
        metadata: new A.ImmutableString(cell.metadata),
        ...(cell.attachments === null ? {} : { attachments: new A.ImmutableString(cell.attachments) }),
      };
    }
    for (const cellId of restored) {
      const record = cells[cellId];
      const then = getCell(past, cellId);
      if (record === undefined || then === undefined) {
        continue;
      }
      record.cell_type = new A.ImmutableString(then.cellType);
      A.updateText(draft, ["cells", cellId, "source"], then.source);
      record.execution_count = then.executionCount;
      record.outputs = then.outputs.map((hash) => new A.ImmutableString(hash));
      record.metadata = new A.ImmutableString(then.metadata);
      if (then.attachments === null) {
        delete record.attachments;
      } else {
        record.attachments = new A.ImmutableString(then.attachments);
      }
      if (wholeNotebook) {
        record.position = new A.ImmutableString(then.position);
      }
    }
  });
  return { doc, restored, added: added.map(({ cell }) => cell.id), removed };
}
