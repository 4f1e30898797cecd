/**
 * The cell selection as JupyterLab has it: an anchor and an active cell, and every cell
 * between them in display order. The active cell is where the keyboard acts and what
 * `select` moves; Shift-click and Shift-J/K move only the active end. Pure functions.
 */

import type { CellId } from "../doc/ids.ts";

/** The cells from `anchor` to `active` inclusive, in display order (just `active` when the anchor is gone). */
export function selectionRange(order: readonly CellId[], anchor: CellId | null, active: CellId | null): CellId[] {
  if (active === null) {
    return [];
  }
  const end = order.indexOf(active);
  if (end < 0) {
    return [];
  }
  const start = anchor === null ? -1 : order.indexOf(anchor);
  if (start < 0) {
    return [active];
  }
  return order.slice(Math.min(start, end), Math.max(start, end) + 1);
}
