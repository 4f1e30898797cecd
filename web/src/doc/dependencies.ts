/**
 * The notebook's uv dependencies as its metadata holds them, read the way the daemon
 * reads them (daemon/doc/dependencies.py): `metadata.nbdesk.uv.dependencies` first, then
 * nteract's `metadata.runt.uv` and a top-level `metadata.uv`. Pure: the page shows what
 * the document says, so every window follows an edit made in any of them. Writing goes
 * through the daemon (`set_dependencies`), which signs what the user typed.
 */

import { isRecord, isStringArray } from "../util/guards.ts";
import type { NotebookDoc } from "./notebook.ts";

const KEYS = ["nbdesk", "runt", "uv"] as const;

export interface NotebookDependencies {
  /** The requirement strings, trimmed, in the order written, without repeats. */
  readonly dependencies: readonly string[];
  /** The metadata key they came from; null when the notebook lists none. */
  readonly key: (typeof KEYS)[number] | null;
  /** Why the list cannot be read (hand-edited into something else); null when it can. */
  readonly problem: string | null;
}

const NONE: NotebookDependencies = { dependencies: [], key: null, problem: null };

function section(key: (typeof KEYS)[number], value: unknown): unknown {
  if (key === "uv") {
    return value;
  }
  return isRecord(value) ? value["uv"] : undefined;
}

export function notebookDependencies(doc: NotebookDoc): NotebookDependencies {
  for (const key of KEYS) {
    const raw = doc.metadata?.[key];
    if (raw === undefined) {
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw.toString());
    } catch {
      continue; // the daemon skips unreadable metadata the same way
    }
    const uv = section(key, value);
    if (!isRecord(uv) || !("dependencies" in uv)) {
      continue;
    }
    const listed: unknown = uv["dependencies"];
    if (!isStringArray(listed)) {
      return { dependencies: [], key, problem: `metadata ${key}: the dependencies are not a list of strings` };
    }
    const seen = new Set<string>();
    const dependencies: string[] = [];
    for (const item of listed) {
      const trimmed = item.trim();
      if (trimmed !== "" && !seen.has(trimmed)) {
        seen.add(trimmed);
        dependencies.push(trimmed);
      }
    }
    return { dependencies, key, problem: null };
  }
  return NONE;
}
