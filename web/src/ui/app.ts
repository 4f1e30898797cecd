/**
 * The notebook window: wires the session (document, requests, broadcasts) to the view,
 * the toolbar, the status line, the keyboard and the host.
 *
 * Every user action goes through `perform`, whether it comes from a toolbar button, a
 * shortcut or a native menu item relayed by the shell.
 */

import { SessionStorageDrafts } from "../drafts.ts";
import type { Action } from "../actions.ts";
import { type CellId, newCellId } from "../doc/ids.ts";
import {
  type CellType,
  deleteCell,
  getCell,
  insertCell,
  moveCell,
  type NotebookDoc,
  NotebookError,
  replaceSource,
  setCellType,
  type Splice,
  spliceSourceMany,
} from "../doc/notebook.ts";
import type { Host, ShellMessage } from "../host.ts";
import { setNotebookPath } from "../render/location.ts";
import type { AnyBroadcast, HandshakeReply } from "../protocol/wire.gen.ts";
import { type ConnectionState, type DocChange, Session, type SessionListener } from "../session.ts";
import type { Transport } from "../transport.ts";
import { assertNever, errorMessage } from "../util/guards.ts";
import type { CellCallbacks } from "./cell-view.ts";
import { ExecutionTracker } from "./executions.ts";
import { BlobClient } from "./manifests.ts";
import { NotebookView } from "./notebook-view.ts";
import { StatusBar } from "./status.ts";
import { Toolbar } from "./toolbar.ts";

function basename(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

export class App implements SessionListener {
  readonly #root: HTMLElement;
  readonly #host: Host;
  readonly #view: NotebookView;
  readonly #toolbar: Toolbar;
  readonly #status = new StatusBar();
  readonly #tracker = new ExecutionTracker();
  readonly #session: Session;
  #blobs = new BlobClient(null);
  #blobUrl: string | null = null;
  #path: string | null = null;
  #dirty = false;

  constructor(root: HTMLElement, transport: Transport, host: Host) {
    this.#root = root;
    this.#host = host;
    const callbacks: CellCallbacks = {
      edit: (cellId, splices, text) => this.#typed(cellId, splices, text),
      select: (cellId) => this.#select(cellId),
      run: (cellId, advance) => this.#run(cellId, advance),
      leave: (cellId, direction) => this.#leave(cellId, direction),
    };
    this.#view = new NotebookView(() => this.#blobs, callbacks);
    this.#toolbar = new Toolbar((action) => this.perform(action));
    root.replaceChildren(this.#toolbar.element, this.#view.element, this.#status.element);
    this.#toolbar.showSelection(null);
    this.#showPath();
    host.onMessage((message) => this.#onShell(message));
    window.addEventListener("keydown", (event) => this.#onKey(event));
    this.#session = new Session(transport, this, { drafts: new SessionStorageDrafts() });
    window.addEventListener("pagehide", () => this.#session.saveDraft());
  }

  // -- actions ----------------------------------------------------------------------

  perform(action: Action): void {
    const selected = this.#view.selected;
    const index = this.#view.selectedIndex;
    switch (action) {
      case "add-above":
        this.#addCell(index < 0 ? 0 : index);
        return;
      case "add-below":
        this.#addCell(index < 0 ? this.#view.order.length : index + 1);
        return;
      case "delete":
        if (selected !== null) {
          this.#edit((doc) => deleteCell(doc, selected));
          this.#focusSelected();
        }
        return;
      case "move-up":
      case "move-down":
        if (selected !== null) {
          const target = action === "move-up" ? index - 1 : index + 1;
          if (target >= 0 && target < this.#view.order.length) {
            this.#edit((doc) => moveCell(doc, selected, target));
            this.#focusSelected();
          }
        }
        return;
      case "to-code":
        this.#setType("code");
        return;
      case "to-markdown":
        this.#setType("markdown");
        return;
      case "to-raw":
        this.#setType("raw");
        return;
      case "run":
      case "run-next":
        if (selected !== null) {
          this.#run(selected, action === "run-next");
        }
        return;
      case "run-all":
        this.#request("Run all", this.#session.request("run_all", {}));
        return;
      case "interrupt":
        this.#request("Interrupt", this.#session.request("interrupt", {}));
        return;
      case "restart":
        this.#request("Restart", this.#session.request("restart_kernel", {}), "Kernel restarted");
        return;
      case "save":
        this.#save(false);
        return;
      case "save-as":
        this.#save(true);
        return;
      case "new-window":
        this.#host.newWindow();
        return;
      case "open":
        this.#host.openDialog();
        return;
      default:
        assertNever(action);
    }
  }

  #addCell(index: number, cellType: CellType = "code"): void {
    const doc = this.#session.doc;
    const cellId = newCellId((id) => getCell(doc, id) !== undefined);
    if (this.#edit((current) => insertCell(current, index, { cellId, cellType, source: "" }))) {
      this.#select(cellId);
      this.#view.view(cellId)?.focus("start");
    }
  }

  #setType(cellType: CellType): void {
    const selected = this.#view.selected;
    if (selected !== null && getCell(this.#session.doc, selected)?.cellType !== cellType) {
      this.#edit((doc) => setCellType(doc, selected, cellType));
      this.#focusSelected();
    }
  }

  #run(cellId: CellId, advance: boolean): void {
    const cell = getCell(this.#session.doc, cellId);
    if (cell === undefined) {
      return;
    }
    this.#view.view(cellId)?.showRendered();
    if (cell.cellType === "code") {
      this.#tracker.requested([cellId]);
      this.#view.applyRunStates(this.#tracker);
      this.#session.request("execute_cell", { cell_id: cellId }).catch((error: unknown) => {
        this.#tracker.cancelled([cellId]);
        this.#view.applyRunStates(this.#tracker);
        this.#fail("Run", error);
      });
    }
    if (advance) {
      const next = this.#view.order[this.#view.order.indexOf(cellId) + 1];
      if (next === undefined) {
        this.#addCell(this.#view.order.length);
      } else {
        this.#select(next);
        this.#view.view(next)?.focus("start");
      }
    }
  }

  #save(saveAs: boolean): void {
    if (saveAs || this.#path === null) {
      this.#host.saveAsDialog();
    } else {
      this.#saveTo(null);
    }
  }

  #saveTo(path: string | null): void {
    this.#session
      .request("save", path === null ? {} : { path })
      .then(({ path: saved }) => {
        this.#path = saved;
        this.#setDirty(false);
        this.#status.showMessage(`Saved ${basename(saved)}`);
      })
      .catch((error: unknown) => this.#fail("Save", error));
  }

  #request(what: string, request: Promise<unknown>, done?: string): void {
    request.then(
      () => {
        if (done !== undefined) {
          this.#status.showMessage(done);
        }
      },
      (error: unknown) => this.#fail(what, error),
    );
  }

  /** Apply a structural edit; a refused edit is reported, not thrown. */
  #edit(edit: (doc: NotebookDoc) => NotebookDoc): boolean {
    try {
      this.#session.change(edit);
    } catch (error) {
      if (error instanceof NotebookError) {
        this.#status.showMessage(error.message, "error");
        return false;
      }
      throw error;
    }
    this.#setDirty(true);
    return true;
  }

  /** Keystrokes: the editor already shows them, so the view is not re-rendered. */
  #typed(cellId: CellId, splices: Splice[], text: string): void {
    try {
      this.#session.change((doc) => spliceSourceMany(doc, cellId, splices), { notify: false });
    } catch (error) {
      if (!(error instanceof NotebookError)) {
        throw error;
      }
      if (error.code !== "bad_splice") {
        return; // the cell went away under the editor; the next render removes it
      }
      this.#session.change((doc) => replaceSource(doc, cellId, text), { notify: false });
    }
    this.#setDirty(true);
  }

  #select(cellId: CellId | null): void {
    this.#view.select(cellId);
    this.#syncToolbar();
  }

  #leave(cellId: CellId, direction: "up" | "down"): void {
    const order = this.#view.order;
    const target = order[order.indexOf(cellId) + (direction === "up" ? -1 : 1)];
    if (target !== undefined) {
      this.#select(target);
      this.#view.view(target)?.focus(direction === "up" ? "end" : "start");
    }
  }

  #focusSelected(): void {
    const selected = this.#view.selected;
    if (selected !== null) {
      this.#view.view(selected)?.focus();
    }
  }

  #syncToolbar(): void {
    const selected = this.#view.selected;
    const cell = selected === null ? undefined : getCell(this.#session.doc, selected);
    this.#toolbar.showSelection(cell?.cellType ?? null);
  }

  // -- session events ---------------------------------------------------------------

  docChanged(change: DocChange): void {
    this.#view.render(change.doc, change.patches);
    this.#view.applyRunStates(this.#tracker);
    this.#syncToolbar();
  }

  broadcast(event: AnyBroadcast): void {
    switch (event.event) {
      case "path_changed":
        this.#path = event.path;
        this.#showPath();
        return;
      case "saved":
        this.#path = event.path;
        this.#setDirty(false);
        return;
      case "file_changed":
        this.#status.showMessage(
          `${basename(event.path)} changed on disk (${event.cells_changed} cells updated)`,
        );
        return;
      case "queue_changed":
      case "execution_started":
      case "execution_done":
        this.#tracker.apply(event);
        this.#view.applyRunStates(this.#tracker);
        if (event.event === "execution_done") {
          this.#setDirty(true);
        }
        return;
      case "kernel_status":
        this.#status.setKernel(event.status);
        return;
      case "kernel_error":
        this.#status.showMessage(`Kernel error: ${event.message}`, "error");
        return;
      case "comm_custom":
        return; // widgets are rendered by a later part of the UI
      default:
        assertNever(event);
    }
  }

  connection(state: ConnectionState, info: HandshakeReply | null, detail: string): void {
    this.#status.setConnection(state);
    switch (state) {
      case "connecting":
        return;
      case "connected":
      case "reconnected":
        if (info !== null) {
          this.#root.dataset["notebookId"] = info.notebook_id ?? "";
          if (info.notebook_id) {
            this.#host.rememberNotebook(info.notebook_id);
          }
          this.#path = info.path;
          this.#useBlobServer(info.blob_url);
        }
        this.#tracker.reset();
        this.#view.applyRunStates(this.#tracker);
        this.#showPath();
        return;
      case "daemon_lost":
        this.#tracker.reset();
        this.#view.applyRunStates(this.#tracker);
        this.#status.setKernel("unknown");
        this.#status.showMessage("Lost the daemon; reconnecting…", "error");
        return;
      case "disconnected":
      case "failed":
        this.#status.setKernel("unknown");
        this.#status.showMessage(detail || "Disconnected", "error");
        this.#view.showFailure(
          state === "failed" ? `The notebook could not be opened: ${detail}` : "Not connected to nbdesk.",
        );
        return;
      default:
        assertNever(state);
    }
  }

  #useBlobServer(url: string | null): void {
    if (url !== this.#blobUrl) {
      const first = this.#blobUrl === null;
      this.#blobUrl = url;
      this.#blobs = new BlobClient(url);
      if (!first) {
        this.#view.resetOutputs();
      }
    }
  }

  // -- shell and keyboard -----------------------------------------------------------

  #onShell(message: ShellMessage): void {
    switch (message.type) {
      case "save_as_path":
        this.#saveTo(message.path);
        return;
      case "action":
        this.perform(message.action);
        return;
      default:
        assertNever(message);
    }
  }

  #onKey(event: KeyboardEvent): void {
    if (!(event.metaKey || event.ctrlKey) || event.altKey) {
      return;
    }
    const key = event.key.toLowerCase();
    let action: Action | null = null;
    if (key === "s") {
      action = event.shiftKey ? "save-as" : "save";
    } else if (key === "n" && !event.shiftKey) {
      action = "new-window";
    } else if (key === "o" && !event.shiftKey) {
      action = "open";
    }
    if (action !== null) {
      event.preventDefault();
      this.perform(action);
    }
  }

  #setDirty(dirty: boolean): void {
    if (dirty !== this.#dirty) {
      this.#dirty = dirty;
      this.#showPath();
    }
  }

  #showPath(): void {
    setNotebookPath(this.#path);
    this.#status.setPath(this.#path, this.#dirty);
    this.#host.setTitle(this.#path === null ? "Untitled" : basename(this.#path));
    this.#host.setDirty(this.#dirty);
  }

  #fail(what: string, error: unknown): void {
    this.#status.showMessage(`${what} failed: ${errorMessage(error)}`, "error");
  }
}
