/**
 * anywidget's `AnyModel` and `AnyView` (module `anywidget`, any version): widgets whose
 * front end is an ES module the kernel sends as the `_esm` trait, styled by `_css`.
 *
 * ipywidgets' own models and views are nbdesk's bundled code and run in the page; an
 * anywidget's module is third-party code from the kernel, so each view runs it in an
 * iframe sandboxed like untrusted HTML output (`allow-scripts` only, an opaque origin:
 * no page DOM, token or relay). The model stays here, in the widget manager; the frame
 * holds a mirror (anywidget-frame.ts) and the two talk over a MessagePort: state changes
 * both ways, `save_changes`, custom messages both ways and binary buffers (DataViews,
 * cloned across). Each view has its own frame, so the module's `initialize` runs once
 * per view rather than once per model.
 */

import * as base from "@jupyter-widgets/base";

import type { JSONObject, JSONValue } from "@lumino/coreutils";

import { isRecord } from "../../util/guards.ts";
import { anywidgetFrameDocument, type FrameMessage, INIT_KEY, type PageMessage } from "./anywidget-frame.ts";

export const ANYWIDGET_MODULE = "anywidget";

const MIN_HEIGHT = 8;
const MAX_HEIGHT = 20000;

/** Whether a value holds binary data (an ArrayBuffer or a view on one) at any depth. */
function hasBinary(value: unknown): boolean {
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    return true;
  }
  if (Array.isArray(value)) {
    return value.some(hasBinary);
  }
  return isRecord(value) && Object.values(value).some(hasBinary);
}

/** A value that is JSON as the comm's types mean it (what a custom message may carry). */
function isJson(value: unknown): value is JSONValue {
  if (value === null || ["string", "number", "boolean"].includes(typeof value)) {
    return true;
  }
  if (Array.isArray(value)) {
    return value.every(isJson);
  }
  return isRecord(value) && Object.values(value).every(isJson);
}

export class AnyModel extends base.DOMWidgetModel {
  /** Binary values are cloned, not JSON-copied (which would empty a DataView). */
  override serialize(state: base.Dict<unknown>): JSONObject {
    const json: base.Dict<unknown> = {};
    const binary: base.Dict<unknown> = {};
    for (const [key, value] of Object.entries(state)) {
      if (hasBinary(value)) {
        binary[key] = structuredClone(value);
      } else {
        json[key] = value;
      }
    }
    return Object.assign(super.serialize(json), binary);
  }
}

function frameMessage(value: unknown): FrameMessage | null {
  if (!isRecord(value)) {
    return null;
  }
  const op = value["op"];
  const changes = value["changes"];
  const buffers = value["buffers"];
  switch (op) {
    case "set":
      return isRecord(changes) ? { op, changes } : null;
    case "save":
    case "rendered":
      return { op };
    case "send":
      return isJson(value["content"])
        ? { op, content: value["content"], buffers: Array.isArray(buffers) ? buffers : [] }
        : null;
    case "height":
      return typeof value["value"] === "number" ? { op, value: value["value"] } : null;
    case "error":
      return { op, message: String(value["message"]) };
    default:
      return null;
  }
}

/** Binary buffers as the comm expects them (the frame may hand any ArrayBufferView). */
function buffersOf(values: readonly unknown[]): ArrayBufferView[] {
  return values.flatMap((value) => {
    if (value instanceof ArrayBuffer) {
      return [new DataView(value)];
    }
    return ArrayBuffer.isView(value) ? [value] : [];
  });
}

export class AnyView extends base.DOMWidgetView {
  #frame: HTMLIFrameElement | null = null;
  #port: MessagePort | null = null;
  /** Set while a change that came from the frame is applied, so it is not echoed back. */
  #fromFrame = false;

  override render(): void {
    this.el.classList.add("anywidget-view");
    this.el.dataset["anywidget"] = "loading";
    this.#frame = document.createElement("iframe");
    this.#frame.className = "anywidget-frame";
    this.#frame.setAttribute("sandbox", "allow-scripts");
    this.#frame.title = `Widget ${String(this.model.get("_anywidget_id") ?? "")}`.trim();
    // Each load (also after the frame moved in the DOM) starts the module afresh.
    this.#frame.addEventListener("load", () => this.#connect());
    this.#frame.srcdoc = anywidgetFrameDocument();
    this.el.append(this.#frame);
    this.listenTo(this.model, "change", () => this.#changed());
    this.listenTo(this.model, "change:_esm change:_css", () => this.#reload());
    this.listenTo(this.model, "msg:custom", (content: unknown, buffers: unknown) => {
      this.#post({ op: "custom", content, buffers: Array.isArray(buffers) ? buffers : [] });
    });
  }

  override remove(): this {
    this.#port?.close();
    this.#port = null;
    super.remove();
    return this;
  }

  #connect(): void {
    const target = this.#frame?.contentWindow;
    if (target === null || target === undefined) {
      return;
    }
    this.#port?.close();
    const channel = new MessageChannel();
    this.#port = channel.port1;
    channel.port1.onmessage = (event: MessageEvent<unknown>) => this.#received(event.data);
    const state = this.model.serialize({ ...this.model.attributes });
    target.postMessage({ [INIT_KEY]: { state } }, "*", [channel.port2]);
  }

  #reload(): void {
    if (this.#frame !== null) {
      this.el.dataset["anywidget"] = "loading";
      this.#frame.srcdoc = anywidgetFrameDocument(); // setting it loads a new document
    }
  }

  #post(message: PageMessage): void {
    try {
      this.#port?.postMessage(message);
    } catch (error) {
      console.error("nbdesk: a value of this widget cannot reach its frame", error);
    }
  }

  #changed(): void {
    const changed = this.model.changedAttributes();
    if (this.#fromFrame || changed === false) {
      return;
    }
    this.#post({ op: "change", changes: this.model.serialize({ ...changed }) });
  }

  #received(value: unknown): void {
    const message = frameMessage(value);
    if (message === null) {
      return;
    }
    switch (message.op) {
      case "set":
        this.#fromFrame = true;
        try {
          this.model.set(message.changes);
        } finally {
          this.#fromFrame = false;
        }
        return;
      case "save":
        this.model.save_changes();
        return;
      case "send":
        this.model.send(message.content, {}, buffersOf(message.buffers));
        return;
      case "height":
        if (this.#frame !== null && Number.isFinite(message.value)) {
          const height = Math.min(Math.max(Math.ceil(message.value), MIN_HEIGHT), MAX_HEIGHT);
          this.#frame.style.height = `${height}px`;
        }
        return;
      case "rendered":
        this.el.dataset["anywidget"] = "rendered";
        return;
      case "error":
        this.el.dataset["anywidget"] = "failed";
        console.warn(`nbdesk: anywidget ${this.model.model_id}: ${message.message}`);
        return;
    }
  }
}
