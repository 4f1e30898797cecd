/**
 * Requests the interop peer understands: `{id, op, ...fields}` in, a reply object out.
 *
 * Each op maps onto the notebook accessors, so the Python tests exercise the same code the
 * webview will use. `put_counter` is the exception: it writes what no nbdesk peer may write
 * (an Automerge Counter), to check that the daemon survives a buggy or hostile peer.
 */

import * as A from "@automerge/automerge/slim";

import {
  type Cell,
  type NotebookDoc,
  type NotebookSchema,
  NotebookError,
  deleteCell,
  insertCell,
  isCellType,
  orderedCells,
  setCellType,
  spliceSource,
} from "../doc/notebook.ts";
import { type CellId, isCellId } from "../doc/ids.ts";
import type { SyncedDoc } from "../doc/sync.ts";

export type Fields = Readonly<Record<string, unknown>>;
export type Reply = Record<string, unknown>;
export type Session = SyncedDoc<NotebookSchema>;

/** A request that cannot be carried out; reported as `{code, message}`. */
export class RequestError extends Error {
  readonly code: string;

  constructor(message: string, code: string) {
    super(message);
    this.name = "RequestError";
    this.code = code;
  }
}

export interface Request {
  readonly id: unknown;
  readonly op: string;
  readonly fields: Fields;
}

function isFields(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function parseRequest(message: unknown): Request {
  if (!isFields(message)) {
    throw new RequestError("a request must be a map", "bad_request");
  }
  const op = message["op"];
  if (typeof op !== "string") {
    throw new RequestError("a request needs a string 'op'", "bad_request");
  }
  return { id: message["id"] ?? null, op, fields: message };
}

function stringField(fields: Fields, name: string, fallback?: string): string {
  const value = fields[name] ?? fallback;
  if (typeof value !== "string") {
    throw new RequestError(`field '${name}' must be a string`, "bad_request");
  }
  return value;
}

function cellIdField(fields: Fields, name: string): CellId {
  const value = stringField(fields, name);
  if (!isCellId(value)) {
    throw new RequestError(`field '${name}' must be a non-empty cell id`, "bad_request");
  }
  return value;
}

function intField(fields: Fields, name: string): number {
  const value = fields[name];
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new RequestError(`field '${name}' must be an integer`, "bad_request");
  }
  return value;
}

/** A cell in the daemon's field names, for comparison with NotebookDoc.cells(). */
function cellReply(cell: Cell): Reply {
  return {
    id: cell.id,
    cell_type: cell.cellType,
    position: cell.position,
    source: cell.source,
    execution_count: cell.executionCount,
    outputs: [...cell.outputs],
    metadata: cell.metadata,
  };
}

function incrementCounter(target: object, key: string): void {
  const counter: unknown = Reflect.get(target, key);
  if (A.isCounter(counter)) {
    counter.increment(1);
  }
}

/** Put a Counter at ROOT[key] and in the first cell under `key`, then increment both. */
export function putCounters(doc: NotebookDoc, key: string): NotebookDoc {
  const firstId = orderedCells(doc)[0]?.id;
  const placed = A.change(doc, (draft) => {
    Reflect.set(draft, key, new A.Counter(0));
    const cell = firstId === undefined ? undefined : draft.cells?.[firstId];
    if (cell !== undefined) {
      Reflect.set(cell, key, new A.Counter(0));
    }
  });
  return A.change(placed, (draft) => {
    incrementCounter(draft, key);
    const cell = firstId === undefined ? undefined : draft.cells?.[firstId];
    if (cell !== undefined) {
      incrementCounter(cell, key);
    }
  });
}

type Handler = (session: Session, fields: Fields) => Promise<Reply>;

/** Apply an edit, wait until its sync message is written, and answer with the new heads. */
async function edit(session: Session, change: (doc: NotebookDoc) => NotebookDoc): Promise<Reply> {
  await session.update(change);
  return { heads: session.heads() };
}

const HANDLERS: Readonly<Record<string, Handler>> = {
  snapshot: (session) =>
    Promise.resolve({
      heads: session.heads(),
      cells: orderedCells(session.doc).map(cellReply),
    }),
  insert_cell: (session, fields) => {
    const cellType = stringField(fields, "cell_type", "code");
    if (!isCellType(cellType)) {
      throw new NotebookError(`unknown cell type ${JSON.stringify(cellType)}`, "bad_cell_type");
    }
    const cell = {
      cellId: cellIdField(fields, "cell_id"),
      cellType,
      source: stringField(fields, "source", ""),
    };
    const index = intField(fields, "index");
    return edit(session, (doc) => insertCell(doc, index, cell));
  },
  splice: (session, fields) => {
    const cellId = cellIdField(fields, "cell_id");
    const index = intField(fields, "index");
    const deleteCount = intField(fields, "delete");
    const text = stringField(fields, "text", "");
    return edit(session, (doc) => spliceSource(doc, cellId, index, deleteCount, text));
  },
  delete_cell: (session, fields) => {
    const cellId = cellIdField(fields, "cell_id");
    return edit(session, (doc) => deleteCell(doc, cellId));
  },
  set_cell_type: (session, fields) => {
    const cellId = cellIdField(fields, "cell_id");
    const cellType = stringField(fields, "cell_type");
    return edit(session, (doc) => setCellType(doc, cellId, cellType));
  },
  put_counter: (session, fields) => {
    const key = stringField(fields, "key");
    return edit(session, (doc) => putCounters(doc, key));
  },
};

function errorReply(error: unknown): { code: string; message: string } {
  if (error instanceof NotebookError || error instanceof RequestError) {
    return { code: error.code, message: error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: "internal_error", message };
}

/** Run one request; failures become `{ok: false, error}` replies rather than exceptions. */
export async function handleRequest(session: Session, request: Request): Promise<Reply> {
  const handler = HANDLERS[request.op];
  try {
    if (handler === undefined) {
      throw new RequestError(`unknown op ${JSON.stringify(request.op)}`, "unknown_op");
    }
    return { id: request.id, ok: true, ...(await handler(session, request.fields)) };
  } catch (error) {
    return { id: request.id, ok: false, error: errorReply(error) };
  }
}
