/**
 * Every user action, whether it comes from a toolbar button, a shortcut or a native menu
 * item relayed by the shell, by its name (actions.ts). Cell actions act on the selection
 * (one cell, or the range Shift-J/K or Shift-click made); running is run-actions.ts.
 * Structural actions keep the mode they started in (keyboard.ts): from an editor the
 * focus follows into the selected cell's editor, from command mode it stays on the
 * notebook. Every change is a document edit, so every window sees it.
 */

import type { Action } from "../actions.ts";
import { type CellId, newCellId } from "../doc/ids.ts";
import { type CellType, getCell, insertCell, setCellType } from "../doc/notebook.ts";
import type { Host } from "../host.ts";
import { assertNever } from "../util/guards.ts";
import { mergeCells, moveBlock, moveBlockBefore, withSections } from "./block-edits.ts";
import { freshCellIds } from "./cell-edits.ts";
import type { CellCommands } from "./cell-commands.ts";
import { type DisplayPart, toggleFolded } from "./cell-display.ts";
import type { CellFocus } from "./cell-focus.ts";
import type { DocEdits } from "./doc-edits.ts";
import type { NotebookFile } from "./notebook-file.ts";
import type { NotebookPanels } from "./notebook-panels.ts";
import { cellsToRun, type RunActions, type RunParts } from "./run-actions.ts";
import type { ShortcutsHelp } from "./shortcuts-help.ts";

/** How an action was asked for: a key in command mode keeps that mode for new cells. */
export type Trigger = "pointer" | "key";

/** The window's parts that actions act on. */
export interface ActionTargets extends RunParts {
  readonly host: Host;
  readonly focus: CellFocus;
  readonly edits: DocEdits;
  readonly file: NotebookFile;
  readonly cells: CellCommands;
  readonly runs: RunActions;
  readonly help: ShortcutsHelp;
  readonly panels: NotebookPanels;
  readonly kernelPicker: { open(): void };
  readonly dependencies: { open(): void };
}

const FOLDS: Readonly<Record<"toggle-input" | "toggle-outputs" | "toggle-scrolled", DisplayPart>> = {
  "toggle-input": "input",
  "toggle-outputs": "outputs",
  "toggle-scrolled": "scrolled",
};

export class NotebookActions {
  readonly #t: ActionTargets;

  constructor(targets: ActionTargets) {
    this.#t = targets;
  }

  perform(action: Action, trigger: Trigger = "pointer"): void {
    const { view, focus, cells, runs } = this.#t;
    const selection = view.selection;
    const first = selection[0];
    const index = first === undefined ? -1 : view.order.indexOf(first);
    const editing = focus.editing;
    switch (action) {
      case "add-above":
      case "add-below": {
        const below = index < 0 ? view.order.length : index + selection.length;
        this.addCell(action === "add-above" ? Math.max(index, 0) : below, "code", {
          edit: editing || trigger === "pointer",
        });
        return;
      }
      case "delete":
        void this.#delete(selection, index, editing);
        return;
      case "cut":
        cells.cut(selection, index);
        focus.restoreMode(editing);
        return;
      case "copy":
        cells.copy(selection);
        if (selection.length > 1) {
          this.#t.status.showMessage(`${selection.length} cells copied`);
        }
        return;
      case "paste":
        cells.paste(index < 0 ? view.order.length : index + selection.length, editing);
        return;
      case "undo-delete":
        cells.undoDelete(editing);
        return;
      case "move-up":
      case "move-down":
        if (selection.length > 0) {
          this.#t.edits.edit((doc) => moveBlock(doc, selection, action === "move-up" ? "up" : "down"));
          focus.restoreMode(editing);
        }
        return;
      case "merge":
        this.#merge(selection);
        return;
      case "to-code":
        this.#setType(selection, "code");
        return;
      case "to-markdown":
        this.#setType(selection, "markdown");
        return;
      case "to-raw":
        this.#setType(selection, "raw");
        return;
      case "toggle-input":
      case "toggle-outputs":
      case "toggle-scrolled":
        this.fold(selection, FOLDS[action]);
        return;
      case "run":
      case "run-next":
      case "run-insert":
        if (selection.length > 0) {
          this.#runAndMove(selection, action);
        }
        return;
      case "run-selected":
      case "run-above":
      case "run-below": {
        const variant = action === "run-selected" ? "selected" : action === "run-above" ? "above" : "below";
        runs.run(cellsToRun(variant, view.order, selection));
        return;
      }
      case "run-all":
        runs.runAll();
        return;
      case "restart":
        void runs.restart();
        return;
      case "restart-run-all":
        void runs.restart("run-all");
        return;
      case "restart-clear":
        void runs.restart("clear");
        return;
      case "interrupt":
        this.#t.session.request("interrupt", {}).catch((error: unknown) => {
          this.#t.status.showFailure("Interrupt", error);
        });
        return;
      case "clear-outputs":
        void runs.clearOutputs(selection);
        return;
      case "clear-all-outputs":
        void runs.clearOutputs(null);
        return;
      case "select-up":
      case "select-down":
        focus.moveSelection(action === "select-up" ? -1 : 1);
        return;
      case "extend-up":
      case "extend-down":
        focus.extendSelection(action === "extend-up" ? -1 : 1);
        this.#announceSelection();
        return;
      case "select-all":
        focus.selectAll();
        this.#announceSelection();
        return;
      case "edit-mode":
        focus.focusSelected();
        return;
      case "command-mode":
        focus.commandMode();
        return;
      case "split":
        if (view.selected !== null) {
          cells.split(view.selected, view.selectedIndex);
        }
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
      case "history":
      case "undo-restore":
        return; // the window's history (history.ts) answers these before they get here
      case "change-kernel":
        this.#t.kernelPicker.open();
        return;
      case "dependencies":
        this.#t.dependencies.open();
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

  /** Fold or unfold part of these cells (a margin click folds its own cell only). */
  fold(cellIds: readonly CellId[], part: DisplayPart): void {
    if (cellIds.length > 0) {
      this.#t.edits.edit((doc) => toggleFolded(doc, cellIds, part));
    }
  }

  /**
   * Move cells dragged by their margin, with the sections their collapsed headings hide,
   * to just before `before` (null: the end).
   */
  drop(cellIds: readonly CellId[], before: CellId | null): void {
    if (this.#t.edits.edit((doc) => moveBlockBefore(doc, withSections(doc, cellIds), before))) {
      const [anchor] = cellIds;
      const active = cellIds[cellIds.length - 1];
      if (anchor !== undefined && active !== undefined) {
        this.#t.focus.select(anchor);
        this.#t.focus.extendTo(active);
      }
    }
  }

  /** Delete the selection; several cells only once the user agreed (unless turned off). */
  async #delete(selection: readonly CellId[], index: number, editing: boolean): Promise<void> {
    if (selection.length === 0) {
      return;
    }
    if (selection.length > 1) {
      const agreed = await this.#t.confirm.ask("delete_cells", {
        title: `Delete ${selection.length} cells?`,
        detail: "Z (in command mode) brings them back with their outputs.",
        confirm: `Delete ${selection.length} cells`,
      });
      if (!agreed) {
        return;
      }
    }
    this.#t.cells.delete(selection, index);
    this.#t.focus.restoreMode(editing);
    if (selection.length > 1) {
      this.#t.status.showMessage(`${selection.length} cells deleted (Z restores them)`);
    }
  }

  /** Shift-M: merge the selection into one cell, or the cell with the one below. */
  #merge(selection: readonly CellId[]): void {
    const { view, focus } = this.#t;
    const only = selection.length === 1 ? selection[0] : undefined;
    const below = only === undefined ? undefined : view.order[view.order.indexOf(only) + 1];
    const merging = selection.length > 1 ? selection : below === undefined ? [] : [...selection, below];
    if (merging.length < 2) {
      this.#t.status.showMessage("Select two or more cells to merge (Shift-J / Shift-K)");
      return;
    }
    const editing = focus.editing;
    const [mergedId] = freshCellIds(this.#t.session.doc, 1);
    if (mergedId !== undefined && this.#t.edits.edit((doc) => mergeCells(doc, merging, mergedId))) {
      focus.select(mergedId);
      focus.restoreMode(editing);
    }
  }

  #setType(selection: readonly CellId[], cellType: CellType): void {
    const doc = this.#t.session.doc;
    const changing = selection.filter((cellId) => getCell(doc, cellId)?.cellType !== cellType);
    if (changing.length > 0) {
      const editing = this.#t.focus.editing;
      this.#t.edits.edit((current) => changing.reduce((next, cellId) => setCellType(next, cellId, cellType), current));
      this.#t.focus.restoreMode(editing);
    }
  }

  /**
   * Run, then as JupyterLab: in place (command mode), advance past the selection
   * (command mode; a new cell in edit mode at the end), or insert a cell below to type in.
   */
  #runAndMove(selection: readonly CellId[], action: "run" | "run-next" | "run-insert"): void {
    this.#t.runs.run(selection);
    const { view, focus } = this.#t;
    const lastSelected = selection[selection.length - 1];
    const last = lastSelected === undefined ? -1 : view.order.indexOf(lastSelected);
    const next = view.order[last + 1];
    if (action === "run-insert" || (action === "run-next" && next === undefined)) {
      this.addCell(last + 1, "code", { edit: true });
    } else if (action === "run-next" && next !== undefined) {
      focus.select(next);
      focus.commandMode();
    } else {
      focus.commandMode();
    }
  }

  #announceSelection(): void {
    const count = this.#t.view.selection.length;
    this.#t.status.showMessage(count === 1 ? "1 cell selected" : `${count} cells selected`);
  }
}
