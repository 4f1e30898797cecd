/**
 * The page's side of widgets: follows the document's `comms` map, shows widget-view
 * outputs, and starts the widget runtime (widgets.js) the first time one is shown.
 *
 * The App feeds it document changes and `comm_custom` broadcasts; it answers the runtime
 * as its `WidgetHost` (document state, `send_comm`, blobs, output rendering). State comes
 * from the document only, so a second window, or one opened later, shows the same widgets.
 */

import { listComms, type NotebookDoc } from "../doc/notebook.ts";
import { errorMessage } from "../util/guards.ts";
import { h } from "../ui/dom.ts";
import type { BlobClient, ContentRef } from "../ui/manifests.ts";
import { OutputList, registerRenderer } from "../ui/outputs.ts";
import {
  type CommDiff,
  diffComms,
  parseWidgetView,
  readWidgetComms,
  WIDGET_VIEW_MIME,
  type WidgetComms,
} from "./comm-state.ts";
import type { OutputListLike, WidgetHost, WidgetMessage, WidgetRuntime } from "./contract.ts";
import { loadWidgetRuntime } from "./loader.ts";

export interface WidgetBridgeOptions {
  /** Send a `send_comm` request; resolves when the daemon answered. */
  readonly send: (commId: string, data: WidgetMessage, buffers: Uint8Array[]) => Promise<void>;
  /** The current blob client (it changes when the daemon restarts). */
  readonly blobs: () => BlobClient;
}

type ChangeListener = (diff: CommDiff, comms: WidgetComms) => void;
type CustomListener = (commId: string, content: unknown, buffers: readonly unknown[]) => void;

export class WidgetBridge implements WidgetHost {
  readonly #options: WidgetBridgeOptions;
  #comms: WidgetComms = new Map();
  readonly #changeListeners: ChangeListener[] = [];
  readonly #customListeners: CustomListener[] = [];
  #runtime: Promise<WidgetRuntime> | null = null;

  constructor(options: WidgetBridgeOptions) {
    this.#options = options;
    registerRenderer(WIDGET_VIEW_MIME, (ref, blobs) => this.#renderView(ref, blobs));
  }

  /** The document changed: tell the runtime which widget models opened, changed or closed. */
  docChanged(doc: NotebookDoc): void {
    const next = readWidgetComms(listComms(doc), this.#comms);
    if (next === this.#comms) {
      return;
    }
    const diff = diffComms(this.#comms, next);
    this.#comms = next;
    for (const listener of this.#changeListeners) {
      listener(diff, next);
    }
  }

  /** A `comm_custom` broadcast from the daemon. */
  custom(commId: string, content: unknown, buffers: readonly unknown[]): void {
    for (const listener of this.#customListeners) {
      listener(commId, content, buffers);
    }
  }

  // -- WidgetHost ---------------------------------------------------------------------

  comms(): WidgetComms {
    return this.#comms;
  }

  onChange(listener: ChangeListener): void {
    this.#changeListeners.push(listener);
  }

  onCustom(listener: CustomListener): void {
    this.#customListeners.push(listener);
  }

  send(commId: string, data: WidgetMessage, buffers: readonly Uint8Array[]): Promise<void> {
    return this.#options.send(commId, data, [...buffers]);
  }

  async fetchBlob(hash: string): Promise<ArrayBuffer> {
    const response = await fetch(this.#options.blobs().url(hash));
    if (!response.ok) {
      throw new Error(`blob ${hash.slice(0, 12)}: HTTP ${response.status}`);
    }
    return response.arrayBuffer();
  }

  outputList(): OutputListLike {
    return new OutputList(this.#options.blobs);
  }

  // -- widget-view outputs ------------------------------------------------------------

  #startRuntime(): Promise<WidgetRuntime> {
    if (this.#runtime === null) {
      this.#runtime = loadWidgetRuntime().then((start) => start(this));
      this.#runtime.catch(() => {
        this.#runtime = null;
      });
    }
    return this.#runtime;
  }

  async #renderView(ref: ContentRef, blobs: BlobClient): Promise<HTMLElement> {
    const view = parseWidgetView(await blobs.json(ref));
    if ("problem" in view) {
      return h("div", { class: "widget-problem" }, view.problem);
    }
    const element = h("div", {
      class: "widget-view",
      "data-model-id": view.modelId,
      "data-widget": "loading",
    });
    this.#startRuntime()
      .then((runtime) => runtime.render(view.modelId, element))
      .catch((error: unknown) => {
        element.dataset["widget"] = "failed";
        const message = `Widget unavailable: ${errorMessage(error)}`;
        element.replaceChildren(h("div", { class: "widget-problem" }, message));
      });
    return element;
  }
}
