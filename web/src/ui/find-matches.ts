/**
 * Every match of a query in the notebook, from the document's cells (not the DOM), so
 * cells the virtual list has not drawn are searched too. A cell's matches come in the
 * order the reader sees them: its source (or a markdown cell's rendered text), then each
 * output's text.
 *
 * Pure over the texts it is given: where output and rendered texts come from (blobs, the
 * markdown renderer) is the caller's (notebook-find.ts).
 */

import type { CellId } from "../doc/ids.ts";
import type { Cell } from "../doc/notebook.ts";
import { type CompiledQuery, matchesIn, type TextRange } from "./find-query.ts";

/** Where in a cell a match is: only `source` matches can be replaced. */
export type MatchPlace = "source" | "rendered" | "output";

export interface NotebookMatch extends TextRange {
  readonly cellId: CellId;
  readonly place: MatchPlace;
  /** The output's index in the cell's outputs (-1 for source and rendered text). */
  readonly output: number;
  /** This match's rank among its place's matches (which DOM occurrence to highlight). */
  readonly nth: number;
}

export interface SearchScope {
  /** Also search text outputs. */
  readonly outputs: boolean;
  /** Search markdown cells as rendered instead of their source. */
  readonly renderedMarkdown: boolean;
}

export interface SearchTexts {
  /** An output's searchable text, or undefined while it is not loaded. */
  output(hash: string): string | undefined;
  /** A markdown source's text as rendered. */
  rendered(source: string): string;
}

function place(
  matches: NotebookMatch[],
  text: string,
  pattern: RegExp,
  at: { cellId: CellId; place: MatchPlace; output: number },
): void {
  matchesIn(text, pattern).forEach((range, nth) => matches.push({ ...at, ...range, nth }));
}

/** The query's matches in `cells` (display order); none for an empty or invalid query. */
export function findInCells(
  cells: readonly Cell[],
  query: CompiledQuery,
  scope: SearchScope,
  texts: SearchTexts,
): NotebookMatch[] {
  if (query.kind !== "ready") {
    return [];
  }
  const { pattern } = query;
  const matches: NotebookMatch[] = [];
  for (const cell of cells) {
    const cellId = cell.id;
    if (cell.cellType === "markdown" && scope.renderedMarkdown) {
      place(matches, texts.rendered(cell.source), pattern, { cellId, place: "rendered", output: -1 });
    } else {
      place(matches, cell.source, pattern, { cellId, place: "source", output: -1 });
    }
    if (scope.outputs) {
      cell.outputs.forEach((hash, output) => {
        const text = texts.output(hash);
        if (text !== undefined) {
          place(matches, text, pattern, { cellId, place: "output", output });
        }
      });
    }
  }
  return matches;
}

/** The source matches of one cell (what its editor highlights). */
export function sourceRangesOf(matches: readonly NotebookMatch[], cellId: CellId): TextRange[] {
  return matches.filter((m) => m.cellId === cellId && m.place === "source");
}

/** The index of the first match at or after (`forward`) or before a cell, wrapping around. */
export function nearestMatch(
  matches: readonly NotebookMatch[],
  order: readonly CellId[],
  cellId: CellId | null,
): number {
  if (matches.length === 0) {
    return -1;
  }
  const from = cellId === null ? 0 : order.indexOf(cellId);
  const rank = new Map(order.map((id, index) => [id, index]));
  const found = matches.findIndex((m) => (rank.get(m.cellId) ?? 0) >= from);
  return found < 0 ? 0 : found;
}
