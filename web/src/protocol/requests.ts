/**
 * Room requests by op: what a caller passes (the generated request types) and what the
 * daemon answers (checked at run time by the generated `RESULT_CHECKERS`).
 *
 * A response is one map, `{id, ok: true, ...result}` or `{id, ok: false, error}`, where
 * `id` is the integer the page chose for its request.
 *
 * Requests whose meaning depends on the page's edits carry `required_heads`, so the
 * daemon acts on a document that already holds everything typed before the request.
 */

import { isRecord, isString } from "../util/guards.ts";
import { type Checker, check } from "./validate.ts";
import {
  checkErrorResponse,
  checkOkResponse,
  type ErrorCode,
  type ErrorInfo,
  isRequestId,
  RESULT_CHECKERS,
  type RequestId,
  type ResultOf,
  type RoomRequest,
} from "./wire.gen.ts";

export type RoomOp = RoomRequest["op"];
export type RequestOf<Op extends RoomOp> = Extract<RoomRequest, { readonly op: Op }>;
/** What a caller supplies: everything but the envelope (`op`, `id`, `required_heads`). */
export type RequestFields<Op extends RoomOp> = Omit<RequestOf<Op>, "op" | "id" | "required_heads">;

/** The ops that must see this page's latest edits before the daemon acts on them. */
export const NEEDS_HEADS: ReadonlySet<RoomOp> = new Set<RoomOp>([
  "execute_cell",
  "run_all",
  "save",
  "sync_barrier",
  "clear_outputs",
]);

export class ResponseError extends Error {
  readonly code: ErrorCode;

  constructor(message: string, code: ErrorCode) {
    super(message);
    this.name = "ResponseError";
    this.code = code;
  }
}

/** The result of a successful response to `op`; a `bad_response` error if it lacks a field. */
export function decodeResult<Op extends RoomOp>(op: Op, body: unknown): ResultOf<Op> {
  const checker: Checker<ResultOf<Op>> = RESULT_CHECKERS[op];
  const checked = check(checker, body);
  if (!checked.ok) {
    throw new ResponseError(`the '${op}' response: ${checked.error.message}`, "bad_response");
  }
  return checked.value;
}

/** A decoded RESPONSE envelope: which request it answers, and its outcome. */
export type Response =
  | { readonly id: RequestId; readonly ok: true; readonly body: Readonly<Record<string, unknown>> }
  | { readonly id: RequestId; readonly ok: false; readonly error: ErrorInfo };

/** Null when the response names no request; a refusal whose code this page does not know
 * keeps the daemon's message under the code `error`. */
export function parseResponse(value: unknown): Response | null {
  if (!isRecord(value) || !isRequestId(value["id"])) {
    return null;
  }
  const id = value["id"];
  const success = check(checkOkResponse, value);
  if (success.ok) {
    return { id, ok: true, body: value };
  }
  const failure = check(checkErrorResponse, value);
  if (failure.ok) {
    return { id, ok: false, error: failure.value.error };
  }
  const error = value["error"];
  const message = isRecord(error) && isString(error["message"]) ? error["message"] : null;
  return value["ok"] === false
    ? { id, ok: false, error: { code: "error", message: message ?? "the daemon refused the request" } }
    : { id, ok: false, error: { code: "bad_response", message: "a response without 'ok'" } };
}
