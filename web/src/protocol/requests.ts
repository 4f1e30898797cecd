/**
 * Room requests by op: what a caller passes (from the generated request types) and what
 * the daemon answers (checked here at run time, since responses are plain maps).
 *
 * Requests whose meaning depends on the page's edits carry `required_heads`, so the
 * daemon acts on a document that already holds everything typed before the request.
 */

import { isInteger, isRecord, isString, isStringArray, optionalString } from "../util/guards.ts";
import type { ErrorInfo, RoomRequest } from "./wire.gen.ts";

export type RoomOp = RoomRequest["op"];
export type RequestOf<Op extends RoomOp> = Extract<RoomRequest, { readonly op: Op }>;
/** What a caller supplies: everything but the envelope (`op`, `id`, `required_heads`). */
export type RequestFields<Op extends RoomOp> = Omit<RequestOf<Op>, "op" | "id" | "required_heads">;

export type NoResult = Readonly<Record<string, never>>;

export interface ResultMap {
  get_doc_bytes: { readonly bytes: Uint8Array; readonly heads: string[] };
  get_raw_metadata: { readonly value: string | null };
  set_raw_metadata: NoResult;
  save: { readonly path: string };
  clear_outputs: NoResult;
  sync_barrier: { readonly heads: string[] };
  execute_cell: { readonly execution_id: string };
  run_all: { readonly execution_ids: string[]; readonly cell_ids: string[] };
  interrupt: NoResult;
  restart_kernel: NoResult;
  shutdown_kernel: NoResult;
  launch_kernel: { readonly python: string | null };
  complete: {
    readonly matches: string[];
    readonly cursor_start: number;
    readonly cursor_end: number;
    readonly metadata: unknown;
  };
  send_comm: NoResult;
}

export type ResultOf<Op extends RoomOp> = ResultMap[Op];

/** The ops that must see this page's latest edits before the daemon acts on them. */
export const NEEDS_HEADS: ReadonlySet<RoomOp> = new Set<RoomOp>([
  "execute_cell",
  "run_all",
  "save",
  "sync_barrier",
  "clear_outputs",
]);

export class ResponseError extends Error {
  readonly code: string;

  constructor(message: string, code: string) {
    super(message);
    this.name = "ResponseError";
    this.code = code;
  }
}

function bad(op: RoomOp, field: string): ResponseError {
  return new ResponseError(`the '${op}' response has no valid '${field}'`, "bad_response");
}

function str(raw: Record<string, unknown>, op: RoomOp, field: string): string {
  const value = raw[field];
  if (!isString(value)) {
    throw bad(op, field);
  }
  return value;
}

function strings(raw: Record<string, unknown>, op: RoomOp, field: string): string[] {
  const value = raw[field];
  if (!isStringArray(value)) {
    throw bad(op, field);
  }
  return value;
}

function int(raw: Record<string, unknown>, op: RoomOp, field: string): number {
  const value = raw[field];
  if (!isInteger(value)) {
    throw bad(op, field);
  }
  return value;
}

const none = (): NoResult => ({});

type Decoders = { readonly [Op in RoomOp]: (raw: Record<string, unknown>) => ResultMap[Op] };

/** One checker per op: a response that lacks a field the page relies on is an error. */
const DECODERS: Decoders = {
  get_doc_bytes: (raw) => {
    const bytes = raw["bytes"];
    if (!(bytes instanceof Uint8Array)) {
      throw bad("get_doc_bytes", "bytes");
    }
    return { bytes, heads: strings(raw, "get_doc_bytes", "heads") };
  },
  get_raw_metadata: (raw) => ({ value: optionalString(raw["value"]) }),
  set_raw_metadata: none,
  save: (raw) => ({ path: str(raw, "save", "path") }),
  clear_outputs: none,
  sync_barrier: (raw) => ({ heads: strings(raw, "sync_barrier", "heads") }),
  execute_cell: (raw) => ({ execution_id: str(raw, "execute_cell", "execution_id") }),
  run_all: (raw) => ({
    execution_ids: strings(raw, "run_all", "execution_ids"),
    cell_ids: strings(raw, "run_all", "cell_ids"),
  }),
  interrupt: none,
  restart_kernel: none,
  shutdown_kernel: none,
  launch_kernel: (raw) => ({ python: optionalString(raw["python"]) }),
  complete: (raw) => ({
    matches: strings(raw, "complete", "matches"),
    cursor_start: int(raw, "complete", "cursor_start"),
    cursor_end: int(raw, "complete", "cursor_end"),
    metadata: raw["metadata"],
  }),
  send_comm: none,
};

export function decodeResult<Op extends RoomOp>(op: Op, raw: Record<string, unknown>): ResultOf<Op> {
  const decoder: (raw: Record<string, unknown>) => ResultMap[Op] = DECODERS[op];
  return decoder(raw);
}

/** A decoded RESPONSE envelope: which request it answers, and its outcome. */
export type Response =
  | { readonly id: number; readonly ok: true; readonly body: Record<string, unknown> }
  | { readonly id: number; readonly ok: false; readonly error: ErrorInfo };

export function parseResponse(value: unknown): Response | null {
  if (!isRecord(value) || !isInteger(value["id"])) {
    return null;
  }
  const id = value["id"];
  if (value["ok"] === true) {
    return { id, ok: true, body: value };
  }
  const error = value["error"];
  if (isRecord(error)) {
    return {
      id,
      ok: false,
      error: {
        code: optionalString(error["code"]) ?? "error",
        message: optionalString(error["message"]) ?? "the daemon refused the request",
      },
    };
  }
  return { id, ok: false, error: { code: "bad_response", message: "a response without 'ok'" } };
}
