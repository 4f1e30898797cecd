/**
 * The notebook window: builds its parts (view, toolbar, status line, keyboard, focus,
 * file, edits, actions) around one session, and shows what the session reports:
 * document changes, broadcasts and the connection's state. Messages from the shell
 * become saves and actions.
 *
 * What each part owns: notebook-actions.ts every user action, cell-focus.ts the selection
 * and mode, notebook-file.ts the path, dirty flag, saving and closing, doc-edits.ts local
 * edits to the document, kernel-place.ts and kernel-picker.ts where the kernel runs and
 * changing it, stdin-prompt.ts the kernel's `input()`, languages/ the editor's language,
 * dependencies.ts the notebook's packages (the panel and the trust dialog).
 */

import type { Action } from "../actions.ts";
import { SessionStorageDrafts } from "../drafts.ts";
import { isSynced } from "../doc/notebook.ts";
import type { Host, ShellMessage } from "../host.ts";
import { editorLanguage, type EditorLanguage, notebookLanguage } from "../languages/choice.ts";
import { languageExtension } from "../languages/loader.ts";
import {
  type AnyBroadcast,
  commId as toCommId,
  type EnvProgress,
  type HandshakeReply,
  type InputRequested,
  type KernelChoice,
} from "../protocol/wire.gen.ts";
import { type ConnectionState, type DocChange, Session, type SessionListener } from "../session.ts";
import type { Transport } from "../transport.ts";
import { assertNever } from "../util/guards.ts";
import { WidgetBridge } from "../widgets/bridge.ts";
import { pageStorage } from "./cell-clipboard.ts";
import { CellCommands } from "./cell-commands.ts";
import { CellDrag } from "./cell-drag.ts";
import { CellFocus } from "./cell-focus.ts";
import type { CellCallbacks } from "./cell-view.ts";
import { ConfirmDialog, type QuestionPreferences } from "./confirm-dialog.ts";
import { ConsentDialog } from "./consent-dialog.ts";
import { Dependencies } from "./dependencies.ts";
import { notebookLineNumbers, WindowDisplay, withNotebookLineNumbers } from "./display-settings.ts";
import { DocEdits } from "./doc-edits.ts";
import { h } from "./dom.ts";
import { ExecutionTracker } from "./executions.ts";
import { History } from "./history.ts";
import { KernelPicker } from "./kernel-picker.ts";
import { ServersDialog } from "./servers-dialog.ts";
import { KernelPlace } from "./kernel-place.ts";
import { Keyboard } from "./keyboard.ts";
import { BlobClient } from "./manifests.ts";
import { NotebookActions } from "./notebook-actions.ts";
import { basename, NotebookFile } from "./notebook-file.ts";
import { NotebookPanels } from "./notebook-panels.ts";
import { NotebookView } from "./notebook-view.ts";
import { useOutputSaver } from "./outputs.ts";
import { QuestionSettings } from "./question-settings.ts";
import { RunActions } from "./run-actions.ts";
import { SettingsDialog } from "./settings-dialog.ts";
import { ShortcutsHelp } from "./shortcuts-help.ts";
import { StatusBar } from "./status.ts";
import { InputPrompt } from "./stdin-prompt.ts";
import { Toolbar } from "./toolbar.ts";

export class App implements SessionListener {
  readonly #root: HTMLElement;
  readonly #host: Host;
  readonly #view: NotebookView;
  readonly #kernelPlace: KernelPlace;
  readonly #status: StatusBar;
  readonly #consent: ConsentDialog;
  readonly #picker: KernelPicker;
  readonly #servers: ServersDialog;
  readonly #dependencies: Dependencies;
  readonly #display = new WindowDisplay();
  readonly #settings: SettingsDialog;
  #input: InputPrompt | null = null;
  /** The editor language asked for last; the view gets it once it has loaded. */
  #language: EditorLanguage = "python";
  readonly #tracker = new ExecutionTracker();
  readonly #session: Session;
  readonly #focus: CellFocus;
  readonly #file: NotebookFile;
  readonly #edits: DocEdits;
  readonly #actions: NotebookActions;
  readonly #panels: NotebookPanels;
  readonly #history: History;
  #blobs = new BlobClient(null);
  readonly #widgets: WidgetBridge;
  #blobUrl: string | null = null;
  #shown = false;
  readonly #wantsFirstCell: boolean;

  constructor(root: HTMLElement, transport: Transport, host: Host) {
    this.#root = root;
    this.#root.dataset["language"] = this.#language;
    this.#host = host;
    this.#wantsFirstCell = host.wantsFirstCell(); // read before the URL is rewritten to `join`
    // Nothing arrives before main.ts releases the transport, so the parts can come after.
    this.#session = new Session(transport, this, { drafts: new SessionStorageDrafts() });
    this.#kernelPlace = new KernelPlace({
      openPicker: () => this.#picker.open(),
      installIpykernel: (python) => void this.#installIpykernel(python),
    });
    this.#status = new StatusBar([this.#kernelPlace.button, this.#kernelPlace.place]);
    const commandMode = (): void => this.#focus.commandMode();
    this.#consent = new ConsentDialog(commandMode);
    this.#picker = new KernelPicker(
      {
        list: () => this.#session.request("list_kernels", {}).then((result) => result.choices),
        change: (choice, install) => this.#changeKernel(choice, install),
      },
      this.#consent,
      commandMode,
      () => this.#servers.open(),
    );
    this.#servers = new ServersDialog(
      {
        list: () => this.#session.request("list_servers", {}),
        add: (server) => this.#session.request("add_server", server),
        remove: (name) => this.#session.request("remove_server", { name }),
      },
      commandMode,
    );
    this.#servers.element.addEventListener("close", () => {
      if (this.#picker.isOpen) {
        this.#picker.open(); // the servers may have changed: ask for the kernels again
      }
    });
    this.#dependencies = new Dependencies(this.#session, this.#status, commandMode);
    const callbacks: CellCallbacks = {
      edit: (cellId, splices, text) => {
        this.#edits.typed(cellId, splices, text);
        this.#panels.docChanged();
      },
      select: (cellId) => this.#focus.select(cellId),
      press: (cellId, event) => {
        if (event.shiftKey && event.button === 0) {
          event.preventDefault(); // no editor focus, no text selection: the range grows
          this.#focus.extendTo(cellId);
          this.#focus.commandMode();
        } else {
          this.#focus.select(cellId);
        }
      },
      fold: (cellId, part) => {
        this.#actions.fold([cellId], part);
        if (!this.#focus.editing) {
          this.#focus.commandMode(); // a note that stood for the folded part may have had the focus
        }
      },
      run: (cellId, advance) => this.#actions.performOn(cellId, advance ? "run-next" : "run"),
      leave: (cellId, direction) => this.#focus.leave(cellId, direction),
      perform: (cellId, action) => this.#actions.performOn(cellId, action),
      complete: (code, cursorPos) =>
        this.#session.request("complete", { code, cursor_pos: cursorPos }).catch((error: unknown) => {
          this.#status.showFailure("Completion", error);
          throw error;
        }),
      inspect: (code, cursorPos) =>
        this.#session.request("inspect", { code, cursor_pos: cursorPos }).catch((error: unknown) => {
          this.#status.showFailure("Help", error);
          throw error;
        }),
      toggleHeading: (cellId) => this.#panels.toggleSection(cellId),
    };
    this.#widgets = new WidgetBridge({
      send: (commId, data, buffers) =>
        this.#session.request("send_comm", { comm_id: toCommId(commId), data, buffers }).then(() => undefined),
      blobs: () => this.#blobs,
    });
    useOutputSaver((output) => host.saveOutput(output));
    this.#view = new NotebookView(() => this.#blobs, callbacks);
    const toolbar = new Toolbar(
      (action) => this.#perform(action),
      () => this.#focus.commandMode(),
    );
    const preferences: QuestionPreferences = {
      questionsOff: async () => (await this.#session.request("get_preferences", {})).questions_off,
      setAsked: async (question, ask) =>
        (await this.#session.request("set_question_asked", { question, ask })).questions_off,
      failed: (what, error) => this.#status.showFailure(what, error),
    };
    const help = new ShortcutsHelp(new QuestionSettings(preferences));
    this.#settings = new SettingsDialog(
      {
        preferences: () => this.#session.request("get_preferences", {}),
        setDisplay: (display) => this.#session.request("set_display", { display }),
        setDaemon: (settings) => this.#session.request("set_daemon_settings", { settings }),
        notebookLineNumbers: () => this.#display.notebookLineNumbers,
        setNotebookLineNumbers: async (chosen) => {
          const value = withNotebookLineNumbers(this.#session.doc.metadata?.["nbdesk"]?.toString(), chosen);
          await this.#session.request("set_raw_metadata", { key: "nbdesk", value });
        },
      },
      new QuestionSettings(preferences),
      commandMode,
    );
    const confirm = new ConfirmDialog(preferences, commandMode);
    this.#panels = new NotebookPanels({
      doc: () => this.#session.doc,
      view: this.#view,
      edits: () => this.#edits,
      focus: () => this.#focus,
      status: this.#status,
      blobs: () => this.#blobs,
      outlineShown: (open) => toolbar.setPressed("outline", open),
    });
    this.#history = new History({
      doc: () => this.#session.doc,
      history: () => this.#session.request("history", {}),
      compare: (fields) => this.#session.request("compare", fields),
      blobs: () => this.#blobs,
      edit: (edit) => this.#edits.edit(edit),
      live: this.#view.element,
      select: (cellId) => this.#focus.select(cellId),
      commandMode,
      message: (text, kind) => this.#status.showMessage(text, kind),
      shown: (open) => toolbar.setPressed("history", open),
    });
    root.replaceChildren(
      toolbar.element,
      this.#status.banner,
      this.#kernelPlace.notice,
      this.#dependencies.trust.notice,
      this.#panels.find.element,
      h(
        "div",
        { class: "workspace" },
        this.#panels.outline.element,
        this.#view.element,
        this.#history.viewer.element,
        this.#history.panel.element,
        this.#dependencies.panel.element,
      ),
      this.#status.element,
      help.element,
      this.#settings.element,
      this.#picker.element,
      this.#servers.element,
      this.#consent.element,
      this.#dependencies.trust.dialog.element,
      confirm.element,
      this.#history.compareView.element,
    );
    const keyboard = new Keyboard(root, this.#view.element, (action) => this.#perform(action, "key"));
    this.#focus = new CellFocus(this.#view, keyboard, toolbar, () => this.#session.doc);
    this.#file = new NotebookFile(this.#session, host, this.#status);
    this.#edits = new DocEdits(this.#session, this.#file, this.#status);
    const cells = new CellCommands(
      {
        doc: () => this.#session.doc,
        edit: (edit) => this.#edits.edit(edit),
        show: (cellId, edit) => this.#focus.show(cellId, edit),
        cursorOf: (cellId) => this.#view.view(cellId)?.cursor ?? 0,
        message: (text) => this.#status.showMessage(text),
      },
      pageStorage(),
    );
    const runParts = {
      session: this.#session,
      view: this.#view,
      tracker: this.#tracker,
      status: this.#status,
      file: this.#file,
      confirm,
    };
    this.#actions = new NotebookActions({
      ...runParts,
      runs: new RunActions(runParts),
      host,
      focus: this.#focus,
      edits: this.#edits,
      cells,
      help,
      settings: this.#settings,
      panels: this.#panels,
      kernelPicker: this.#picker,
      dependencies: this.#dependencies.panel,
    });
    new CellDrag(root, this.#view.element, this.#view.list, {
      cellsFor: (cellId) => (this.#view.selection.includes(cellId) ? this.#view.selection : [cellId]),
      drop: (cellIds, before) => this.#actions.drop(cellIds, before),
      click: (cellId) => {
        // As in JupyterLab, a click in the margin selects the cell in command mode, so the
        // keys act on it whatever had the focus (an editor, a section's toggle).
        this.#focus.select(cellId);
        this.#focus.commandMode();
      },
    });
    toolbar.showSelection(null);
    this.#file.show();
    host.onMessage((message) => this.#onShell(message));
    window.addEventListener("pagehide", () => this.#session.saveDraft());
  }

  /** An action from the toolbar, a key or the shell; the live notebook's act on it as it is now. */
  #perform(action: Action, trigger?: "key"): void {
    if (action === "history" || action === "undo-restore") {
      this.#history.perform(action);
      return;
    }
    this.#history.back();
    this.#actions.perform(action, trigger);
  }

  // -- session events ---------------------------------------------------------------

  docChanged(change: DocChange): void {
    this.#widgets.docChanged(change.doc);
    this.#view.render(change.doc, change.patches);
    this.#view.applyRunStates(this.#tracker);
    this.#focus.syncToolbar();
    this.#panels.docChanged();
    this.#history.docChanged();
    this.#followLanguage(editorLanguage(notebookLanguage(change.doc)));
    this.#dependencies.docChanged(change.doc);
    this.#display.setNotebookLineNumbers(notebookLineNumbers(change.doc.metadata?.["nbdesk"]?.toString()));
    this.#settings.notebookChanged();
    if (!this.#shown && isSynced(change.doc)) {
      this.#shown = true;
      this.#firstShow();
    }
  }

  /** The first render of the synced notebook: start a new one with a cell, tell the shell. */
  #firstShow(): void {
    if (this.#wantsFirstCell && this.#view.order.length === 0) {
      this.#actions.addCell(0, "code", { edit: true });
    } else {
      this.#focus.focusSelected();
    }
    this.#host.ready();
  }

  /** The user's display settings, read on every (re)connection: they may have changed. */
  #readDisplay(): void {
    this.#session.request("get_preferences", {}).then(
      (preferences) => this.#display.setDisplay(preferences.display),
      (error: unknown) => this.#status.showFailure("Reading the display settings", error),
    );
  }

  broadcast(event: AnyBroadcast): void {
    switch (event.event) {
      case "path_changed":
        this.#file.path = event.path;
        this.#file.show();
        return;
      case "saved":
        this.#file.saved(event.path);
        return;
      case "save_recovered":
        if (event.path !== null) this.#file.saved(event.path);
        this.#status.showMessage(
          event.path === null
            ? "nbdesk's copy of this notebook is kept again"
            : `Saved ${basename(event.path)} again`,
        );
        return;
      case "save_failed":
        this.#status.showMessage(
          `${event.path === null ? "Keeping nbdesk's copy of this notebook" : `Saving ${basename(event.path)}`} failed: ${event.message}. Your edits are kept and saving is retried.`,
          "error",
        );
        return;
      case "file_repaired":
        this.#status.showMessage(
          `${basename(event.path)} was not a valid notebook and was repaired: ${event.repairs.join("; ")}`,
          "error",
        );
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
          this.#file.setDirty(true);
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
        this.#dependencies.progress(event);
        return;
      case "env_sync_state":
        this.#dependencies.syncState(event);
        if (event.in_sync) {
          this.#status.setEnvironment("", "");
        } else {
          const changes = [...event.added.map((d) => `+${d}`), ...event.removed.map((d) => `-${d}`)];
          this.#status.setEnvironment("stale", `Dependencies changed (${changes.join(", ")}): restart the kernel`);
        }
        return;
      case "kernel_location":
        this.#kernelPlace.show(event);
        this.#picker.location(event);
        this.#dependencies.kernelLocation(event);
        return;
      case "input_request":
        this.#askInput(event);
        return;
      case "input_answered":
        if (this.#input?.request.execution_id === event.execution_id) {
          this.#dropInput();
        }
        return;
      case "trust_state":
        this.#dependencies.trustState(event);
        return;
      case "display_changed":
        this.#display.setDisplay(event.display);
        this.#settings.showDisplay(event.display);
        return;
      case "daemon_settings_changed":
        this.#settings.showDaemon(event.settings, event.pending_restart);
        return;
      default:
        assertNever(event);
    }
  }

  // -- the kernel: where it runs, changing it, its input() and its language ---------------

  #changeKernel(choice: KernelChoice, installIpykernel: boolean): Promise<unknown> {
    const fields = { kind: choice.kind, name: choice.name, install_ipykernel: installIpykernel };
    return this.#session.request("change_kernel", fields).then((launched) => {
      this.#status.showMessage(`Kernel changed to ${launched.display_name || choice.display_name}`);
    });
  }

  /** The status line's offer: install ipykernel where the kernel should run, if the user agrees. */
  async #installIpykernel(python: string): Promise<void> {
    if (!(await this.#consent.askInstallIpykernel(python))) {
      return;
    }
    this.#status.showMessage(`Installing ipykernel into ${python}…`);
    const fields = { kind: "python" as const, name: python, install_ipykernel: true };
    try {
      await this.#session.request("change_kernel", fields);
      this.#status.showMessage("ipykernel installed; the kernel is starting there");
    } catch (error: unknown) {
      this.#status.showFailure("Installing ipykernel", error);
    }
  }

  #askInput(request: InputRequested): void {
    if (this.#input?.request.execution_id === request.execution_id) {
      return; // the same question again (a reconnect): keep what is typed
    }
    const prompt = new InputPrompt(request, (value) =>
      this.#session.request("input_reply", { execution_id: request.execution_id, value }),
    );
    this.#input = prompt;
    this.#view.showInput({ cellId: request.cell_id, prompt: prompt.element });
    // Take the focus unless the user is typing in another cell.
    if (!this.#focus.editing || this.#view.selected === request.cell_id) {
      this.#focus.select(request.cell_id);
      prompt.focus();
    }
  }

  #dropInput(): void {
    const hadFocus = this.#input?.hasFocus ?? false;
    this.#input = null;
    this.#view.showInput(null);
    if (hadFocus) {
      this.#focus.commandMode();
    }
  }

  #followLanguage(language: EditorLanguage): void {
    if (language === this.#language) {
      return;
    }
    this.#language = language;
    languageExtension(language).then(
      (extension) => {
        if (language === this.#language) {
          this.#view.setLanguage(extension);
          this.#root.dataset["language"] = language;
        }
      },
      (error: unknown) => this.#status.showFailure(`Loading ${language} highlighting`, error),
    );
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
          this.#file.path = info.path;
          this.#useBlobServer(info.blob_url);
        }
        this.#tracker.reset();
        this.#view.applyRunStates(this.#tracker);
        this.#file.show();
        this.#readDisplay();
        return;
      case "daemon_lost":
        this.#kernelPlace.forget();
        this.#dependencies.forget();
        this.#dropInput();
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

  // -- shell ------------------------------------------------------------------------

  #onShell(message: ShellMessage): void {
    switch (message.type) {
      case "save_as_path":
        this.#file.saveTo(message.path);
        return;
      case "action":
        this.#perform(message.action);
        return;
      default:
        assertNever(message);
    }
  }
}
