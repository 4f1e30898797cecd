/**
 * Cells held outside the document: the cell clipboard (C / X / V) and the stack of
 * deleted cells that Z restores. Pure state; the document edits that use it are in
 * cell-edits.ts.
 *
 * The clipboard lives in a `Storage` (the page's localStorage), so a cell copied in one
 * notebook window pastes in another; outputs travel as their manifest hashes, which every
 * notebook of the daemon can read.
 */

import { type Cell, type CellType, isCellType } from "../doc/notebook.ts";
import { isInteger, isRecord, isString, isStringArray } from "../util/guards.ts";

/** What it takes to recreate a cell somewhere else (a fresh id is minted then). */
export interface CellSnapshot {
  readonly cellType: CellType;
  readonly source: string;
  readonly outputs: readonly string[];
  readonly executionCount: number | null;
  readonly metadata: string;
  /** nbformat attachments as JSON (markdown and raw cells' images), or null. */
  readonly attachments: string | null;
}

export function snapshotOf(cell: Cell): CellSnapshot {
  return {
    cellType: isCellType(cell.cellType) ? cell.cellType : "code",
    source: cell.source,
    outputs: [...cell.outputs],
    executionCount: cell.executionCount,
    metadata: cell.metadata,
    attachments: cell.attachments,
  };
}

function parseSnapshot(value: unknown): CellSnapshot | null {
  if (!isRecord(value)) {
    return null;
  }
  const { cellType, source, outputs, executionCount, metadata } = value;
  const attachments = value["attachments"] ?? null;
  if (
    !isString(cellType) ||
    !isCellType(cellType) ||
    !isString(source) ||
    !isStringArray(outputs) ||
    !(executionCount === null || isInteger(executionCount)) ||
    !isString(metadata) ||
    !(attachments === null || isString(attachments))
  ) {
    return null;
  }
  return { cellType, source, outputs, executionCount, metadata, attachments };
}

/** The subset of the DOM's Storage the clipboard uses. */
export interface ClipboardStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The page's localStorage, or null where the browser denies it. */
export function pageStorage(): ClipboardStorage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

const CLIPBOARD_KEY = "nbdesk:cell-clipboard";

export class CellClipboard {
  readonly #storage: ClipboardStorage | null;
  #cells: readonly CellSnapshot[] = [];

  /** Without a storage (or when it fails) the clipboard is this page's alone. */
  constructor(storage: ClipboardStorage | null) {
    this.#storage = storage;
  }

  put(cells: readonly CellSnapshot[]): void {
    this.#cells = cells;
    try {
      this.#storage?.setItem(CLIPBOARD_KEY, JSON.stringify(cells));
    } catch {
      // Storage full or disabled: the copy still pastes in this window.
    }
  }

  /** The last cells copied in any window, or this window's copy if storage says nothing. */
  get cells(): readonly CellSnapshot[] {
    let stored: string | null;
    try {
      stored = this.#storage?.getItem(CLIPBOARD_KEY) ?? null;
    } catch {
      stored = null;
    }
    if (stored === null) {
      return this.#cells;
    }
    try {
      const parsed: unknown = JSON.parse(stored);
      if (Array.isArray(parsed)) {
        const cells = parsed.map(parseSnapshot);
        if (cells.every((cell) => cell !== null)) {
          return cells;
        }
      }
    } catch {
      // Not ours or corrupt: fall back to what this window copied.
    }
    return this.#cells;
  }
}

/** A deletion Z can undo: the cells, and the index the first of them had. */
export interface Deletion {
  readonly index: number;
  readonly cells: readonly CellSnapshot[];
}

/** The most recent deletions, newest last, at most `limit` of them. */
export class DeletedCells {
  readonly #limit: number;
  readonly #stack: Deletion[] = [];

  constructor(limit = 50) {
    this.#limit = limit;
  }

  get size(): number {
    return this.#stack.length;
  }

  push(deletion: Deletion): void {
    this.#stack.push(deletion);
    if (this.#stack.length > this.#limit) {
      this.#stack.shift();
    }
  }

  pop(): Deletion | undefined {
    return this.#stack.pop();
  }
}
