/**
 * Which cells a batch of remote patches touched (pure, no DOM), so a re-render can read
 * and redraw just those instead of every cell of a long notebook.
 *
 * The list itself changed when a cell was added, removed or moved (its `position`), or
 * when nothing says what changed (no patches: a local edit or a new document); the
 * caller then rebuilds the whole order. Patches outside `cells` (notebook metadata,
 * widgets) touch no cell.
 */

import type { Patch } from "@automerge/automerge/slim";

export interface CellChanges {
  readonly listChanged: boolean;
  readonly cells: ReadonlySet<string>;
}

export function cellChangesFromPatches(patches: readonly Patch[]): CellChanges {
  const cells = new Set<string>();
  if (patches.length === 0) {
    return { listChanged: true, cells };
  }
  for (const { path } of patches) {
    const [root, cellId, field] = path;
    if (root !== "cells") {
      continue;
    }
    if (typeof cellId !== "string" || field === undefined || field === "position") {
      return { listChanged: true, cells };
    }
    cells.add(cellId);
  }
  return { listChanged: false, cells };
}
