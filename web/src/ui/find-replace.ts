/**
 * Replacing matches in cell sources as one document change, and undoing that change.
 *
 * A replacement is recorded with the text each cell had before and after, so "undo
 * replace" puts back exactly what the replace took out, in one change again. A cell that
 * was edited since (here or in another window) is left as it is and counted, so an undo
 * never throws away later work. Pure functions over the document.
 */

import type { CellId } from "../doc/ids.ts";
import { getCell, type NotebookDoc, type Splice, spliceSources } from "../doc/notebook.ts";
import type { NotebookMatch } from "./find-matches.ts";
import { type CompiledQuery, replacementFor } from "./find-query.ts";

/** One cell's part of a replace: its splices (right to left) and its text before and after. */
export interface CellReplacement {
  readonly cellId: CellId;
  readonly before: string;
  readonly after: string;
  readonly splices: readonly Splice[];
  /** The splices that turn `after` back into `before` (right to left too). */
  readonly inverse: readonly Splice[];
}

export interface ReplaceRecord {
  readonly cells: readonly CellReplacement[];
  readonly count: number;
}

/**
 * What replacing `matches` (source matches only; the others are skipped) with
 * `replacement` does to each cell of `doc`. Matches must not overlap (find never yields
 * overlapping ones).
 */
export function planReplace(
  doc: NotebookDoc,
  matches: readonly NotebookMatch[],
  query: CompiledQuery,
  replacement: string,
): ReplaceRecord {
  const byCell = new Map<CellId, NotebookMatch[]>();
  for (const match of matches) {
    if (match.place === "source") {
      byCell.set(match.cellId, [...(byCell.get(match.cellId) ?? []), match]);
    }
  }
  const cells: CellReplacement[] = [];
  let count = 0;
  for (const [cellId, cellMatches] of byCell) {
    const before = getCell(doc, cellId)?.source;
    if (before === undefined) {
      continue;
    }
    const ordered = [...cellMatches].sort((a, b) => a.from - b.from);
    // Where each replacement lands in the new text, to build the inverse.
    let shift = 0;
    const placed = ordered.map((match) => {
      const text = replacementFor(before, match, query, replacement);
      const at = match.from + shift;
      shift += text.length - (match.to - match.from);
      return { match, text, at };
    });
    let after = before;
    for (const { match, text } of [...placed].reverse()) {
      after = after.slice(0, match.from) + text + after.slice(match.to);
    }
    const splices = [...placed]
      .reverse()
      .map(({ match, text }) => ({ index: match.from, deleteCount: match.to - match.from, text }));
    const inverse = [...placed]
      .reverse()
      .map(({ match, text, at }) => ({ index: at, deleteCount: text.length, text: before.slice(match.from, match.to) }));
    cells.push({ cellId, before, after, splices, inverse });
    count += ordered.length;
  }
  return { cells, count };
}

/** Apply a planned replace as one change. */
export function applyReplace(doc: NotebookDoc, record: ReplaceRecord): NotebookDoc {
  return spliceSources(
    doc,
    record.cells.map((cell) => ({ cellId: cell.cellId, splices: cell.splices })),
  );
}

/** What an undo would do: the cells it restores and those edited since, left alone. */
export function planUndo(
  doc: NotebookDoc,
  record: ReplaceRecord,
): { readonly restore: readonly CellReplacement[]; readonly changedSince: number } {
  const restore = record.cells.filter((cell) => getCell(doc, cell.cellId)?.source === cell.after);
  return { restore, changedSince: record.cells.length - restore.length };
}

/** Put back the cells' texts from before the replace, as one change. */
export function applyUndo(doc: NotebookDoc, restore: readonly CellReplacement[]): NotebookDoc {
  return spliceSources(
    doc,
    restore.map((cell) => ({ cellId: cell.cellId, splices: cell.inverse })),
  );
}
