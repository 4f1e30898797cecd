/**
 * Which editor language a notebook's code cells get, from its metadata: the kernel's
 * `language_info.name`, else `kernelspec.language` (a notebook whose kernel never ran
 * here), else Python (a new notebook, before its first kernel). Pure: no CodeMirror.
 */

import type { NotebookDoc } from "../doc/notebook.ts";
import { isRecord } from "../util/guards.ts";

/** The languages the editor highlights; `plain` for any other (no highlighting). */
export type EditorLanguage = "python" | "r" | "julia" | "javascript" | "typescript" | "shell" | "sql" | "plain";

const NAMES: ReadonlyMap<string, EditorLanguage> = new Map<string, EditorLanguage>([
  ["python", "python"],
  ["python2", "python"],
  ["python3", "python"],
  ["ipython", "python"],
  ["ipython3", "python"],
  ["r", "r"],
  ["julia", "julia"],
  ["javascript", "javascript"],
  ["js", "javascript"],
  ["node", "javascript"],
  ["nodejs", "javascript"],
  ["typescript", "typescript"],
  ["ts", "typescript"],
  ["bash", "shell"],
  ["sh", "shell"],
  ["zsh", "shell"],
  ["shell", "shell"],
  ["sql", "sql"],
]);

/** The editor language for a kernel language name ("" means none is known yet: Python). */
export function editorLanguage(name: string): EditorLanguage {
  const key = name.trim().toLowerCase();
  return key === "" ? "python" : (NAMES.get(key) ?? "plain");
}

function metadataField(doc: NotebookDoc, key: string, field: string): string {
  const raw = doc.metadata?.[key];
  if (raw === undefined) {
    return "";
  }
  try {
    const value: unknown = JSON.parse(raw.toString());
    const named = isRecord(value) ? value[field] : undefined;
    return typeof named === "string" ? named : "";
  } catch {
    return ""; // malformed metadata: the fallback decides
  }
}

/** The kernel language the notebook declares, or "" when it declares none. */
export function notebookLanguage(doc: NotebookDoc): string {
  return metadataField(doc, "language_info", "name") || metadataField(doc, "kernelspec", "language");
}
