/**
 * Every user action, whether it comes from a toolbar button, a shortcut or a native menu
 * item relayed by the shell, by its name (actions.ts). Structural actions keep the mode
 * they started in (keyboard.ts): from an editor the focus follows into the selected
 * cell's editor, from command mode it stays on the notebook.
 */

import type { Action } from "../actions.ts";
import { type CellId, newCellId } from "../doc/ids.ts";
import { type CellType, getCell, insertCell, moveCell, setCellType } from "../doc/notebook.ts";
import type { Host } from "../host.ts";
import type { Session } from "../session.ts";
import { assertNever } from "../util/guards.ts";
import type { CellCommands } from "./cell-commands.ts";
import type { CellFocus } from "./cell-focus.ts";
import type { DocEdits } from "./doc-edits.ts";
import type { ExecutionTracker } from "./executions.ts";
import type { NotebookFile } from "./notebook-file.ts";
import type { NotebookPanels } from "./notebook-panels.ts";
import type { NotebookView } from "./notebook-view.ts";
import type { ShortcutsHelp } from "./shortcuts-help.ts";
import type { StatusBar } from "./status.ts";

/** How an action was asked for: a key in command mode keeps that mode for new cells. */
export type Trigger = "pointer" | "key";

/** The window's parts that actions act on. */
export interface ActionTargets {
  readonly session: Session;
  readonly host: Host;
  readonly view: NotebookView;
  readonly focus: CellFocus;
  readonly edits: DocEdits;
  readonly file: NotebookFile;
  readonly cells: CellCommands;
  readonly tracker: ExecutionTracker;
  readonly status: StatusBar;
  readonly help: ShortcutsHelp;
  readonly panels: NotebookPanels;
  readonly kernelPicker: { open(): void };
  readonly dependencies: { open(): void };
}

export class NotebookActions {
  readonly #t: ActionTargets;

  constructor(targets: ActionTargets) {
    this.#t = targets;
  }

  perform(action: Action, trigger: Trigger = "pointer"): void {
    const { view, focus, cells, session } = this.#t;
    const selected = view.selected;
    const index = view.selectedIndex;
    const editing = focus.editing;
    switch (action) {
      case "add-above":
      case "add-below": {
        const below = index < 0 ? view.order.length : index + 1;
        this.addCell(action === "add-above" ? Math.max(index, 0) : below, "code", {
          edit: editing || trigger === "pointer",
        });
        return;
      }
      case "delete":
      case "cut":
        if (selected !== null) {
          if (action === "cut") {
            cells.cut(selected, index);
          } else {
            cells.delete(selected, index);
          }
          focus.restoreMode(editing);
        }
        return;
      case "move-up":
      case "move-down":
        if (selected !== null) {
          const target = action === "move-up" ? index - 1 : index + 1;
          if (target >= 0 && target < view.order.length) {
            this.#t.edits.edit((doc) => moveCell(doc, selected, target));
            focus.restoreMode(editing);
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
        focus.moveSelection(action === "select-up" ? -1 : 1);
        return;
      case "edit-mode":
        focus.focusSelected();
        return;
      case "command-mode":
        focus.commandMode();
        return;
      case "undo-delete":
        cells.undoDelete(editing);
        return;
      case "copy":
        if (selected !== null) {
          cells.copy(selected);
        }
        return;
      case "paste":
        cells.paste(index < 0 ? view.order.length : index + 1, editing);
        return;
      case "split":
        if (selected !== null) {
          cells.split(selected, index);
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
        this.#t.help.toggle();
        return;
      case "find":
      case "find-replace":
      case "find-next":
      case "find-previous":
      case "undo-replace":
      case "outline":
        this.#t.panels.perform(action);
        return;
      case "change-kernel":
        this.#t.kernelPicker.open();
        return;
      case "dependencies":
        this.#t.dependencies.open();
        return;
      case "run-all":
        this.#request("Run all", session.request("run_all", {}));
        return;
      case "interrupt":
        this.#request("Interrupt", session.request("interrupt", {}));
        return;
      case "restart":
        this.#request("Restart", session.request("restart_kernel", {}), "Kernel restarted");
        return;
      case "save":
        this.#t.file.save(false);
        return;
      case "save-as":
        this.#t.file.save(true);
        return;
      case "new-window":
        this.#t.host.newWindow();
        return;
      case "open":
        this.#t.host.openDialog();
        return;
      case "close":
        this.#t.file.close();
        return;
      default:
        assertNever(action);
    }
  }

  /** A shortcut pressed in a cell's editor or a button on a cell acts on that cell. */
  performOn(cellId: CellId, action: Action): void {
    this.#t.focus.select(cellId);
    this.perform(action);
  }

  addCell(index: number, cellType: CellType, { edit }: { edit: boolean }): void {
    const doc = this.#t.session.doc;
    const cellId = newCellId((id) => getCell(doc, id) !== undefined);
    if (this.#t.edits.edit((current) => insertCell(current, index, { cellId, cellType, source: "" }))) {
      this.#t.focus.show(cellId, edit);
    }
  }

  #setType(cellType: CellType): void {
    const selected = this.#t.view.selected;
    if (selected !== null && getCell(this.#t.session.doc, selected)?.cellType !== cellType) {
      const editing = this.#t.focus.editing;
      this.#t.edits.edit((doc) => setCellType(doc, selected, cellType));
      this.#t.focus.restoreMode(editing);
    }
  }

  /**
   * Run, then as JupyterLab: in place (command mode), advance to the next cell (command
   * mode; a new cell in edit mode at the end), or insert a cell below to type in.
   */
  #runAndMove(cellId: CellId, action: "run" | "run-next" | "run-insert"): void {
    this.#run(cellId);
    const order = this.#t.view.order;
    const next = order[order.indexOf(cellId) + 1];
    if (action === "run-insert" || (action === "run-next" && next === undefined)) {
      this.addCell(order.indexOf(cellId) + 1, "code", { edit: true });
    } else if (action === "run-next" && next !== undefined) {
      this.#t.focus.select(next);
      this.#t.focus.commandMode();
    } else {
      this.#t.focus.commandMode();
    }
  }

  #clearOutputs(cellId: CellId | null): void {
    this.#t.tracker.forgetOutcomes(cellId === null ? "all" : [cellId]);
    this.#t.view.applyRunStates(this.#t.tracker);
    const fields = cellId === null ? {} : { cell_id: cellId };
    this.#request("Clear outputs", this.#t.session.request("clear_outputs", fields));
    this.#t.file.setDirty(true);
  }

  #run(cellId: CellId): void {
    const { session, tracker, view } = this.#t;
    const cell = getCell(session.doc, cellId);
    if (cell === undefined) {
      return;
    }
    view.view(cellId)?.showRendered();
    if (cell.cellType === "code") {
      tracker.requested([cellId]);
      view.applyRunStates(tracker);
      session.request("execute_cell", { cell_id: cellId }).catch((error: unknown) => {
        tracker.cancelled([cellId]);
        view.applyRunStates(tracker);
        this.#t.status.showFailure("Run", error);
      });
    }
  }

  #request(what: string, request: Promise<unknown>, done?: string): void {
    request.then(
      () => {
        if (done !== undefined) {
          this.#t.status.showMessage(done);
        }
      },
      (error: unknown) => this.#t.status.showFailure(what, error),
    );
  }
}
