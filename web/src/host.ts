/**
 * The only code that talks to the desktop shell. Messages travel as JSON text over the
 * relay's WebSocket (pywebview's js_api is not used), so in a plain browser they are
 * harmless and the UI runs unchanged in tests.
 *
 * Page -> shell: `new_window`, `open_dialog`, `save_as_dialog`, `title {title}`,
 * `dirty {dirty}`, `ready` (the notebook is shown and editable), `close`. Shell -> page: `save_as_path {path}` (the path the user chose
 * in the save-as dialog; the page then sends the `save` request) and `action {action}`
 * (a native menu item, named like the toolbar's `data-action`).
 */

import { type Action, isAction } from "./actions.ts";
import { parseJson } from "./protocol/control.ts";
import type { Transport } from "./transport.ts";
import { isRecord, isString } from "./util/guards.ts";

export type ShellMessage =
  | { readonly type: "save_as_path"; readonly path: string }
  | { readonly type: "action"; readonly action: Action };

export type HostRequest =
  | { readonly type: "new_window" }
  | { readonly type: "open_dialog" }
  | { readonly type: "save_as_dialog" }
  | { readonly type: "title"; readonly title: string }
  | { readonly type: "dirty"; readonly dirty: boolean }
  | { readonly type: "ready"; readonly page_ms: number }
  | { readonly type: "close" };

export interface Host {
  newWindow(): void;
  openDialog(): void;
  saveAsDialog(): void;
  setTitle(title: string): void;
  setDirty(dirty: boolean): void;
  close(): void;
  /** The notebook is on screen and editable (the shell measures startup with it). */
  ready(): void;
  /** Whether the shell asked for a fresh notebook to start with one empty code cell. */
  wantsFirstCell(): boolean;
  /** Make this window rejoin `notebookId` when it is reloaded (not create another). */
  rememberNotebook(notebookId: string): void;
  onMessage(listener: (message: ShellMessage) => void): void;
}

export function parseShellMessage(text: string): ShellMessage | null {
  const value = parseJson(text);
  if (!isRecord(value)) {
    return null;
  }
  const type = value["type"];
  if (type === "save_as_path" && isString(value["path"])) {
    return { type, path: value["path"] };
  }
  const action = value["action"];
  if (type === "action" && isAction(action)) {
    return { type, action };
  }
  return null;
}

export class RelayHost implements Host {
  readonly #transport: Transport;
  #title: string | null = null;
  #dirty: boolean | null = null;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  newWindow(): void {
    this.#send({ type: "new_window" });
  }

  openDialog(): void {
    this.#send({ type: "open_dialog" });
  }

  saveAsDialog(): void {
    this.#send({ type: "save_as_dialog" });
  }

  setTitle(title: string): void {
    document.title = title;
    if (title !== this.#title) {
      this.#title = title;
      this.#send({ type: "title", title });
    }
  }

  rememberNotebook(notebookId: string): void {
    const url = new URL(window.location.href);
    if (url.searchParams.get("join") === notebookId) {
      return;
    }
    url.searchParams.delete("create");
    url.searchParams.delete("open");
    url.searchParams.delete("first_cell");
    url.searchParams.set("join", notebookId);
    window.history.replaceState(null, "", url);
  }

  setDirty(dirty: boolean): void {
    if (dirty !== this.#dirty) {
      this.#dirty = dirty;
      this.#send({ type: "dirty", dirty });
    }
  }

  close(): void {
    this.#send({ type: "close" });
  }

  ready(): void {
    performance.mark("nbdesk:ready");
    this.#send({ type: "ready", page_ms: Math.round(performance.now()) });
  }

  wantsFirstCell(): boolean {
    return new URL(window.location.href).searchParams.has("first_cell");
  }

  onMessage(listener: (message: ShellMessage) => void): void {
    this.#transport.onText((text) => {
      const message = parseShellMessage(text);
      if (message !== null) {
        listener(message);
      }
    });
  }

  #send(message: HostRequest): void {
    this.#transport.sendText(JSON.stringify(message));
  }
}
