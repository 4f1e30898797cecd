/**
 * Rendering of one cell's outputs from their manifest hashes.
 *
 * Each output is a `.output` element with `data-output-type` (the nbformat output type)
 * and, for rich outputs, `data-mime` (the MIME type shown). Elements are keyed by hash and
 * reused while the hash stays in the list, so a growing stream re-renders only its tail.
 * Untrusted HTML, SVG and Javascript run in iframes sandboxed without `allow-same-origin`
 * (render/frames.ts); markdown and LaTeX are sanitised (render/markdown.ts).
 */

import { ansiPre } from "../render/ansi.ts";
import { htmlFrame, javascriptFrame, svgFrame } from "../render/frames.ts";
import { jsonTree } from "../render/json-view.ts";
import { renderLatex, renderMarkdown } from "../render/markdown.ts";
import { chooseMime, type ShownMime } from "../render/mime.ts";
import { streamElement } from "../render/stream.ts";
import { errorMessage, isRecord } from "../util/guards.ts";
import { h, placeChildren } from "./dom.ts";
import type { BlobClient, ContentRef, Manifest } from "./manifests.ts";

export { ansiToHtml } from "../render/ansi.ts";
export { chooseMime, MIME_ORDER, type ShownMime } from "../render/mime.ts";

/** Renders one MIME value that a part of the UI outside this module knows how to show. */
export type ExtraRenderer = (ref: ContentRef, blobs: BlobClient) => Promise<HTMLElement>;

/** MIME types shown by other parts of the UI (widgets), preferred over MIME_ORDER. */
const extraRenderers = new Map<string, ExtraRenderer>();

/** Let another part of the UI show a MIME type; it wins over the built-in renderers. */
export function registerRenderer(mime: string, render: ExtraRenderer): void {
  extraRenderers.set(mime, render);
}

/** An image at the size its metadata asks for (matplotlib's retina PNGs give half their pixels). */
function image(src: string, mime: string, metadata: unknown): HTMLImageElement {
  const element = h("img", { class: "image-output", src, alt: mime });
  if (isRecord(metadata)) {
    for (const side of ["width", "height"] as const) {
      const size = metadata[side];
      if (typeof size === "number" && Number.isFinite(size) && size > 0) {
        element.setAttribute(side, String(Math.round(size)));
      }
    }
  }
  return element;
}

async function imageFromRef(
  ref: ContentRef,
  mime: string,
  blobs: BlobClient,
  metadata: unknown,
): Promise<HTMLElement> {
  if (ref.kind === "blob" && ref.blobKind === "binary") {
    return image(blobs.url(ref.hash), mime, metadata);
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
  switch (mime) {
    case "text/html":
      return htmlFrame(await blobs.text(ref));
    case "image/svg+xml":
      return svgFrame(await blobs.text(ref));
    case "image/png":
    case "image/jpeg":
    case "image/gif":
    case "image/webp":
      return imageFromRef(ref, mime, blobs, metadata[mime]);
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
  const element = h("div", { class: "output pending", "data-output-hash": hash });
  blobs
    .manifest(hash)
    .then((manifest) => renderManifest(manifest, element, blobs))
    .catch((error: unknown) => {
      element.dataset["outputType"] ??= "unavailable";
      element.append(h("div", { class: "output-failure" }, `Output unavailable: ${errorMessage(error)}`));
    })
    .finally(() => element.classList.remove("pending"));
  return element;
}

/** Keeps a container's children equal to the outputs of a hash list. */
export class OutputList {
  readonly element: HTMLElement;
  readonly #blobs: () => BlobClient;
  #hashes: readonly string[] = [];
  #byHash = new Map<string, HTMLElement[]>();

  constructor(blobs: () => BlobClient) {
    this.#blobs = blobs;
    this.element = h("div", { class: "outputs" });
  }

  update(hashes: readonly string[]): void {
    if (hashes.length === this.#hashes.length && hashes.every((hash, i) => hash === this.#hashes[i])) {
      return;
    }
    const reusable = this.#byHash;
    const next = new Map<string, HTMLElement[]>();
    const elements = hashes.map((hash) => {
      const element = reusable.get(hash)?.shift() ?? outputElement(hash, this.#blobs());
      next.set(hash, [...(next.get(hash) ?? []), element]);
      return element;
    });
    this.#hashes = [...hashes];
    this.#byHash = next;
    placeChildren(this.element, elements);
    this.element.classList.toggle("empty", hashes.length === 0);
  }

  /** Forget cached elements (the blob server changed after a daemon restart). */
  reset(): void {
    this.#hashes = [];
    this.#byHash = new Map();
    this.element.replaceChildren();
  }
}
