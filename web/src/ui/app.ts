/**
 * The notebook window: wires the session (document, requests, broadcasts) to the view,
 * the toolbar, the status line, the keyboard and the host.
 *
 * Every user action goes through `perform`, whether it comes from a toolbar button, a
 * shortcut or a native menu item relayed by the shell. Structural actions keep the mode
 * they started in (keyboard.ts): from an editor the focus follows into the selected
 * cell's editor, from command mode it stays on the notebook.
 */

import { SessionStorageDrafts } from "../drafts.ts";
import type { Action } from "../actions.ts";
import { type CellId, newCellId } from "../doc/ids.ts";
import {
  type CellType,
  getCell,
  insertCell,
  isSynced,
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
import { type AnyBroadcast, commId as toCommId, type EnvProgress, type HandshakeReply } from "../protocol/wire.gen.ts";
import { type ConnectionState, type DocChange, Session, type SessionListener } from "../session.ts";
import type { Transport } from "../transport.ts";
import { assertNever, errorMessage } from "../util/guards.ts";
import { WidgetBridge } from "../widgets/bridge.ts";
import { pageStorage } from "./cell-clipboard.ts";
import { CellCommands } from "./cell-commands.ts";
import type { CellCallbacks } from "./cell-view.ts";
import { ExecutionTracker } from "./executions.ts";
import { Keyboard } from "./keyboard.ts";
import { BlobClient } from "./manifests.ts";
import { NotebookView } from "./notebook-view.ts";
import { ShortcutsHelp } from "./shortcuts-help.ts";
import { StatusBar } from "./status.ts";
import { Toolbar } from "./toolbar.ts";

/** How an action was asked for: a key in command mode keeps that mode for new cells. */
export type Trigger = "pointer" | "key";

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
  readonly #keyboard: Keyboard;
  readonly #help = new ShortcutsHelp();
  readonly #cells: CellCommands;
  #blobs = new BlobClient(null);
  readonly #widgets: WidgetBridge;
  #blobUrl: string | null = null;
  #path: string | null = null;
  #dirty = false;
  #shown = false;
  #wantsFirstCell: boolean;

  constructor(root: HTMLElement, transport: Transport, host: Host) {
    this.#root = root;
    this.#host = host;
    this.#wantsFirstCell = host.wantsFirstCell(); // read before the URL is rewritten to `join`
    const callbacks: CellCallbacks = {
      edit: (cellId, splices, text) => this.#typed(cellId, splices, text),
      select: (cellId) => this.#select(cellId),
      run: (cellId, advance) => this.#performOn(cellId, advance ? "run-next" : "run"),
      leave: (cellId, direction) => this.#leave(cellId, direction),
      perform: (cellId, action) => this.#performOn(cellId, action),
      complete: (code, cursorPos) =>
        this.#session.request("complete", { code, cursor_pos: cursorPos }).catch((error: unknown) => {
          this.#fail("Completion", error);
          throw error;
        }),
    };
    this.#widgets = new WidgetBridge({
      send: (commId, data, buffers) =>
        this.#session.request("send_comm", { comm_id: toCommId(commId), data, buffers }).then(() => undefined),
      blobs: () => this.#blobs,
    });
    this.#view = new NotebookView(() => this.#blobs, callbacks);
    this.#toolbar = new Toolbar((action) => this.perform(action));
    root.replaceChildren(
      this.#toolbar.element,
      this.#status.banner,
      this.#view.element,
      this.#status.element,
      this.#help.element,
    );
    this.#keyboard = new Keyboard(root, this.#view.element, (action) => this.perform(action, "key"));
    this.#cells = new CellCommands(
      {
        doc: () => this.#session.doc,
        edit: (edit) => this.#edit(edit),
        show: (cellId, edit) => this.#show(cellId, edit),
        cursorOf: (cellId) => this.#view.view(cellId)?.cursor ?? 0,
        message: (text) => this.#status.showMessage(text),
      },
      pageStorage(),
    );
    this.#toolbar.showSelection(null);
    this.#showPath();
    host.onMessage((message) => this.#onShell(message));
    this.#session = new Session(transport, this, { drafts: new SessionStorageDrafts() });
    window.addEventListener("pagehide", () => this.#session.saveDraft());
  }

  // -- actions ----------------------------------------------------------------------

  perform(action: Action, trigger: Trigger = "pointer"): void {
    const selected = this.#view.selected;
    const index = this.#view.selectedIndex;
    const editing = this.#keyboard.mode === "edit";
    switch (action) {
      case "add-above":
      case "add-below": {
        const below = index < 0 ? this.#view.order.length : index + 1;
        this.#addCell(action === "add-above" ? Math.max(index, 0) : below, "code", {
          edit: editing || trigger === "pointer",
        });
        return;
      }
      case "delete":
      case "cut":
        if (selected !== null) {
          if (action === "cut") {
            this.#cells.cut(selected, index);
          } else {
            this.#cells.delete(selected, index);
          }
          this.#restoreMode(editing);
        }
        return;
      case "move-up":
      case "move-down":
        if (selected !== null) {
          const target = action === "move-up" ? index - 1 : index + 1;
          if (target >= 0 && target < this.#view.order.length) {
            this.#edit((doc) => moveCell(doc, selected, target));
            this.#restoreMode(editing);
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
      case "run-insert":
        if (selected !== null) {
          this.#runAndMove(selected, action);
        }
        return;
      case "select-up":
      case "select-down":
        this.#moveSelection(action === "select-up" ? -1 : 1);
        return;
      case "edit-mode":
        this.#focusSelected();
        return;
      case "command-mode":
        this.#commandMode();
        return;
      case "undo-delete":
        this.#cells.undoDelete(editing);
        return;
      case "copy":
        if (selected !== null) {
          this.#cells.copy(selected);
        }
        return;
      case "paste":
        this.#cells.paste(index < 0 ? this.#view.order.length : index + 1, editing);
        return;
      case "split":
        if (selected !== null) {
          this.#cells.split(selected, index);
        }
        return;
      case "clear-outputs":
        if (selected !== null) {
          this.#clearOutputs(selected);
        }
        return;
      case "clear-all-outputs":
        this.#clearOutputs(null);
        return;
      case "shortcuts":
        this.#help.toggle();
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
      case "close":
        this.#close();
        return;
      default:
        assertNever(action);
    }
  }

  #addCell(index: number, cellType: CellType, { edit }: { edit: boolean }): void {
    const doc = this.#session.doc;
    const cellId = newCellId((id) => getCell(doc, id) !== undefined);
    if (this.#edit((current) => insertCell(current, index, { cellId, cellType, source: "" }))) {
      this.#show(cellId, edit);
    }
  }

  /** Select a cell and either edit it (cursor at the start) or show it in command mode. */
  #show(cellId: CellId, edit: boolean): void {
    this.#select(cellId);
    if (edit) {
      this.#view.view(cellId)?.focus("start");
    } else {
      this.#commandMode();
    }
  }

  #setType(cellType: CellType): void {
    const selected = this.#view.selected;
    if (selected !== null && getCell(this.#session.doc, selected)?.cellType !== cellType) {
      const editing = this.#keyboard.mode === "edit";
      this.#edit((doc) => setCellType(doc, selected, cellType));
      this.#restoreMode(editing);
    }
  }

  /** A shortcut pressed in a cell's editor or a button on a cell acts on that cell. */
  #performOn(cellId: CellId, action: Action): void {
    this.#select(cellId);
    this.perform(action);
  }

  /**
   * Run, then as JupyterLab: in place (command mode), advance to the next cell (command
   * mode; a new cell in edit mode at the end), or insert a cell below to type in.
   */
  #runAndMove(cellId: CellId, action: "run" | "run-next" | "run-insert"): void {
    this.#run(cellId);
    const order = this.#view.order;
    const next = order[order.indexOf(cellId) + 1];
    if (action === "run-insert" || (action === "run-next" && next === undefined)) {
      this.#addCell(order.indexOf(cellId) + 1, "code", { edit: true });
    } else if (action === "run-next" && next !== undefined) {
      this.#select(next);
      this.#commandMode();
    } else {
      this.#commandMode();
    }
  }

  #moveSelection(delta: number): void {
    const order = this.#view.order;
    const target = order[Math.max(0, Math.min(this.#view.selectedIndex + delta, order.length - 1))];
    if (target !== undefined) {
      this.#select(target);
      this.#commandMode();
    }
  }

  /** Leave the editor for command mode, keeping the selected cell in sight. */
  #commandMode(): void {
    this.#keyboard.enterCommandMode();
    const selected = this.#view.selected;
    if (selected !== null) {
      this.#view.view(selected)?.element.scrollIntoView({ block: "nearest" });
    }
  }

  #restoreMode(editing: boolean): void {
    if (editing) {
      this.#focusSelected();
    } else {
      this.#commandMode();
    }
  }

  #clearOutputs(cellId: CellId | null): void {
    this.#tracker.forgetOutcomes(cellId === null ? "all" : [cellId]);
    this.#view.applyRunStates(this.#tracker);
    const fields = cellId === null ? {} : { cell_id: cellId };
    this.#request("Clear outputs", this.#session.request("clear_outputs", fields));
    this.#setDirty(true);
  }

  #run(cellId: CellId): void {
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
        this.#status.setSaved(new Date());
        this.#status.showMessage(`Saved ${basename(saved)}`);
      })
      .catch((error: unknown) => this.#fail("Save", error));
  }

  /** Close the window once the daemon holds every edit (or it is unreachable for 2 s). */
  #close(): void {
    const durable = this.#session.request("sync_barrier", {}).catch(() => undefined);
    const patience = new Promise((resolve) => setTimeout(resolve, 2000));
    void Promise.race([durable, patience]).then(() => this.#host.close());
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
    this.#widgets.docChanged(change.doc);
    this.#view.render(change.doc, change.patches);
    this.#view.applyRunStates(this.#tracker);
    this.#syncToolbar();
    if (!this.#shown && isSynced(change.doc)) {
      this.#shown = true;
      this.#firstShow();
    }
  }

  /** The first render of the synced notebook: start a new one with a cell, tell the shell. */
  #firstShow(): void {
    if (this.#wantsFirstCell && this.#view.order.length === 0) {
      this.#addCell(0, "code", { edit: true });
    } else {
      this.#focusSelected();
    }
    this.#host.ready();
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
        this.#status.setSaved(new Date());
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
        this.#widgets.custom(event.comm_id, event.content, event.buffers ?? []);
        return;
      case "env_progress":
        this.#showEnvProgress(event);
        return;
      case "env_sync_state":
        if (event.in_sync) {
          this.#status.setEnvironment("", "");
        } else {
          const changes = [...event.added.map((d) => `+${d}`), ...event.removed.map((d) => `-${d}`)];
          this.#status.setEnvironment("stale", `Dependencies changed (${changes.join(", ")}): restart the kernel`);
        }
        return;
      default:
        assertNever(event);
    }
  }

  /** The notebook's own environment (its dependencies); pool warming stays in the daemon. */
  #showEnvProgress(event: EnvProgress): void {
    if (event.kind !== "deps") {
      return;
    }
    if (event.phase === "failed") {
      this.#status.setEnvironment("failed", `Environment failed: ${event.message}`);
      this.#status.showMessage(`Environment failed: ${event.message}`, "error");
    } else if (event.phase === "ready") {
      this.#status.setEnvironment("ready", "Env ready");
      this.#status.showMessage(event.message);
    } else {
      this.#status.setEnvironment("building", `Env: ${event.message}`);
    }
  }

  connection(state: ConnectionState, info: HandshakeReply | null, detail: string): void {
    this.#status.setConnection(state);
    switch (state) {
      case "connecting":
        if (detail !== "") {
          this.#status.showMessage(detail);
          this.#view.showLoading(detail);
        }
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
