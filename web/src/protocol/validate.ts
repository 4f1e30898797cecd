/**
 * The run-time checks the generated validators in `wire.gen.ts` are made of. A checker
 * takes a decoded msgpack/JSON value and returns it typed, or throws a `DecodeError`
 * naming the path of the first field that does not match; `check` turns that into a
 * value. Nothing here knows a message: the shapes all come from the generated file.
 */

import { isInteger, isRecord } from "../util/guards.ts";

export class DecodeError extends Error {
  constructor(at: string, expected: string, value: unknown) {
    super(`${at}: expected ${expected}, got ${describe(value)}`);
    this.name = "DecodeError";
  }
}

export type Checker<T> = (value: unknown, at?: string) => T;

export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: DecodeError };

/** Run a generated checker: the typed value, or the first mismatch as an error. */
export function check<T>(checker: Checker<T>, value: unknown): Checked<T> {
  try {
    return { ok: true, value: checker(value) };
  } catch (error) {
    if (error instanceof DecodeError) {
      return { ok: false, error };
    }
    throw error;
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) {
    return String(value);
  }
  if (value instanceof Uint8Array) {
    return `${value.length} bytes`;
  }
  if (Array.isArray(value)) {
    return "an array";
  }
  return typeof value === "string" ? JSON.stringify(value.slice(0, 40)) : typeof value;
}

export function record(value: unknown, at: string): Readonly<Record<string, unknown>> {
  if (!isRecord(value)) {
    throw new DecodeError(at, "a map", value);
  }
  return value;
}

export function string(value: unknown, at: string): string {
  if (typeof value !== "string") {
    throw new DecodeError(at, "a string", value);
  }
  return value;
}

export function integer(value: unknown, at: string): number {
  if (!isInteger(value)) {
    throw new DecodeError(at, "an integer", value);
  }
  return value;
}

export function number(value: unknown, at: string): number {
  if (typeof value !== "number") {
    throw new DecodeError(at, "a number", value);
  }
  return value;
}

export function boolean(value: unknown, at: string): boolean {
  if (typeof value !== "boolean") {
    throw new DecodeError(at, "a boolean", value);
  }
  return value;
}

export function bytes(value: unknown, at: string): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new DecodeError(at, "bytes", value);
  }
  return value;
}

export function nullValue(value: unknown, at: string): null {
  if (value !== null) {
    throw new DecodeError(at, "null", value);
  }
  return value;
}

export function literal<T extends string | number | boolean>(value: unknown, expected: T, at: string): T {
  if (value !== expected) {
    throw new DecodeError(at, JSON.stringify(expected), value);
  }
  return expected;
}

/** A value a generated type guard accepts (a branded id, a member of a closed set). */
export function is<T>(guard: (value: unknown) => value is T, value: unknown, at: string, what: string): T {
  if (!guard(value)) {
    throw new DecodeError(at, what, value);
  }
  return value;
}

export function array<T>(value: unknown, at: string, item: (value: unknown, at: string) => T): T[] {
  if (!Array.isArray(value)) {
    throw new DecodeError(at, "an array", value);
  }
  return value.map((element: unknown, index) => item(element, `${at}[${index}]`));
}

/** The error for a tagged union whose tag names no member this page knows. */
export function unknownTag(tag: string, value: unknown, at: string, known: readonly string[]): DecodeError {
  return new DecodeError(`${at}.${tag}`, `one of ${known.join(", ")}`, value);
}
