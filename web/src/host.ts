/**
 * The only code that talks to the desktop shell. Messages travel as JSON text over the
 * relay's WebSocket (pywebview's js_api is not used), so in a plain browser they are
 * harmless and the UI runs unchanged in tests.
 *
 * Page -> shell (`HostRequest`): `new_window`, `open_dialog`, `save_as_dialog`, `title`,
 * `dirty`, `ready` (the notebook is shown and editable), `close`, `save_output` (an output
 * saved as a file through the shell's save dialog; a plain browser downloads it instead).
 * Shell -> page
 * (`ShellMessage`): `save_as_path` (the path the user chose in the save-as dialog; the
 * page then sends the `save` request) and `action` (a native menu item, named like the
 * toolbar's `data-action`). Both are generated from daemon/wire/control.py.
 */

import { parseJson } from "./protocol/control.ts";
import { check } from "./protocol/validate.ts";
import { checkShellMessage, type HostRequest, type ShellMessage } from "./protocol/wire.gen.ts";
import type { Transport } from "./transport.ts";

export type { ShellMessage };

/** An output's MIME value to save as a file: a blob of the daemon's or inline text. */
export interface SavedOutput {
  readonly suggestedName: string;
  readonly mime: string;
  readonly content: { readonly blobUrl: string; readonly hash: string } | { readonly text: string };
}

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
  /** Save an output as a file: the shell's save dialog in the app, a download in a browser. */
  saveOutput(output: SavedOutput): Promise<void>;
}

/** A browser download of the output (what the page does without the app's shell). */
async function download(output: SavedOutput): Promise<void> {
  let blob: Blob;
  if ("text" in output.content) {
    blob = new Blob([output.content.text], { type: output.mime });
  } else {
    const response = await fetch(output.content.blobUrl);
    if (!response.ok) {
      throw new Error(`the output's data is unavailable (HTTP ${response.status})`);
    }
    blob = new Blob([await response.arrayBuffer()], { type: output.mime });
  }
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement("a"), { href: url, download: output.suggestedName });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000); // the download reads it after the click
}

/** A shell message (types generated from daemon/wire/control.py); null for any other text. */
export function parseShellMessage(text: string): ShellMessage | null {
  const checked = check(checkShellMessage, parseJson(text));
  return checked.ok ? checked.value : null;
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

  /** The app opens its windows with a `window` name; a plain browser page has none. */
  saveOutput(output: SavedOutput): Promise<void> {
    if (!new URL(window.location.href).searchParams.has("window")) {
      return download(output);
    }
    const { content } = output;
    this.#send({
      type: "save_output",
      suggested_name: output.suggestedName,
      ...("text" in content ? { text: content.text } : { blob_hash: content.hash }),
    });
    return Promise.resolve();
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
