/**
 * The list of cells: keeps one CellView per cell, in document order, and the selection.
 *
 * `render` reconciles the views with a document (creating, updating, reordering and
 * removing cells); remote source changes reach each editor as the patches' edits.
 * Until the replica has synced (no `cells` map yet) it shows a loading notice instead.
 */

import type * as A from "@automerge/automerge/slim";

import type { CellId } from "../doc/ids.ts";
import { type Cell, isSynced, type NotebookDoc, orderedCells } from "../doc/notebook.ts";
import { CellView, type CellCallbacks } from "./cell-view.ts";
import { h, placeChildren } from "./dom.ts";
import type { ExecutionTracker } from "./executions.ts";
import type { BlobClient } from "./manifests.ts";
import { sourceUpdatesFromPatches } from "./text-changes.ts";

export class NotebookView {
  readonly element: HTMLElement;
  readonly #list: HTMLElement;
  readonly #notice: HTMLElement;
  readonly #views = new Map<CellId, CellView>();
  readonly #blobs: () => BlobClient;
  readonly #callbacks: CellCallbacks;
  #order: CellId[] = [];
  #selected: CellId | null = null;

  constructor(blobs: () => BlobClient, callbacks: CellCallbacks) {
    this.#blobs = blobs;
    this.#callbacks = callbacks;
    this.#notice = h("div", { class: "notice", "data-loading": true }, "Loading notebook…");
    this.#list = h("div", { class: "cells" });
    this.element = h("main", { class: "notebook" }, this.#notice, this.#list);
  }

  /** Cell ids in display order. */
  get order(): readonly CellId[] {
    return this.#order;
  }

  get selected(): CellId | null {
    return this.#selected;
  }

  /** Index of the selected cell in display order, or -1. */
  get selectedIndex(): number {
    return this.#selected === null ? -1 : this.#order.indexOf(this.#selected);
  }

  view(cellId: CellId): CellView | undefined {
    return this.#views.get(cellId);
  }

  render(doc: NotebookDoc, patches: readonly A.Patch[]): void {
    if (!isSynced(doc)) {
      this.#notice.hidden = false;
      this.#notice.textContent = "Loading notebook…";
      this.#notice.toggleAttribute("data-loading", true);
      this.#clear();
      return;
    }
    const cells = orderedCells(doc);
    this.#notice.toggleAttribute("data-loading", false);
    delete this.#notice.dataset["failed"];
    this.#notice.hidden = cells.length > 0;
    this.#notice.textContent = "This notebook has no cells. Add one with the + buttons.";
    const updates = sourceUpdatesFromPatches(patches);
    const previousIndex = this.selectedIndex;
    const seen = new Set<CellId>();
    const elements = cells.map((cell: Cell) => {
      seen.add(cell.id);
      let view = this.#views.get(cell.id);
      if (view === undefined) {
        view = new CellView(cell, this.#blobs, this.#callbacks);
        this.#views.set(cell.id, view);
      } else {
        view.update(cell, updates.get(cell.id));
      }
      return view.element;
    });
    for (const [cellId, view] of this.#views) {
      if (!seen.has(cellId)) {
        view.destroy();
        this.#views.delete(cellId);
      }
    }
    this.#order = cells.map((cell) => cell.id);
    placeChildren(this.#list, elements);
    if (this.#selected === null || !seen.has(this.#selected)) {
      const fallback = this.#order[Math.min(Math.max(previousIndex, 0), this.#order.length - 1)];
      this.select(fallback ?? null);
    }
  }

  /** Say what the page waits for (only while nothing has synced yet). */
  showLoading(message: string): void {
    if (this.#order.length === 0 && this.#notice.hasAttribute("data-loading")) {
      this.#notice.textContent = message;
    }
  }

  /** Say why the notebook cannot be shown (only while nothing has synced yet). */
  showFailure(message: string): void {
    if (this.#order.length === 0 && this.#notice.hasAttribute("data-loading")) {
      this.#notice.textContent = message;
      this.#notice.dataset["failed"] = "";
    }
  }

  select(cellId: CellId | null): void {
    if (cellId === this.#selected) {
      return;
    }
    if (this.#selected !== null) {
      this.#views.get(this.#selected)?.setSelected(false);
    }
    this.#selected = cellId;
    if (cellId !== null) {
      this.#views.get(cellId)?.setSelected(true);
    }
  }

  applyRunStates(tracker: ExecutionTracker): void {
    for (const [cellId, view] of this.#views) {
      view.setRunState(tracker.stateOf(cellId));
    }
  }

  resetOutputs(): void {
    for (const view of this.#views.values()) {
      view.resetOutputs();
    }
  }

  #clear(): void {
    for (const view of this.#views.values()) {
      view.destroy();
    }
    this.#views.clear();
    this.#order = [];
    this.#selected = null;
  }
}
