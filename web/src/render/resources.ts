/**
 * Where a URL in rendered markdown points: `attachment:name` becomes a data URL of the
 * cell's attachment, a relative path becomes the shell server's `/files/` URL for the
 * notebook's directory, anything else is left alone. Pure (no DOM).
 */

import { isRecord } from "../util/guards.ts";

/** nbformat attachments: name -> {mime: base64 or text}. */
export type Attachments = ReadonlyMap<string, ReadonlyMap<string, string>>;

/** Where the notebook lives and how the shell server is asked for its files. */
export interface FileLocation {
  /** Absolute path of the notebook file; null while it is untitled. */
  readonly notebookPath: string | null;
  /** The page's shell-server token. */
  readonly token: string;
}

export const NO_ATTACHMENTS: Attachments = new Map();

/** A cell's attachments (the document's JSON string); bad input gives none, never throws. */
export function parseAttachments(json: string | null | undefined): Attachments {
  if (!json) {
    return NO_ATTACHMENTS;
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return NO_ATTACHMENTS;
  }
  const result = new Map<string, Map<string, string>>();
  if (!isRecord(value)) {
    return result;
  }
  for (const [name, bundle] of Object.entries(value)) {
    if (!isRecord(bundle)) {
      continue;
    }
    const mimes = new Map<string, string>();
    for (const [mime, data] of Object.entries(bundle)) {
      const text = Array.isArray(data) ? data.join("") : data;
      if (typeof text === "string") {
        mimes.set(mime, text);
      }
    }
    result.set(name, mimes);
  }
  return result;
}

/** Image types an attachment may be shown as, richest first. */
const ATTACHMENT_MIMES = ["image/svg+xml", "image/png", "image/jpeg", "image/gif", "image/webp"];

/** A data URL for attachment `name`, or null when the cell has no such image. */
export function attachmentUrl(attachments: Attachments, name: string): string | null {
  const bundle = attachments.get(name);
  if (bundle === undefined) {
    return null;
  }
  for (const mime of ATTACHMENT_MIMES) {
    const data = bundle.get(mime);
    if (data === undefined) {
      continue;
    }
    if (mime === "image/svg+xml") {
      return `data:${mime};charset=utf-8,${encodeURIComponent(data)}`;
    }
    return `data:${mime};base64,${data.replace(/\s+/g, "")}`;
  }
  return null;
}

/** True for a URL with a scheme (`https:`, `data:`), protocol-relative (`//`), rooted or a fragment. */
function isAbsoluteOrLocal(url: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(url) || url.startsWith("/") || url.startsWith("#");
}

/** The directory part of an absolute path, POSIX or Windows. */
function directoryOf(path: string): string {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return cut < 0 ? "" : path.slice(0, cut);
}

export type Resolved =
  | { readonly kind: "keep" }
  | { readonly kind: "url"; readonly url: string }
  | { readonly kind: "missing"; readonly reason: string };

/**
 * The shell server URL of `relative`, a path inside the notebook's directory (its query
 * and fragment dropped). A path that climbs out with `..` is refused here as the server
 * would, since the browser would otherwise fold `..` away before sending it.
 */
export function filesUrl(location: FileLocation, relative: string): Resolved {
  if (location.notebookPath === null || directoryOf(location.notebookPath) === "") {
    return { kind: "missing", reason: "save the notebook to show files next to it" };
  }
  const path = relative.split(/[?#]/, 1)[0] ?? "";
  const segments = decodeName(path)
    .split(/[\\/]/)
    .filter((segment) => segment !== "" && segment !== ".");
  if (segments.includes("..")) {
    return { kind: "missing", reason: `${relative} is outside the notebook's folder` };
  }
  if (segments.length === 0) {
    return { kind: "keep" };
  }
  const query = new URLSearchParams({ token: location.token, notebook: location.notebookPath });
  return { kind: "url", url: `/files/${segments.map(encodeURIComponent).join("/")}?${query.toString()}` };
}

/** What a `src` or `href` in rendered markdown should become. */
export function resolveUrl(url: string, attachments: Attachments, location: FileLocation): Resolved {
  const trimmed = url.trim();
  if (trimmed.startsWith("attachment:")) {
    const name = decodeName(trimmed.slice("attachment:".length));
    const data = attachmentUrl(attachments, name);
    return data === null
      ? { kind: "missing", reason: `no attachment named ${name}` }
      : { kind: "url", url: data };
  }
  if (trimmed === "" || isAbsoluteOrLocal(trimmed)) {
    return { kind: "keep" };
  }
  return filesUrl(location, trimmed);
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}
