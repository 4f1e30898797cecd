/**
 * How tall a cell is before it is drawn, and which cells a viewport needs (pure, no DOM).
 *
 * Cells far from the viewport are placeholders of a guessed height: a guess from the
 * cell's content until the cell has been drawn once, then the measured height, carried
 * forward by how much the guess changed since (so a remote edit that adds lines to a
 * cell nobody is looking at still moves the scrollbar about right).
 *
 * This module does not own the DOM or decide when cells are drawn (`cell-window.ts`).
 */

import type { Cell } from "../doc/notebook.ts";

/** Pixel sizes matching style.css (13px monospace at line-height 1.5, paddings, margins). */
export const LAYOUT = {
  editorLine: 19.5,
  editorChrome: 14,
  cellChrome: 8,
  outputsChrome: 6,
  output: 40,
} as const;

/** A guess at a cell's height (its border box, without the margins between cells). */
export function estimateHeight(cell: Pick<Cell, "source" | "outputs">): number {
  let lines = 1;
  for (let i = cell.source.indexOf("\n"); i >= 0; i = cell.source.indexOf("\n", i + 1)) {
    lines += 1;
  }
  const editor = LAYOUT.editorChrome + lines * LAYOUT.editorLine;
  const outputs = cell.outputs.length === 0 ? 0 : LAYOUT.outputsChrome + cell.outputs.length * LAYOUT.output;
  return Math.round(LAYOUT.cellChrome + editor + outputs);
}

interface Measured {
  readonly height: number;
  /** The estimate when it was measured, to carry later content changes forward. */
  readonly estimate: number;
}

/** Measured heights by cell id; everything else is estimated. */
export class HeightMemory {
  readonly #measured = new Map<string, Measured>();

  remember(cell: Pick<Cell, "id" | "source" | "outputs">, height: number): void {
    if (Number.isFinite(height) && height > 0) {
      this.#measured.set(cell.id, { height, estimate: estimateHeight(cell) });
    }
  }

  heightOf(cell: Pick<Cell, "id" | "source" | "outputs">): number {
    const estimate = estimateHeight(cell);
    const measured = this.#measured.get(cell.id);
    if (measured === undefined) {
      return estimate;
    }
    return Math.max(1, Math.round(measured.height + estimate - measured.estimate));
  }

  has(cellId: string): boolean {
    return this.#measured.has(cellId);
  }

  forget(cellId: string): void {
    this.#measured.delete(cellId);
  }
}

/** Half-open index range [start, end). */
export interface IndexRange {
  readonly start: number;
  readonly end: number;
}

/**
 * The cells that overlap [top - margin, top + viewport + margin] when stacked with `gap`
 * pixels between them (and before the first), given each cell's height in order.
 */
export function visibleRange(
  heights: readonly number[],
  top: number,
  viewport: number,
  margin: number,
  gap = 0,
): IndexRange {
  const from = top - margin;
  const to = top + viewport + margin;
  let start = heights.length;
  let end = heights.length;
  let y = 0;
  for (let i = 0; i < heights.length; i += 1) {
    y += gap;
    const bottom = y + (heights[i] ?? 0);
    if (start === heights.length && bottom > from) {
      start = i;
    }
    if (y >= to) {
      end = i;
      break;
    }
    y = bottom;
  }
  return { start: Math.min(start, end), end };
}

/** True when two snapshots of a cell would draw the same (so a re-render can skip it). */
export function sameCell(a: Cell, b: Cell): boolean {
  return (
    a.source === b.source &&
    a.cellType === b.cellType &&
    a.executionCount === b.executionCount &&
    a.metadata === b.metadata &&
    a.outputs.length === b.outputs.length &&
    a.outputs.every((hash, i) => hash === b.outputs[i])
  );
}
