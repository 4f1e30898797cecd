/**
 * Image outputs with their actions: a click on the image toggles between fitting the
 * output's width and the image's actual size; "Copy image" puts it on the clipboard as
 * PNG; "Save as file…" hands the output's bytes to the host (the app's save dialog, or a
 * download in a browser). Both actions are buttons, so they are in the tab order, and
 * they say what happened in a status line. SVG outputs (framed) get "Save as file…".
 */

import type { SavedOutput } from "../host.ts";
import { h } from "../ui/dom.ts";
import { errorMessage, isRecord } from "../util/guards.ts";

/** Saves an output as a file (Host.saveOutput, set by the app). */
export type OutputSaver = (output: SavedOutput) => Promise<void>;

let saver: OutputSaver = () => Promise.reject(new Error("this page cannot save files"));

/** Where "Save as file…" sends outputs; the app sets it to its host's `saveOutput`. */
export function useOutputSaver(save: OutputSaver): void {
  saver = save;
}

const EXTENSIONS: Readonly<Record<string, string>> = {
  "image/png": ".png",
  "image/jpeg": ".jpg",
  "image/gif": ".gif",
  "image/webp": ".webp",
  "image/svg+xml": ".svg",
};

/** `image-1a2b3c4d.png`: named after the content, so two saves of one image agree. */
export function suggestedName(mime: string, key: string): string {
  return `image-${key.slice(0, 8) || "output"}${EXTENSIONS[mime] ?? ".txt"}`;
}

type Content = SavedOutput["content"];

function actionButton(label: string, action: string): HTMLButtonElement {
  return h("button", { type: "button", class: "output-action", "data-output-action": action }, label);
}

/** The actions bar, its status line, and the handlers of its buttons. */
function actionsBar(mime: string, content: Content, key: string, copyable: boolean): HTMLElement {
  const status = h("span", { class: "output-action-status", role: "status" });
  const say = (text: string, failed: boolean): void => {
    status.textContent = text;
    status.toggleAttribute("data-failed", failed);
  };
  const buttons: HTMLButtonElement[] = [];
  if (copyable && "blobUrl" in content) {
    const copy = actionButton("Copy image", "copy");
    copy.addEventListener("click", () => {
      copyImage(content.blobUrl, mime).then(
        () => say("Image copied", false),
        (error: unknown) => say(`Could not copy the image: ${errorMessage(error)}`, true),
      );
    });
    buttons.push(copy);
  }
  const save = actionButton("Save as file…", "save");
  save.addEventListener("click", () => {
    saver({ suggestedName: suggestedName(mime, key), mime, content }).then(
      () => say("", false),
      (error: unknown) => say(`Could not save the output: ${errorMessage(error)}`, true),
    );
  });
  buttons.push(save);
  return h("div", { class: "output-actions", role: "toolbar", "aria-label": "Output actions" }, ...buttons, status);
}

/** The image as PNG (the one image type every clipboard takes), from its bytes. */
async function pngBlob(url: string, mime: string): Promise<Blob> {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`the image is unavailable (HTTP ${response.status})`);
  }
  const bytes = await response.blob();
  if (mime === "image/png") {
    return new Blob([bytes], { type: "image/png" });
  }
  const bitmap = await createImageBitmap(bytes);
  const canvas = h("canvas", { width: String(bitmap.width), height: String(bitmap.height) });
  canvas.getContext("2d")?.drawImage(bitmap, 0, 0);
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob === null ? reject(new Error("the image cannot be converted")) : resolve(blob))),
  );
}

async function copyImage(url: string, mime: string): Promise<void> {
  if (typeof ClipboardItem === "undefined" || !("clipboard" in navigator)) {
    throw new Error("this window has no clipboard access for images");
  }
  // The item takes a promise, so the write starts within the click (Safari, WebKit ask it).
  await navigator.clipboard.write([new ClipboardItem({ "image/png": pngBlob(url, mime) })]);
}

/** A raster image at the size its metadata asks for (retina PNGs give half their pixels). */
export function imageOutput(url: string, hash: string, mime: string, metadata: unknown): HTMLElement {
  const image = h("img", { class: "image-output", src: url, alt: mime });
  if (isRecord(metadata)) {
    for (const side of ["width", "height"] as const) {
      const size = metadata[side];
      if (typeof size === "number" && Number.isFinite(size) && size > 0) {
        image.setAttribute(side, String(Math.round(size)));
      }
    }
  }
  const zoom = h(
    "button",
    { type: "button", class: "image-zoom", "aria-label": "Show the image at its actual size", "aria-pressed": "false" },
    image,
  );
  const box = h("div", { class: "image-box", "data-zoom": "fit" }, zoom);
  zoom.addEventListener("click", () => {
    const actual = box.dataset["zoom"] !== "actual";
    box.dataset["zoom"] = actual ? "actual" : "fit";
    zoom.setAttribute("aria-pressed", String(actual));
  });
  box.append(actionsBar(mime, { blobUrl: url, hash }, hash, true));
  return box;
}

/** A framed SVG output with "Save as file…" (its text). */
export function withSaveAction(frame: HTMLElement, mime: string, text: string, key: string): HTMLElement {
  return h("div", { class: "image-box" }, frame, actionsBar(mime, { text }, key, false));
}
