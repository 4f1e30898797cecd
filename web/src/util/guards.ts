/**
 * Run-time checks for values that arrive from outside (msgpack, JSON, the document):
 * they let the rest of the code narrow `unknown` without `as` casts.
 */

/** A plain object (a decoded map), not an array, null, class instance or typed array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return false;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function isString(value: unknown): value is string {
  return typeof value === "string";
}

export function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every(isString);
}

export function optionalString(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

export function isInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value);
}

/** `JSON.stringify` typed as it behaves: undefined for undefined, functions and symbols. */
export function jsonText(value: unknown): string | undefined {
  return JSON.stringify(value);
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
