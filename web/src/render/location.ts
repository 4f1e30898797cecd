/**
 * The notebook's place on disk as the page knows it (handshake path, then
 * `path_changed`), for resolving relative URLs in markdown. The app sets it; renderers
 * read it and re-render when it changes.
 */

import type { FileLocation } from "./resources.ts";

function pageToken(): string {
  // Node (the unit tests) has no `location`.
  return new URLSearchParams("location" in globalThis ? globalThis.location.search : "").get("token") ?? "";
}

let current: FileLocation = { notebookPath: null, token: pageToken() };
const listeners = new Set<() => void>();

export function fileLocation(): FileLocation {
  return current;
}

export function setNotebookPath(path: string | null): void {
  if (path !== current.notebookPath) {
    current = { notebookPath: path, token: current.token };
    for (const listener of listeners) {
      listener();
    }
  }
}

/** Call `listener` whenever the notebook path changes; returns the unsubscribe. */
export function onFileLocationChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
