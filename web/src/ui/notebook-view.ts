/**
 * The list of cells, in document order, and the selection (an active cell, and an anchor
 * when several cells are selected: `[data-selected]` marks the active one,
 * `[data-in-selection]` every cell of a multi-cell selection).
 *
 * `render` reconciles the list with a document (creating, updating, reordering and
 * removing cells); remote source changes reach each editor as the patches' edits. Only
 * cells near the viewport have a CellView (`cell-window.ts`); `view(cellId)` builds one
 * on demand and selecting a cell scrolls it into view.
 * Until the replica has synced (no `cells` map yet) it shows a loading notice instead.
 */

import type * as A from "@automerge/automerge/slim";
import { python } from "@codemirror/lang-python";
import type { Extension } from "@codemirror/state";

import { type CellId, isCellId } from "../doc/ids.ts";
import { type Cell, getCell, isSynced, type NotebookDoc, orderedCells } from "../doc/notebook.ts";
import { cellChangesFromPatches } from "./cell-changes.ts";
import { selectionRange } from "./cell-selection.ts";
import { CellView, type CellCallbacks } from "./cell-view.ts";
import { CellWindow } from "./cell-window.ts";
import { h } from "./dom.ts";
import type { ExecutionTracker } from "./executions.ts";
import { hiddenCells } from "./headings.ts";
import type { BlobClient } from "./manifests.ts";
import { type SourceUpdate, sourceUpdatesFromPatches } from "./text-changes.ts";

export class NotebookView {
  readonly element: HTMLElement;
  readonly #list: HTMLElement;
  readonly #notice: HTMLElement;
  readonly #window: CellWindow;
  #order: CellId[] = [];
  #selected: CellId | null = null;
  /** The other end of a multi-cell selection (cell-selection.ts); the active cell is `#selected`. */
  #anchor: CellId | null = null;
  /** The cells marked `data-in-selection` now. */
  #marked: ReadonlySet<CellId> = new Set();
  #runStates: ExecutionTracker | null = null;
  #hidden: ReadonlySet<CellId> = new Set();
  /** Told about each view as it is drawn (find marks its matches in it). */
  onDrawn: ((view: CellView) => void) | null = null;
  #language: Extension = python();
  /** The cell asking for input and its prompt (one at a time: a kernel waits on one). */
  #input: { readonly cellId: CellId; readonly prompt: HTMLElement } | null = null;

  /** `readOnly`: a past version (history-viewer.ts), a `section.past-notebook`, not `main.notebook`. */
  constructor(blobs: () => BlobClient, callbacks: CellCallbacks, readOnly = false) {
    // A past version is drawn from a synced document: it never waits for one.
    this.#notice = readOnly
      ? h("div", { class: "notice", hidden: true })
      : h("div", { class: "notice", "data-loading": true }, "Loading notebook…");
    this.#list = h("div", { class: "cells" });
    // Its own class: `.notebook` is the live notebook, which pages and tests look for.
    this.element = h(readOnly ? "section" : "main", { class: readOnly ? "past-notebook" : "notebook" }, this.#notice, this.#list);
    this.#window = new CellWindow(this.element, this.#list, {
      create: (cell) => new CellView(cell, blobs, callbacks, this.#language, readOnly),
      materialised: (view) => {
        view.setSelected(view.id === this.#selected, this.#marked.has(view.id));
        view.showInput(this.#input?.cellId === view.id ? this.#input.prompt : null);
        if (this.#runStates !== null) {
          view.setRunState(this.#runStates.stateOf(view.id));
        }
        this.onDrawn?.(view);
      },
      pinned: (cellId) => cellId === this.#selected || cellId === this.#input?.cellId,
    });
  }

  /** The list element holding every cell (drawn or a placeholder), in display order. */
  get list(): HTMLElement {
    return this.#list;
  }

  /** Cell ids in display order. */
  get order(): readonly CellId[] {
    return this.#order;
  }

  get selected(): CellId | null {
    return this.#selected;
  }

  /** The selected cells in display order: the active one, or the range from the anchor to it. */
  get selection(): CellId[] {
    return selectionRange(this.#order, this.#anchor, this.#selected);
  }

  /** Index of the selected cell in display order, or -1. */
  get selectedIndex(): number {
    return this.#selected === null ? -1 : this.#order.indexOf(this.#selected);
  }

  /** The views drawn now, by cell id. */
  get drawn(): ReadonlyMap<CellId, CellView> {
    return this.#window.views;
  }

  /** The cell's element in the list (drawn or a placeholder), to measure where it is. */
  slotOf(cellId: CellId): HTMLElement | null {
    return this.#window.slotOf(cellId);
  }

  /** Cells hidden under collapsed headings. */
  get hidden(): ReadonlySet<CellId> {
    return this.#hidden;
  }

  /** The cell's view; a cell drawn as a placeholder is built first. */
  view(cellId: CellId): CellView | undefined {
    return this.#window.ensure(cellId);
  }

  render(doc: NotebookDoc, patches: readonly A.Patch[]): void {
    if (!isSynced(doc)) {
      this.#notice.hidden = false;
      this.#notice.textContent = "Loading notebook…";
      this.#notice.toggleAttribute("data-loading", true);
      this.#clear();
      return;
    }
    const updates = sourceUpdatesFromPatches(patches);
    if (this.#order.length > 0 && this.#updateChangedCells(doc, patches, updates)) {
      return;
    }
    const cells = orderedCells(doc);
    this.#notice.toggleAttribute("data-loading", false);
    delete this.#notice.dataset["failed"];
    this.#notice.hidden = cells.length > 0;
    this.#notice.textContent = "This notebook has no cells. Add one with the + buttons.";
    const previousIndex = this.selectedIndex;
    this.#window.reconcile(cells, updates);
    this.#order = cells.map((cell) => cell.id);
    this.#hide(cells);
    if (this.#selected === null || !this.#window.has(this.#selected)) {
      const fallback = this.#order[Math.min(Math.max(previousIndex, 0), this.#order.length - 1)];
      this.select(fallback ?? null);
    }
    this.#markSelection();
  }

  /** Say what the page waits for (only while nothing has synced yet). */
  showLoading(message: string): void {
    if (this.#order.length === 0 && this.#notice.hasAttribute("data-loading")) {
      this.#notice.textContent = message;
    }
  }

  /**
   * When the patches only change the content of known cells (outputs streaming in,
   * another window typing), read and redraw just those: a long notebook then costs no
   * more per change than a short one. False when the whole list must be rebuilt.
   */
  #updateChangedCells(
    doc: NotebookDoc,
    patches: readonly A.Patch[],
    updates: ReadonlyMap<string, SourceUpdate>,
  ): boolean {
    const changes = cellChangesFromPatches(patches);
    if (changes.listChanged) {
      return false;
    }
    const cells: Cell[] = [];
    for (const cellId of changes.cells) {
      const cell = isCellId(cellId) && this.#window.has(cellId) ? getCell(doc, cellId) : undefined;
      if (cell === undefined) {
        return false;
      }
      cells.push(cell);
    }
    // Headings live in markdown cells: only a change to one (or from one) can hide or show cells.
    const headingsMayChange = cells.some(
      (cell) => cell.cellType === "markdown" || this.#window.cellOf(cell.id)?.cellType === "markdown",
    );
    this.#window.updateCells(cells, updates);
    if (headingsMayChange) {
      this.#hide(orderedCells(doc));
    }
    return true;
  }

  /** Say why the notebook cannot be shown (only while nothing has synced yet). */
  showFailure(message: string): void {
    if (this.#order.length === 0 && this.#notice.hasAttribute("data-loading")) {
      this.#notice.textContent = message;
      this.#notice.dataset["failed"] = "";
    }
  }

  /** Select one cell (the selection collapses to it), drawing it and scrolling to it. */
  select(cellId: CellId | null): void {
    this.#anchor = cellId;
    this.#activate(cellId);
    this.#markSelection();
  }

  /** Make `cellId` the active end of the selection, keeping its anchor (Shift-click, Shift-J/K). */
  extendTo(cellId: CellId): void {
    this.#anchor ??= this.#selected ?? cellId;
    this.#activate(cellId);
    this.#markSelection();
  }

  /** Select every cell (the last one active). */
  selectAll(): void {
    const first = this.#order[0];
    const last = this.#order[this.#order.length - 1];
    if (first !== undefined && last !== undefined) {
      this.#anchor = first;
      this.#activate(last);
      this.#markSelection();
    }
  }

  #activate(cellId: CellId | null): void {
    if (cellId === this.#selected) {
      return;
    }
    const previous = this.#selected;
    this.#selected = cellId;
    if (previous !== null) {
      this.#window.views.get(previous)?.setSelected(false, this.#marked.has(previous));
      this.#window.unpinned(previous);
    }
    if (cellId !== null) {
      this.#window.reveal(cellId);
      this.#window.views.get(cellId)?.setSelected(true, this.#marked.has(cellId));
    }
  }

  /** Mark the cells of a multi-cell selection (`data-in-selection`), unmark the rest. */
  #markSelection(): void {
    const selection = this.selection;
    const marked: ReadonlySet<CellId> = new Set(selection.length > 1 ? selection : []);
    for (const cellId of new Set([...this.#marked, ...marked])) {
      this.#window.views.get(cellId)?.setSelected(cellId === this.#selected, marked.has(cellId));
    }
    this.#marked = marked;
  }

  applyRunStates(tracker: ExecutionTracker): void {
    this.#runStates = tracker;
    for (const [cellId, view] of this.#window.views) {
      view.setRunState(tracker.stateOf(cellId));
    }
  }

  /** Highlight every code cell by `language` (the notebook's kernel language changed). */
  setLanguage(language: Extension): void {
    this.#language = language;
    for (const view of this.#window.views.values()) {
      view.setLanguage(language);
    }
  }

  /** Show `prompt` under `cellId`'s outputs (drawing the cell), or remove the prompt shown. */
  showInput(input: { readonly cellId: CellId; readonly prompt: HTMLElement } | null): void {
    const previous = this.#input;
    this.#input = input;
    if (previous !== null && previous.cellId !== input?.cellId) {
      this.#window.views.get(previous.cellId)?.showInput(null);
      this.#window.unpinned(previous.cellId);
    }
    if (input !== null) {
      this.#window.ensure(input.cellId)?.showInput(input.prompt);
    }
  }

  resetOutputs(): void {
    for (const view of this.#window.views.values()) {
      view.resetOutputs();
    }
  }

  #hide(cells: readonly Cell[]): void {
    const hidden = hiddenCells(cells);
    if (hidden.size !== this.#hidden.size || [...hidden].some((id) => !this.#hidden.has(id))) {
      this.#hidden = hidden;
      this.#window.setHidden(hidden);
    }
  }

  #clear(): void {
    this.#window.clear();
    this.#order = [];
    this.#selected = null;
    this.#anchor = null;
    this.#marked = new Set();
  }
}
