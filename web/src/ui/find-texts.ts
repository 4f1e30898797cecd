/**
 * The texts find searches besides cell sources: an output's text (streams, errors,
 * `text/plain` results; images, HTML and widgets have none) and a markdown source as
 * rendered. Outputs are content-addressed, so a hash's text never changes and is kept
 * once loaded; rendered markdown is kept by source. Loading is the only asynchronous
 * part: `load` fetches what is missing and says when something arrived.
 */

import { renderMarkdown } from "../render/markdown.ts";
import { chooseMime } from "../render/mime.ts";
import type { SearchTexts } from "./find-matches.ts";
import type { BlobClient, Manifest } from "./manifests.ts";

/** Escape sequences (colours, cursor moves) that show as nothing. */
const ANSI = new RegExp(String.raw`\u001b\[[0-9;?]*[A-Za-z]|\u001b\][^\u0007]*\u0007`, "g");

/** Rendered markdown texts kept at most (a notebook's markdown cells, with room to edit). */
const RENDERED_KEPT = 5000;
/** Output loads in flight at once. */
const PARALLEL = 8;

async function outputText(manifest: Manifest, blobs: BlobClient): Promise<string> {
  switch (manifest.outputType) {
    case "stream":
      return (await blobs.text(manifest.text)).replace(ANSI, "");
    case "error": {
      const traceback: unknown = await blobs.json(manifest.traceback);
      const lines = Array.isArray(traceback) ? traceback.map((line: unknown) => String(line)) : [];
      return (lines.length > 0 ? lines.join("\n") : `${manifest.ename}: ${manifest.evalue}`).replace(ANSI, "");
    }
    case "display_data":
    case "execute_result": {
      const plain = manifest.data.get("text/plain");
      return plain !== undefined && chooseMime(manifest.data.keys()) === "text/plain"
        ? (await blobs.text(plain)).replace(ANSI, "")
        : "";
    }
    case "unknown":
      return "";
  }
}

export class FindTexts implements SearchTexts {
  readonly #blobs: () => BlobClient;
  readonly #outputs = new Map<string, string>();
  readonly #loading = new Set<string>();
  readonly #rendered = new Map<string, string>();

  constructor(blobs: () => BlobClient) {
    this.#blobs = blobs;
  }

  output(hash: string): string | undefined {
    return this.#outputs.get(hash);
  }

  rendered(source: string): string {
    let text = this.#rendered.get(source);
    if (text === undefined) {
      text = renderMarkdown(source).textContent;
      if (this.#rendered.size >= RENDERED_KEPT) {
        this.#rendered.clear();
      }
      this.#rendered.set(source, text);
    }
    return text;
  }

  /** Whether every one of `hashes` has its text. */
  has(hashes: Iterable<string>): boolean {
    for (const hash of hashes) {
      if (!this.#outputs.has(hash)) {
        return false;
      }
    }
    return true;
  }

  /** Fetch the texts of `hashes` not loaded yet; `arrived` runs once they are all in. */
  load(hashes: Iterable<string>, arrived: () => void): void {
    const missing = [...new Set(hashes)].filter((hash) => !this.#outputs.has(hash) && !this.#loading.has(hash));
    if (missing.length === 0) {
      return;
    }
    for (const hash of missing) {
      this.#loading.add(hash);
    }
    const next = async (): Promise<void> => {
      for (let hash = missing.pop(); hash !== undefined; hash = missing.pop()) {
        const blobs = this.#blobs();
        // An output that cannot be read (blob gone, server down) has no text to find.
        const text = await blobs.manifest(hash).then((manifest) => outputText(manifest, blobs)).catch(() => "");
        this.#outputs.set(hash, text);
        this.#loading.delete(hash);
      }
    };
    void Promise.all(Array.from({ length: Math.min(PARALLEL, missing.length) }, next)).then(arrived);
  }
}
