/**
 * The seam between the page (app.js) and the lazily loaded widget runtime (widgets.js).
 *
 * The page owns the document, the session and the output renderers; the runtime owns
 * the widget manager and its models. widgets.js assigns its `start` function to
 * `globalThis.nbdeskWidgets`, and the page calls it once with a `WidgetHost`. Only types
 * live here, so neither bundle pulls in the other's code.
 */

import type { CommDiff, WidgetComms } from "./comm-state.ts";

/** Keeps an element's children equal to the outputs of a hash list (ui/outputs.ts OutputList). */
export interface OutputListLike {
  readonly element: HTMLElement;
  update(hashes: readonly string[]): void;
}

/** The `data` of a comm message (`{method: "update", state, buffer_paths}`, `custom`, …). */
export type WidgetMessage = Readonly<Record<string, unknown>>;

/** What the page offers the widget runtime. */
export interface WidgetHost {
  /** The widget comms of the current document. */
  comms(): WidgetComms;
  /** Called after every document change that touched a widget comm. */
  onChange(listener: (diff: CommDiff, comms: WidgetComms) => void): void;
  /** Custom messages from the kernel (a `comm_custom` broadcast); buffers are `$blob` refs. */
  onCustom(listener: (commId: string, content: unknown, buffers: readonly unknown[]) => void): void;
  /** A widget message to the kernel (`send_comm`); resolves when the daemon took it. */
  send(commId: string, data: WidgetMessage, buffers: readonly Uint8Array[]): Promise<void>;
  /** The bytes of a blob from the daemon's blob server. */
  fetchBlob(hash: string): Promise<ArrayBuffer>;
  /** A list of outputs rendered by the page's own renderers (for Output widgets). */
  outputList(): OutputListLike;
}

/** What the runtime offers the page. */
export interface WidgetRuntime {
  /** Show the view of model `modelId` in `element` (a placeholder if there is none). */
  render(modelId: string, element: HTMLElement): Promise<void>;
}

export type StartWidgetRuntime = (host: WidgetHost) => WidgetRuntime;

declare global {
  var nbdeskWidgets: StartWidgetRuntime | undefined;
}
