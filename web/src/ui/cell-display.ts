/**
 * How much of a cell shows: its input hidden (`jupyter.source_hidden`), its outputs
 * hidden (`jupyter.outputs_hidden`) or shown in a scrolled box (`scrolled`), the keys
 * JupyterLab and the classic Notebook read and write, so the choice round-trips through
 * .ipynb and every window sees it. Pure functions; the toggle is one document edit over
 * the cells it acts on.
 */

import type { CellId } from "../doc/ids.ts";
import { type Cell, getCell, type NotebookDoc, setCellMetadata } from "../doc/notebook.ts";
import { jupyterFlag, parseMetadata, withJupyterFlag, withTopFlag } from "./cell-metadata.ts";

/** What can be folded away: the input, the outputs, or the outputs' full height. */
export type DisplayPart = "input" | "outputs" | "scrolled";

export function isFolded(cell: Pick<Cell, "metadata">, part: DisplayPart): boolean {
  switch (part) {
    case "input":
      return jupyterFlag(cell.metadata, "source_hidden");
    case "outputs":
      return jupyterFlag(cell.metadata, "outputs_hidden");
    case "scrolled":
      return parseMetadata(cell.metadata)["scrolled"] === true;
  }
}

export function withFolded(metadata: string, part: DisplayPart, folded: boolean): string {
  switch (part) {
    case "input":
      return withJupyterFlag(metadata, "source_hidden", folded);
    case "outputs":
      return withJupyterFlag(metadata, "outputs_hidden", folded);
    case "scrolled":
      return withTopFlag(metadata, "scrolled", folded);
  }
}

/**
 * Fold `part` of every cell in `cellIds`, or unfold it in all of them when every one is
 * folded already (as a toggle over a selection: mixed selections fold first).
 */
export function toggleFolded(doc: NotebookDoc, cellIds: readonly CellId[], part: DisplayPart): NotebookDoc {
  const cells = cellIds.map((cellId) => getCell(doc, cellId)).filter((cell) => cell !== undefined);
  const fold = cells.some((cell) => !isFolded(cell, part));
  return setFolded(doc, cells, part, fold);
}

/** Fold or unfold `part` of these cells. */
export function setFolded(doc: NotebookDoc, cells: readonly Cell[], part: DisplayPart, folded: boolean): NotebookDoc {
  let current = doc;
  for (const cell of cells) {
    current = setCellMetadata(current, cell.id, withFolded(cell.metadata, part, folded));
  }
  return current;
}
