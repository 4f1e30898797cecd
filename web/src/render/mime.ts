/**
 * Which MIME type of an output bundle is shown: the first of MIME_ORDER the bundle holds.
 *
 * The order follows JupyterLab's renderer ranks: rich text and images before code that
 * must run, JSON and plain text last. Pure (no DOM), so it is unit-tested in Node.
 */

/** Richest first: the first of these a bundle holds is the one shown. */
export const MIME_ORDER = [
  "text/html",
  "text/markdown",
  "text/latex",
  "image/svg+xml",
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "application/geo+json",
  "application/javascript",
  "application/json",
  "text/plain",
] as const;

export type ShownMime = (typeof MIME_ORDER)[number];

export function chooseMime(mimes: Iterable<string>): ShownMime | null {
  const available = new Set(mimes);
  return MIME_ORDER.find((mime) => available.has(mime)) ?? null;
}
