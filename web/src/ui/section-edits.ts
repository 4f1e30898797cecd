/**
 * Collapsing and expanding markdown sections as document edits: the heading cell's
 * `metadata.jupyter.heading_collapsed` (headings.ts), so every window and the .ipynb file
 * see the same state. Pure functions over the document.
 */

import type { CellId } from "../doc/ids.ts";
import { getCell, type NotebookDoc, orderedCells, setCellMetadata } from "../doc/notebook.ts";
import { collapsedAbove, isCollapsed, withCollapsed } from "./headings.ts";

/** Collapse a heading cell's section if it is expanded, expand it if collapsed. */
export function toggleSection(doc: NotebookDoc, cellId: CellId): NotebookDoc {
  const cell = getCell(doc, cellId);
  return cell === undefined ? doc : setCellMetadata(doc, cellId, withCollapsed(cell.metadata, !isCollapsed(cell)));
}

/** Expand every collapsed section that hides `cellId`. */
export function expandTo(doc: NotebookDoc, cellId: CellId): NotebookDoc {
  let current = doc;
  for (const headingId of collapsedAbove(orderedCells(doc), cellId)) {
    const cell = getCell(current, headingId);
    if (cell !== undefined) {
      current = setCellMetadata(current, headingId, withCollapsed(cell.metadata, false));
    }
  }
  return current;
}
