/**
 * The model behind the collapsible JSON view: one node per value, children made on demand
 * (a large array is not walked until it is opened). Pure (no DOM).
 */

import { jsonText } from "../util/guards.ts";

export type JsonKind = "object" | "array" | "string" | "number" | "boolean" | "null";

export interface JsonNode {
  /** Property name or array index; null for the root. */
  readonly key: string | null;
  readonly kind: JsonKind;
  /** The value as one line: a scalar's JSON, or `{…} 3 keys` / `[…] 2 items`. */
  readonly summary: string;
  readonly expandable: boolean;
  children(): JsonNode[];
}

/** Longest string shown inline before it is cut with an ellipsis. */
export const MAX_SCALAR_CHARS = 500;

function kindOf(value: unknown): JsonKind {
  if (value === null || value === undefined) {
    return "null";
  }
  if (Array.isArray(value)) {
    return "array";
  }
  switch (typeof value) {
    case "string":
      return "string";
    case "number":
    case "bigint":
      return "number";
    case "boolean":
      return "boolean";
    default:
      return "object";
  }
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** A scalar's JSON; a bigint, which JSON.stringify refuses, as its digits. */
function scalarSummary(value: unknown): string {
  const text = typeof value === "bigint" ? value.toString() : (jsonText(value) ?? "null");
  return text.length > MAX_SCALAR_CHARS ? `${text.slice(0, MAX_SCALAR_CHARS)}…` : text;
}

function entriesOf(value: unknown): [string, unknown][] {
  if (Array.isArray(value)) {
    return value.map((item: unknown, index) => [String(index), item]);
  }
  return typeof value === "object" && value !== null ? Object.entries(value) : [];
}

export function jsonNode(value: unknown, key: string | null = null): JsonNode {
  const kind = kindOf(value);
  if (kind === "array" || kind === "object") {
    const entries = entriesOf(value);
    const summary =
      kind === "array" ? `[…] ${plural(entries.length, "item")}` : `{…} ${plural(entries.length, "key")}`;
    return {
      key,
      kind,
      summary: entries.length === 0 ? (kind === "array" ? "[]" : "{}") : summary,
      expandable: entries.length > 0,
      children: () => entries.map(([childKey, child]) => jsonNode(child, childKey)),
    };
  }
  return { key, kind, summary: scalarSummary(value), expandable: false, children: () => [] };
}
