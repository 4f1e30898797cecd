/**
 * Which cells are selected (the active one, and a range around it: cell-selection.ts)
 * and where the focus is: a cell's editor (edit mode) or the notebook (command mode,
 * keyboard.ts). The toolbar follows the selected cell's type.
 */

import type { CellId } from "../doc/ids.ts";
import { getCell, type NotebookDoc } from "../doc/notebook.ts";
import type { Keyboard } from "./keyboard.ts";
import type { NotebookView } from "./notebook-view.ts";
import type { Toolbar } from "./toolbar.ts";

export class CellFocus {
  readonly #view: NotebookView;
  readonly #keyboard: Keyboard;
  readonly #toolbar: Toolbar;
  readonly #doc: () => NotebookDoc;

  constructor(view: NotebookView, keyboard: Keyboard, toolbar: Toolbar, doc: () => NotebookDoc) {
    this.#view = view;
    this.#keyboard = keyboard;
    this.#toolbar = toolbar;
    this.#doc = doc;
  }

  /** Whether a cell's editor has the focus. */
  get editing(): boolean {
    return this.#keyboard.mode === "edit";
  }

  select(cellId: CellId | null): void {
    this.#view.select(cellId);
    this.syncToolbar();
  }

  /** Select a cell and either edit it (cursor at the start) or show it in command mode. */
  show(cellId: CellId, edit: boolean): void {
    this.select(cellId);
    if (edit) {
      this.#view.view(cellId)?.focus("start");
    } else {
      this.commandMode();
    }
  }

  /** Leave the editor for command mode, keeping the selected cell in sight. */
  commandMode(): void {
    this.#keyboard.enterCommandMode();
    const selected = this.#view.selected;
    if (selected !== null) {
      this.#view.view(selected)?.element.scrollIntoView({ block: "nearest" });
    }
  }

  /** Back to the mode an action started in (`editing`: the selected cell's editor). */
  restoreMode(editing: boolean): void {
    if (editing) {
      this.focusSelected();
    } else {
      this.commandMode();
    }
  }

  focusSelected(): void {
    const selected = this.#view.selected;
    if (selected !== null) {
      this.#view.view(selected)?.focus();
    }
  }

  moveSelection(delta: number): void {
    const order = this.#view.order;
    const target = order[Math.max(0, Math.min(this.#view.selectedIndex + delta, order.length - 1))];
    if (target !== undefined) {
      this.select(target);
      this.commandMode();
    }
  }

  /** Shift-J/K: move the active end of the selection, keeping its anchor. */
  extendSelection(delta: number): void {
    const order = this.#view.order;
    const target = order[Math.max(0, Math.min(this.#view.selectedIndex + delta, order.length - 1))];
    if (target !== undefined) {
      this.extendTo(target);
      this.commandMode();
    }
  }

  /** Shift-click: select from the anchor to `cellId`. */
  extendTo(cellId: CellId): void {
    this.#view.extendTo(cellId);
    this.syncToolbar();
  }

  selectAll(): void {
    this.#view.selectAll();
    this.syncToolbar();
    this.commandMode();
  }

  /** The cursor left a cell's editor at its top or bottom: edit the neighbour. */
  leave(cellId: CellId, direction: "up" | "down"): void {
    const order = this.#view.order;
    const target = order[order.indexOf(cellId) + (direction === "up" ? -1 : 1)];
    if (target !== undefined) {
      this.select(target);
      this.#view.view(target)?.focus(direction === "up" ? "end" : "start");
    }
  }

  syncToolbar(): void {
    const selected = this.#view.selected;
    const cell = selected === null ? undefined : getCell(this.#doc(), selected);
    this.#toolbar.showSelection(cell?.cellType ?? null);
  }
}
