/**
 * The JS side of the notebook document (schema v3), matching daemon/notebook_doc.py.
 *
 * Pure functions over an `A.Doc<NotebookSchema>`: each edit returns the new document.
 * A JS peer never creates the root maps; it starts from `A.init()` and syncs with the
 * daemon, so every edit first checks that the replica has synced.
 *
 * Text indices here are UTF-16 code units (JS string indices); the daemon's are code points.
 * Values written by other peers are checked at run time: a buggy peer may put anything
 * anywhere, and reading must not throw because of it.
 */

import * as A from "@automerge/automerge/slim";
import { generateKeyBetween, generateNKeysBetween } from "fractional-indexing";

import { type CellType, isCellType } from "../protocol/wire.gen.ts";
import { type CellId, isCellId } from "./ids.ts";

export { type CellType, isCellType };

export const SCHEMA_VERSION = 3;

/** One cell as stored: scalar strings are ImmutableString, `source` is collaborative text. */
export interface CellRecord {
  id: A.ImmutableString;
  cell_type: A.ImmutableString;
  position: A.ImmutableString;
  source: string;
  execution_count: number | null;
  outputs: A.ImmutableString[];
  metadata: A.ImmutableString;
  attachments?: A.ImmutableString;
}

export interface CommRecord {
  target_name: A.ImmutableString;
  model_module: A.ImmutableString;
  model_name: A.ImmutableString;
  state: A.ImmutableString;
  outputs: A.ImmutableString[];
  seq: number;
}

/** ROOT of the document; every key is optional because an unsynced replica is empty. */
export interface NotebookSchema {
  schema_version?: number;
  notebook_id?: A.ImmutableString;
  cells?: { [cellId: string]: CellRecord };
  metadata?: { [key: string]: A.ImmutableString };
  comms?: { [commId: string]: CommRecord };
}

export type NotebookDoc = A.Doc<NotebookSchema>;

/** A plain, read-only snapshot of one cell. `metadata` is the raw JSON string. */
export interface Cell {
  readonly id: CellId;
  readonly cellType: string;
  readonly position: string;
  readonly source: string;
  readonly executionCount: number | null;
  readonly outputs: readonly string[];
  readonly metadata: string;
  /** nbformat attachments as the document's JSON string; null when the cell has none. */
  readonly attachments: string | null;
}

export interface NewCell {
  readonly cellId: CellId;
  readonly cellType: CellType;
  readonly source: string;
  /** Output manifest hashes (a pasted or restored cell keeps its outputs). */
  readonly outputs?: readonly string[];
  readonly executionCount?: number | null;
  /** Raw JSON, as `Cell.metadata`. */
  readonly metadata?: string;
  /** nbformat attachments as JSON, as `Cell.attachments` (a pasted markdown cell keeps its images). */
  readonly attachments?: string | null;
}

export type NotebookErrorCode =
  | "not_synced"
  | "no_such_cell"
  | "duplicate_cell"
  | "bad_splice"
  | "bad_cell_type";

/** An edit the document refuses; `code` matches the daemon's DocumentError codes. */
export class NotebookError extends Error {
  readonly code: NotebookErrorCode;

  constructor(message: string, code: NotebookErrorCode) {
    super(message);
    this.name = "NotebookError";
    this.code = code;
  }
}

// -- reading -------------------------------------------------------------------------

/** The string in a scalar or text value; `fallback` for anything else (as the daemon reads). */
function stringValue(value: unknown, fallback: string): string {
  if (A.isImmutableString(value)) {
    return value.val;
  }
  return typeof value === "string" ? value : fallback;
}

function intOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isInteger(value) ? value : null;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map((item: unknown) => stringValue(item, "")) : [];
}

/** An Automerge map (a plain object), not a list, counter, string wrapper, date or bytes. */
function isRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype
  );
}

/** A UTF-16 unit's rank such that ranks compare like the code points they belong to. */
function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) {
    return unit + 0x2000;
  }
  return unit >= 0xe000 ? unit - 0x800 : unit;
}

/** Order strings by code point, as Python compares `str` (JS `<` compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const shared = Math.min(a.length, b.length);
  for (let i = 0; i < shared; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      return codePointRank(x) - codePointRank(y);
    }
  }
  return a.length - b.length;
}

/** Display order: by position, ties broken by id (matches NotebookDoc._ordered). */
export function compareCells(a: Cell, b: Cell): number {
  return compareCodePoints(a.position, b.position) || compareCodePoints(a.id, b.id);
}

function readCell(cellId: CellId, record: Record<string, unknown>): Cell {
  return {
    id: cellId,
    cellType: stringValue(record["cell_type"], "code"),
    position: stringValue(record["position"], ""),
    source: stringValue(record["source"], ""),
    executionCount: intOrNull(record["execution_count"]),
    outputs: stringList(record["outputs"]),
    metadata: stringValue(record["metadata"], "{}"),
    attachments: record["attachments"] === undefined ? null : stringValue(record["attachments"], ""),
  };
}

export function isSynced(doc: NotebookDoc): boolean {
  return isRecord(doc.cells);
}

/** Every cell in display order; entries that are not maps are skipped. */
export function orderedCells(doc: NotebookDoc): Cell[] {
  const cells: unknown = doc.cells;
  if (!isRecord(cells)) {
    return [];
  }
  const result: Cell[] = [];
  for (const [cellId, record] of Object.entries(cells)) {
    if (isCellId(cellId) && isRecord(record)) {
      result.push(readCell(cellId, record));
    }
  }
  return result.sort(compareCells);
}

export function getCell(doc: NotebookDoc, cellId: CellId): Cell | undefined {
  const record: unknown = doc.cells?.[cellId];
  return isRecord(record) ? readCell(cellId, record) : undefined;
}

/** A plain snapshot of one widget comm; `state` is the raw JSON string the daemon wrote. */
export interface Comm {
  readonly commId: string;
  readonly targetName: string;
  readonly modelModule: string;
  readonly modelName: string;
  readonly state: string;
  readonly outputs: readonly string[];
  readonly seq: number;
}

/** Every widget comm in creation order (by seq, then id), as NotebookDoc.get_comms. */
export function listComms(doc: NotebookDoc): Comm[] {
  const comms: unknown = doc.comms;
  if (!isRecord(comms)) {
    return [];
  }
  const result: Comm[] = [];
  for (const [commId, record] of Object.entries(comms)) {
    if (isRecord(record)) {
      const seq = record["seq"];
      result.push({
        commId,
        targetName: stringValue(record["target_name"], ""),
        modelModule: stringValue(record["model_module"], ""),
        modelName: stringValue(record["model_name"], ""),
        state: stringValue(record["state"], "{}"),
        outputs: stringList(record["outputs"]),
        seq: typeof seq === "number" ? seq : 0,
      });
    }
  }
  return result.sort((a, b) => a.seq - b.seq || compareCodePoints(a.commId, b.commId));
}

function requireCell(doc: NotebookDoc, cellId: CellId): Cell {
  requireSynced(doc);
  const cell = getCell(doc, cellId);
  if (cell === undefined) {
    throw new NotebookError(`no cell ${JSON.stringify(cellId)}`, "no_such_cell");
  }
  return cell;
}

function requireSynced(doc: NotebookDoc): void {
  if (!isSynced(doc)) {
    throw new NotebookError(
      "the document has no 'cells' map yet (a replica must sync before editing)",
      "not_synced",
    );
  }
}

// -- writing -------------------------------------------------------------------------

/** Inside a change callback: the cells map, which requireSynced has already checked. */
function cellsOf(draft: NotebookSchema): { [cellId: string]: CellRecord } {
  const cells = draft.cells;
  if (cells === undefined) {
    throw new NotebookError("the document has no 'cells' map", "not_synced");
  }
  return cells;
}

/** Where a new cell goes, and the tied neighbours that must move to make room. */
export interface Placement {
  readonly position: string;
  readonly moves: ReadonlyArray<{ readonly cellId: CellId; readonly position: string }>;
}

/**
 * A position that sorts at `index` of `order`. When the neighbours are tied, the run of
 * cells tied with the one before `index` gets fresh positions first, as the daemon does.
 */
export function positionFor(order: readonly Cell[], index: number): Placement {
  const at = Math.max(0, Math.min(index, order.length));
  const before = order[at - 1]?.position ?? null;
  let after = order[at]?.position ?? null;
  const moves: { cellId: CellId; position: string }[] = [];
  if (before !== null && after !== null && compareCodePoints(before, after) >= 0) {
    let runEnd = at;
    while (runEnd < order.length && compareCodePoints(order[runEnd]?.position ?? "", before) <= 0) {
      runEnd += 1;
    }
    const upper = order[runEnd]?.position ?? null;
    const fresh = generateNKeysBetween(before, upper, runEnd - at);
    fresh.forEach((position, offset) => {
      const cell = order[at + offset];
      if (cell !== undefined) {
        moves.push({ cellId: cell.id, position });
      }
    });
    after = fresh[0] ?? null;
  }
  return { position: generateKeyBetween(before, after), moves };
}

function newCellRecord(cell: NewCell, position: string): CellRecord {
  return {
    id: new A.ImmutableString(cell.cellId),
    cell_type: new A.ImmutableString(cell.cellType),
    position: new A.ImmutableString(position),
    source: cell.source,
    execution_count: cell.executionCount ?? null,
    outputs: (cell.outputs ?? []).map((hash) => new A.ImmutableString(hash)),
    metadata: new A.ImmutableString(cell.metadata ?? "{}"),
    ...(cell.attachments == null ? {} : { attachments: new A.ImmutableString(cell.attachments) }),
  };
}

/** Insert a cell so that it shows at `index` (clamped to the ends). */
export function insertCell(doc: NotebookDoc, index: number, cell: NewCell): NotebookDoc {
  requireSynced(doc);
  if (doc.cells?.[cell.cellId] !== undefined) {
    throw new NotebookError(`cell ${JSON.stringify(cell.cellId)} already exists`, "duplicate_cell");
  }
  const { position, moves } = positionFor(orderedCells(doc), index);
  return A.change(doc, (draft) => {
    const cells = cellsOf(draft);
    for (const move of moves) {
      const moved = cells[move.cellId];
      if (moved !== undefined) {
        moved.position = new A.ImmutableString(move.position);
      }
    }
    cells[cell.cellId] = newCellRecord(cell, position);
  });
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** True when `index` falls between the two halves of an astral character such as an emoji. */
export function splitsSurrogatePair(text: string, index: number): boolean {
  return isHighSurrogate(text.charCodeAt(index - 1)) && isLowSurrogate(text.charCodeAt(index));
}

/**
 * Splice a cell's source at UTF-16 offsets. Offsets inside a surrogate pair are refused:
 * Automerge would silently move them to a character boundary.
 */
export function spliceSource(
  doc: NotebookDoc,
  cellId: CellId,
  index: number,
  deleteCount: number,
  text: string,
): NotebookDoc {
  checkSplice(cellId, requireCell(doc, cellId).source, { index, deleteCount, text });
  return A.change(doc, (draft) => {
    A.splice(draft, ["cells", cellId, "source"], index, deleteCount, text);
  });
}

export function deleteCell(doc: NotebookDoc, cellId: CellId): NotebookDoc {
  requireCell(doc, cellId);
  return A.change(doc, (draft) => {
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- how an Automerge map drops a key
    delete cellsOf(draft)[cellId];
  });
}

/** Change a cell's type; leaving `code` clears outputs and the execution count. */
export function setCellType(doc: NotebookDoc, cellId: CellId, cellType: string): NotebookDoc {
  const current = requireCell(doc, cellId);
  if (!isCellType(cellType)) {
    throw new NotebookError(`unknown cell type ${JSON.stringify(cellType)}`, "bad_cell_type");
  }
  return A.change(doc, (draft) => {
    const record = cellsOf(draft)[cellId];
    if (record === undefined) {
      return;
    }
    record.cell_type = new A.ImmutableString(cellType);
    if (cellType !== "code") {
      if (current.outputs.length > 0) {
        record.outputs = [];
      }
      record.execution_count = null;
    }
  });
}

/** One splice of a cell's source, in UTF-16 code units. */
export interface Splice {
  readonly index: number;
  readonly deleteCount: number;
  readonly text: string;
}

function checkSplice(cellId: CellId, source: string, splice: Splice): void {
  const { index, deleteCount } = splice;
  const valid =
    Number.isInteger(index) &&
    Number.isInteger(deleteCount) &&
    index >= 0 &&
    deleteCount >= 0 &&
    index + deleteCount <= source.length &&
    !splitsSurrogatePair(source, index) &&
    !splitsSurrogatePair(source, index + deleteCount);
  if (!valid) {
    throw new NotebookError(
      `splice ${index}+${deleteCount} is outside cell ${JSON.stringify(cellId)} of length ${source.length}`,
      "bad_splice",
    );
  }
}

/**
 * Apply splices in order (each relative to the text the previous ones left) as one
 * change; all are checked first, so a bad one leaves the document untouched.
 */
export function spliceSourceMany(
  doc: NotebookDoc,
  cellId: CellId,
  splices: readonly Splice[],
): NotebookDoc {
  let text = requireCell(doc, cellId).source;
  for (const splice of splices) {
    checkSplice(cellId, text, splice);
    text = text.slice(0, splice.index) + splice.text + text.slice(splice.index + splice.deleteCount);
  }
  if (splices.length === 0) {
    return doc;
  }
  return A.change(doc, (draft) => {
    for (const { index, deleteCount, text: inserted } of splices) {
      A.splice(draft, ["cells", cellId, "source"], index, deleteCount, inserted);
    }
  });
}

/** Make a cell's source equal `text` with the smallest splices Automerge finds. */
export function replaceSource(doc: NotebookDoc, cellId: CellId, text: string): NotebookDoc {
  const { source } = requireCell(doc, cellId);
  if (source === text) {
    return doc;
  }
  return A.change(doc, (draft) => {
    A.updateText(draft, ["cells", cellId, "source"], text);
  });
}

/** Move a cell so that it shows at `index` of the order without it (clamped to the ends). */
export function moveCell(doc: NotebookDoc, cellId: CellId, index: number): NotebookDoc {
  requireCell(doc, cellId);
  const others = orderedCells(doc).filter((cell) => cell.id !== cellId);
  const { position, moves } = positionFor(others, index);
  return A.change(doc, (draft) => {
    const cells = cellsOf(draft);
    for (const move of moves) {
      const moved = cells[move.cellId];
      if (moved !== undefined) {
        moved.position = new A.ImmutableString(move.position);
      }
    }
    const record = cells[cellId];
    if (record !== undefined) {
      record.position = new A.ImmutableString(position);
    }
  });
}

/** Splices of several cells' sources (each list as for `spliceSourceMany`), as one change. */
export function spliceSources(
  doc: NotebookDoc,
  edits: readonly { readonly cellId: CellId; readonly splices: readonly Splice[] }[],
): NotebookDoc {
  for (const { cellId, splices } of edits) {
    let text = requireCell(doc, cellId).source;
    for (const splice of splices) {
      checkSplice(cellId, text, splice);
      text = text.slice(0, splice.index) + splice.text + text.slice(splice.index + splice.deleteCount);
    }
  }
  if (edits.every((edit) => edit.splices.length === 0)) {
    return doc;
  }
  return A.change(doc, (draft) => {
    for (const { cellId, splices } of edits) {
      for (const { index, deleteCount, text: inserted } of splices) {
        A.splice(draft, ["cells", cellId, "source"], index, deleteCount, inserted);
      }
    }
  });
}

/** Replace a cell's metadata (the raw JSON string, as `Cell.metadata`). */
export function setCellMetadata(doc: NotebookDoc, cellId: CellId, metadata: string): NotebookDoc {
  if (requireCell(doc, cellId).metadata === metadata) {
    return doc;
  }
  return A.change(doc, (draft) => {
    const record = cellsOf(draft)[cellId];
    if (record !== undefined) {
      record.metadata = new A.ImmutableString(metadata);
    }
  });
}
