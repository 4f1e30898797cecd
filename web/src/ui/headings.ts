/**
 * Markdown headings as the outline and collapsible sections see them, as pure functions:
 * the headings in a cell's source, a cell's heading level (its first heading, as
 * JupyterLab takes it), whether a heading cell is collapsed
 * (`metadata.jupyter.heading_collapsed`, JupyterLab's key, so it round-trips through
 * .ipynb), and which cells a collapsed heading hides: those below it up to the next
 * heading of the same or a higher level.
 */

import type { CellId } from "../doc/ids.ts";
import type { Cell } from "../doc/notebook.ts";
import { parseMetadata, withJupyterFlag } from "./cell-metadata.ts";

export interface Heading {
  readonly cellId: CellId;
  /** 1 for `#`, 6 for `######`. */
  readonly level: number;
  /** The heading's words, markup trimmed. */
  readonly text: string;
}

const ATX = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** Inline markup a heading's words do not need in an outline. */
function plainText(text: string): string {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[*_`]+/g, "")
    .replace(/<[^>]+>/g, "")
    .trim();
}

/** The headings in markdown `source`, in order (none inside fenced code). */
export function headingsIn(source: string, cellId: CellId): Heading[] {
  const headings: Heading[] = [];
  let fence: string | null = null;
  let previous = "";
  for (const line of source.split("\n")) {
    const fenceMark = FENCE.exec(line)?.[1];
    if (fence !== null) {
      if (fenceMark !== undefined && fenceMark[0] === fence[0] && fenceMark.length >= fence.length) {
        fence = null;
      }
      previous = "";
      continue;
    }
    if (fenceMark !== undefined) {
      fence = fenceMark;
      previous = "";
      continue;
    }
    const atx = ATX.exec(line);
    const setext = SETEXT.exec(line);
    if (atx !== null) {
      headings.push({ cellId, level: atx[1]?.length ?? 1, text: plainText(atx[2] ?? "") });
      previous = "";
    } else if (setext !== null && previous.trim() !== "") {
      headings.push({ cellId, level: setext[1]?.startsWith("=") === true ? 1 : 2, text: plainText(previous) });
      previous = "";
    } else {
      previous = line;
    }
  }
  return headings;
}

/** Every markdown heading of the notebook, in display order. */
export function outlineOf(cells: readonly Cell[]): Heading[] {
  return cells.flatMap((cell) => (cell.cellType === "markdown" ? headingsIn(cell.source, cell.id) : []));
}

/** A markdown cell's first heading, which collapsing acts on; null for other cells. */
export function headingOf(cell: Cell): Heading | null {
  return cell.cellType === "markdown" ? (headingsIn(cell.source, cell.id)[0] ?? null) : null;
}

/** JupyterLab's `jupyter.heading_collapsed`, or the classic Notebook extension's top-level key. */
export function isCollapsed(cell: Cell): boolean {
  const metadata = parseMetadata(cell.metadata);
  const jupyter = metadata["jupyter"];
  const lab = typeof jupyter === "object" && jupyter !== null && "heading_collapsed" in jupyter;
  return lab ? jupyter.heading_collapsed === true : metadata["heading_collapsed"] === true;
}

/**
 * The cell's metadata JSON with `jupyter.heading_collapsed` set, or removed when not
 * collapsed (JupyterLab drops the key, and an empty `jupyter` with it).
 */
export function withCollapsed(metadata: string, collapsed: boolean): string {
  return withJupyterFlag(metadata, "heading_collapsed", collapsed, "heading_collapsed");
}

/** The cells that collapsed headings hide (display order in, a set of ids out). */
export function hiddenCells(cells: readonly Cell[]): Set<CellId> {
  const hidden = new Set<CellId>();
  let hidingBelow: number | null = null;
  for (const cell of cells) {
    const level = headingOf(cell)?.level ?? 0;
    if (hidingBelow !== null && (level === 0 || level > hidingBelow)) {
      hidden.add(cell.id);
      continue;
    }
    hidingBelow = level > 0 && isCollapsed(cell) ? level : null;
  }
  return hidden;
}

/** The collapsed heading cells that hide `cellId` (to expand when jumping to it). */
export function collapsedAbove(cells: readonly Cell[], cellId: CellId): CellId[] {
  const index = cells.findIndex((cell) => cell.id === cellId);
  const target = cells[index];
  if (target === undefined) {
    return [];
  }
  const hiding: CellId[] = [];
  // 0: not a heading cell, so the nearest heading above, of any level, owns it.
  let level = headingOf(target)?.level ?? 0;
  for (let i = index - 1; i >= 0; i -= 1) {
    const cell = cells[i];
    const heading = cell === undefined ? null : headingOf(cell);
    if (cell === undefined || heading === null || (level !== 0 && heading.level >= level)) {
      continue;
    }
    if (isCollapsed(cell)) {
      hiding.push(cell.id);
    }
    level = heading.level;
    if (level === 1) {
      break;
    }
  }
  return hiding;
}
