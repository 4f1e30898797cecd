/**
 * Rendering of one cell's outputs from their manifest hashes.
 *
 * Each output is a `.output` element with `data-output-type` (the nbformat output type)
 * and, for rich outputs, `data-mime` (the MIME type shown). Elements are keyed by hash and
 * reused while the hash stays in the list, so a growing stream re-renders only its tail.
 * Untrusted HTML, SVG, Javascript and charts run in iframes sandboxed without
 * `allow-same-origin` (render/frames.ts, render/charts.ts); markdown and LaTeX are sanitised
 * (render/markdown.ts). Images zoom on click and can be copied or saved
 * (render/image-output.ts).
 */

import { ansiPre } from "../render/ansi.ts";
import { chartFrame, htmlOutputHtml } from "../render/charts.ts";
import { htmlFrame, javascriptFrame, svgFrame } from "../render/frames.ts";
import { geoJsonOutput } from "../render/geojson.ts";
import { imageOutput, withSaveAction } from "../render/image-output.ts";
import { jsonTree } from "../render/json-view.ts";
import { renderLatex, renderMarkdown } from "../render/markdown.ts";
import { chooseMime, isChartMime, type ShownMime } from "../render/mime.ts";
import { streamElement } from "../render/stream.ts";
import { errorMessage } from "../util/guards.ts";
import { h, placeChildren } from "./dom.ts";
import { type BlobClient, BlobMissing, type ContentRef, type Manifest } from "./manifests.ts";

export { ansiToHtml } from "../render/ansi.ts";
export { useOutputSaver } from "../render/image-output.ts";
export { chooseMime, MIME_ORDER, type ShownMime } from "../render/mime.ts";

/** Renders one MIME value that a part of the UI outside this module knows how to show. */
export type ExtraRenderer = (ref: ContentRef, blobs: BlobClient) => Promise<HTMLElement>;

/** MIME types shown by other parts of the UI (widgets), preferred over MIME_ORDER. */
const extraRenderers = new Map<string, ExtraRenderer>();

/** Let another part of the UI show a MIME type; it wins over the built-in renderers. */
export function registerRenderer(mime: string, render: ExtraRenderer): void {
  extraRenderers.set(mime, render);
}

/** What an output whose blobs were collected shows instead of nothing. */
function collectedNote(): HTMLElement {
  return h("div", { class: "output-collected" }, "Output collected (older than the retention)");
}

async function imageFromRef(
  ref: ContentRef,
  mime: string,
  blobs: BlobClient,
  metadata: unknown,
): Promise<HTMLElement> {
  if (ref.kind === "blob" && ref.blobKind === "binary") {
    const shown = imageOutput(blobs.url(ref.hash), ref.hash, mime, metadata);
    // An image's bytes are fetched by the browser, not BlobClient: a collected one errors here.
    shown.querySelector("img")?.addEventListener("error", () => shown.replaceWith(collectedNote()), {
      once: true,
    });
    return shown;
  }
  // Not valid base64 when stored, so the daemon kept it as text: show it as such.
  return ansiPre(await blobs.text(ref), "text-output");
}

async function renderMime(
  mime: ShownMime,
  ref: ContentRef,
  blobs: BlobClient,
  metadata: Readonly<Record<string, unknown>>,
): Promise<HTMLElement> {
  if (isChartMime(mime)) {
    return chartFrame(mime, await blobs.text(ref), metadata[mime]);
  }
  switch (mime) {
    case "text/html":
      return htmlFrame(htmlOutputHtml(await blobs.text(ref)));
    case "image/svg+xml": {
      const svg = await blobs.text(ref);
      return withSaveAction(svgFrame(svg), mime, svg, ref.kind === "blob" ? ref.hash : "");
    }
    case "image/png":
    case "image/jpeg":
    case "image/gif":
    case "image/webp":
      return imageFromRef(ref, mime, blobs, metadata[mime]);
    case "application/geo+json":
      return geoJsonOutput(await blobs.json(ref));
    case "application/javascript":
      return javascriptFrame(await blobs.text(ref));
    case "application/json":
      return jsonTree(await blobs.json(ref));
    case "text/markdown":
      return renderMarkdown(await blobs.text(ref));
    case "text/latex":
      return renderLatex(await blobs.text(ref));
    case "text/plain":
      return ansiPre(await blobs.text(ref), "text-output");
  }
}

function tracebackLines(value: unknown): string[] {
  return Array.isArray(value) ? value.map((line: unknown) => String(line)) : [String(value)];
}

async function renderManifest(manifest: Manifest, element: HTMLElement, blobs: BlobClient): Promise<void> {
  element.dataset["outputType"] = manifest.outputType;
  switch (manifest.outputType) {
    case "stream":
      element.dataset["stream"] = manifest.name;
      element.append(streamElement(await blobs.text(manifest.text), manifest.name));
      return;
    case "error": {
      const lines = tracebackLines(await blobs.json(manifest.traceback));
      const text = lines.length > 0 ? lines.join("\n") : `${manifest.ename}: ${manifest.evalue}`;
      element.dataset["ename"] = manifest.ename;
      element.append(ansiPre(text, "error-output"));
      return;
    }
    case "display_data":
    case "execute_result": {
      for (const [mime, render] of extraRenderers) {
        const ref = manifest.data.get(mime);
        if (ref !== undefined) {
          element.dataset["mime"] = mime;
          element.append(await render(ref, blobs));
          return;
        }
      }
      const mime = chooseMime(manifest.data.keys());
      const ref = mime === null ? undefined : manifest.data.get(mime);
      if (mime === null || ref === undefined) {
        element.dataset["mime"] = "unknown";
        const listed = [...manifest.data.keys()].join(", ") || "no data";
        const message = `No renderer for this output's types: ${listed}`;
        element.append(h("div", { class: "unknown-output" }, message));
        return;
      }
      element.dataset["mime"] = mime;
      element.append(await renderMime(mime, ref, blobs, manifest.metadata));
      return;
    }
    case "unknown":
      element.append(h("div", { class: "unknown-output" }, `Unknown output type ${manifest.rawType}`));
      return;
  }
}

/** A `.output` element that fills itself in once its manifest has been fetched. */
export function outputElement(hash: string, blobs: BlobClient): HTMLElement {
  return loadingOutput(hash, blobs).element;
}

function loadingOutput(hash: string, blobs: BlobClient): { element: HTMLElement; ready: Promise<void> } {
  const element = h("div", { class: "output pending", "data-output-hash": hash });
  const ready = blobs
    .manifest(hash)
    .then((manifest) => renderManifest(manifest, element, blobs))
    .catch((error: unknown) => {
      if (error instanceof BlobMissing) {
        element.dataset["outputType"] = "collected";
        element.replaceChildren(collectedNote());
        return;
      }
      element.dataset["outputType"] ??= "unavailable";
      element.append(h("div", { class: "output-failure" }, `Output unavailable: ${errorMessage(error)}`));
    })
    .finally(() => element.classList.remove("pending"));
  return { element, ready };
}

function sameKind(a: HTMLElement, b: HTMLElement): boolean {
  return a.dataset["outputType"] === b.dataset["outputType"] && a.dataset["stream"] === b.dataset["stream"];
}

/**
 * Keeps a container's children equal to the outputs of a hash list.
 *
 * A growing stream gets a new hash every few tens of milliseconds, more often than a
 * slow blob server answers; so while a new output loads, the one it replaces stays on
 * screen, and each output that finishes loading replaces an older one shown in its
 * place. A flood of output then shows as text that keeps growing, never as an empty box.
 * Only one update's outputs load at a time (the newest list waits, intermediate ones
 * are skipped), so a flood cannot queue thousands of blob fetches behind each other.
 */
export class OutputList {
  readonly element: HTMLElement;
  readonly #blobs: () => BlobClient;
  #hashes: readonly string[] = [];
  #byHash = new Map<string, HTMLElement[]>();
  /** The element of each output, and what is on screen in its place. */
  #wanted: HTMLElement[] = [];
  #shown: HTMLElement[] = [];
  readonly #age = new WeakMap<HTMLElement, number>();
  #created = 0;
  /** Outputs of the last update still loading, and the newest list waiting for them. */
  #loading = 0;
  #queued: readonly string[] | null = null;
  #generation = 0;

  constructor(blobs: () => BlobClient) {
    this.#blobs = blobs;
    this.element = h("div", { class: "outputs" });
  }

  update(hashes: readonly string[]): void {
    if (hashes.length === this.#hashes.length && hashes.every((hash, i) => hash === this.#hashes[i])) {
      this.#queued = null;
      return;
    }
    if (this.#loading > 0) {
      this.#queued = hashes; // one batch of loads at a time: the latest list waits for it
      return;
    }
    const reusable = this.#byHash;
    const next = new Map<string, HTMLElement[]>();
    const wanted = hashes.map((hash) => {
      const element = reusable.get(hash)?.shift() ?? this.#load(hash);
      next.set(hash, [...(next.get(hash) ?? []), element]);
      return element;
    });
    const kept = new Set(wanted);
    const shown = wanted.map((element, i) => {
      const previous = this.#shown[i];
      const standIn = element.classList.contains("pending") && previous !== undefined && !kept.has(previous);
      return standIn ? previous : element;
    });
    this.#hashes = [...hashes];
    this.#byHash = next;
    this.#wanted = wanted;
    this.#shown = shown;
    placeChildren(this.element, shown);
    this.element.classList.toggle("empty", hashes.length === 0);
  }

  /** Forget cached elements (the blob server changed after a daemon restart). */
  reset(): void {
    this.#generation += 1;
    this.#loading = 0;
    this.#queued = null;
    this.#hashes = [];
    this.#byHash = new Map();
    this.#wanted = [];
    this.#shown = [];
    this.element.replaceChildren();
  }

  #load(hash: string): HTMLElement {
    const { element, ready } = loadingOutput(hash, this.#blobs());
    this.#age.set(element, ++this.#created);
    const generation = this.#generation;
    this.#loading += 1;
    void ready.then(() => {
      if (generation !== this.#generation) {
        return;
      }
      this.#loaded(element);
      this.#loading -= 1;
      const queued = this.#queued;
      if (this.#loading === 0 && queued !== null) {
        this.#queued = null;
        this.update(queued);
      }
    });
    return element;
  }

  /** Put a loaded output in place of an older stand-in it supersedes. */
  #loaded(element: HTMLElement): void {
    const age = this.#age.get(element) ?? 0;
    this.#shown.forEach((shown, i) => {
      const target = this.#wanted[i];
      if (shown === target || target === undefined) {
        return;
      }
      const newer = (this.#age.get(shown) ?? 0) < age && age <= (this.#age.get(target) ?? 0);
      if (newer && (element === target || sameKind(element, shown))) {
        shown.replaceWith(element);
        this.#shown[i] = element;
      }
    });
  }
}
