/**
 * Draws only the cells near the viewport: the others are placeholders of remembered or
 * estimated height, so a 1,000-cell notebook opens and scrolls like a short one.
 *
 * Every cell has one element in the list, in document order: a `CellView`'s
 * `.cell[data-cell-id]` when it is materialised, else a `.cell-placeholder[data-cell-id]`.
 * Two IntersectionObservers on the scroll container decide: a placeholder within `NEAR`
 * pixels of the viewport becomes a cell, a cell further than `FAR` becomes a placeholder
 * again (the gap between the two keeps a cell at the edge from flickering). The pinned
 * cell (the selected one) and a cell holding the focus are never torn down.
 *
 * Cell data is always kept for every cell, so an edit to a placeholder's cell only
 * updates the data; the view is built from it when the cell comes near. A reader who
 * scrolled to the end stays there while the cells drawn there settle (`scroll-end.ts`).
 * Selection and run states are the caller's (`NotebookView`).
 */

import { type CellId, isCellId } from "../doc/ids.ts";
import type { Cell } from "../doc/notebook.ts";
import { HeightMemory, sameCell, visibleRange } from "./cell-heights.ts";
import type { CellView } from "./cell-view.ts";
import { h, placeChildren } from "./dom.ts";
import { EndAnchor } from "./scroll-end.ts";
import type { SourceUpdate } from "./text-changes.ts";

/** Placeholders this close to the viewport (px) are drawn. */
const NEAR = 800;
/** Cells further than this from the viewport (px) are torn down. */
const FAR = 2400;
/** The vertical margin between cells in style.css (collapsed, so one per cell). */
const CELL_GAP = 6;

/** How many frames a revealed cell is held in sight while the cells around it are drawn. */
const REVEAL_SETTLE_FRAMES = 30;

export interface CellWindowHooks {
  create(cell: Cell): CellView;
  /** A view was just built (set its selection and run state). */
  materialised(view: CellView): void;
  /** Cells that must stay drawn (the selected one). */
  pinned(cellId: CellId): boolean;
}

export class CellWindow {
  readonly #scroller: HTMLElement;
  readonly #list: HTMLElement;
  readonly #hooks: CellWindowHooks;
  readonly #cells = new Map<CellId, Cell>();
  readonly #views = new Map<CellId, CellView>();
  readonly #placeholders = new Map<CellId, HTMLElement>();
  readonly #heights = new HeightMemory();
  /** Cells a collapsed heading hides: `hidden`, so never near the viewport. */
  #hidden: ReadonlySet<CellId> = new Set();
  /** The cell a jump holds in sight, until it settles or the reader scrolls away. */
  #held: HTMLElement | null = null;
  /** Materialised cells last seen outside the FAR margin (kept only because pinned). */
  readonly #far = new Set<CellId>();
  readonly #near: IntersectionObserver;
  readonly #keep: IntersectionObserver;
  readonly #end: EndAnchor;

  constructor(scroller: HTMLElement, list: HTMLElement, hooks: CellWindowHooks) {
    this.#scroller = scroller;
    this.#list = list;
    this.#hooks = hooks;
    this.#near = new IntersectionObserver((entries) => this.#onNear(entries), {
      root: scroller,
      rootMargin: `${NEAR}px 0px`,
    });
    this.#keep = new IntersectionObserver((entries) => this.#onKeep(entries), {
      root: scroller,
      rootMargin: `${FAR}px 0px`,
    });
    this.#end = new EndAnchor(scroller, list);
    const letGo = (): void => {
      this.#held = null;
    };
    scroller.addEventListener("wheel", letGo, { passive: true });
    scroller.addEventListener("pointerdown", letGo);
  }

  /** The materialised views (for run states and resets). */
  get views(): ReadonlyMap<CellId, CellView> {
    return this.#views;
  }

  /** True when the list holds this cell (drawn or not). */
  has(cellId: CellId): boolean {
    return this.#cells.has(cellId);
  }

  /**
   * Make the list show `cells` in this order. Only materialised cells whose content
   * changed touch the DOM; the rest is data, so a change costs O(drawn cells) DOM work.
   */
  reconcile(cells: readonly Cell[], updates: ReadonlyMap<string, SourceUpdate>): void {
    const first = this.#cells.size === 0;
    const seen = new Set<CellId>();
    const elements = cells.map((cell) => {
      seen.add(cell.id);
      return this.#update(cell, updates.get(cell.id));
    });
    for (const cellId of [...this.#cells.keys()]) {
      if (!seen.has(cellId)) {
        this.#remove(cellId);
      }
    }
    placeChildren(this.#list, elements);
    if (first) {
      this.#drawViewport(cells);
    }
  }

  /** New content for cells already in the list (same order); placeholders only get data. */
  updateCells(cells: readonly Cell[], updates: ReadonlyMap<string, SourceUpdate>): void {
    for (const cell of cells) {
      this.#update(cell, updates.get(cell.id));
    }
  }

  /** The cell's element in the list: its view's, or its placeholder. */
  slotOf(cellId: CellId): HTMLElement | null {
    return this.#views.get(cellId)?.element ?? this.#placeholders.get(cellId) ?? null;
  }

  /** The data of a cell in the list (drawn or not). */
  cellOf(cellId: CellId): Cell | undefined {
    return this.#cells.get(cellId);
  }

  /** The cell's view, built now if it was a placeholder. */
  ensure(cellId: CellId): CellView | undefined {
    return this.#views.get(cellId) ?? this.#materialise(cellId);
  }

  /** Build the cell if needed and scroll it into view when it is entirely outside it. */
  reveal(cellId: CellId): void {
    const view = this.ensure(cellId);
    if (view === undefined) {
      return;
    }
    if (this.#outside(view.element)) {
      this.#end.release();
      view.element.scrollIntoView({ block: "nearest" });
      this.#held = view.element;
      this.#holdInView(view.element, REVEAL_SETTLE_FRAMES);
    }
  }

  #outside(element: HTMLElement): boolean {
    const box = element.getBoundingClientRect();
    const port = this.#scroller.getBoundingClientRect();
    return box.bottom <= port.top || box.top >= port.bottom;
  }

  /** Neighbours drawn after the jump change the heights above it: keep the revealed cell
   * in sight while they settle (a few frames), as the end is kept while cells settle;
   * a wheel turn or a pointer on the notebook lets go at once. */
  #holdInView(element: HTMLElement, frames: number): void {
    if (frames <= 0 || this.#held !== element || typeof requestAnimationFrame !== "function") {
      return;
    }
    requestAnimationFrame(() => {
      if (element.isConnected && this.#outside(element)) {
        element.scrollIntoView({ block: "nearest" });
      }
      this.#holdInView(element, frames - 1);
    });
  }

  /** Hide these cells (collapsed sections) and show every other one. */
  setHidden(hidden: ReadonlySet<CellId>): void {
    const changed = new Set([...this.#hidden, ...hidden]);
    this.#hidden = hidden;
    for (const cellId of changed) {
      const element = this.#views.get(cellId)?.element ?? this.#placeholders.get(cellId);
      if (element !== undefined) {
        element.hidden = hidden.has(cellId);
      }
    }
  }

  /** A cell is no longer pinned: tear it down if it is far away. */
  unpinned(cellId: CellId): void {
    if (this.#far.has(cellId)) {
      this.#dematerialise(cellId, null);
    }
  }

  clear(): void {
    for (const cellId of [...this.#cells.keys()]) {
      this.#remove(cellId);
    }
    this.#list.replaceChildren();
    this.#end.release();
  }

  /** Record a cell's data and redraw it if it is drawn and changed; returns its element. */
  #update(cell: Cell, update: SourceUpdate | undefined): HTMLElement {
    const previous = this.#cells.get(cell.id);
    this.#cells.set(cell.id, cell);
    const view = this.#views.get(cell.id);
    if (view === undefined) {
      return this.#placeholderFor(cell);
    }
    if (update !== undefined || previous === undefined || !sameCell(previous, cell)) {
      view.update(cell, update);
    }
    return view.element;
  }

  /** Draw the cells the first screen shows before the observers first report. */
  #drawViewport(cells: readonly Cell[]): void {
    const heights = cells.map((cell) => this.#heights.heightOf(cell));
    const range = visibleRange(heights, this.#scroller.scrollTop, this.#scroller.clientHeight, 0, CELL_GAP);
    for (const cell of cells.slice(range.start, range.end)) {
      this.#materialise(cell.id);
    }
  }

  #placeholderFor(cell: Cell): HTMLElement {
    const height = `${this.#heights.heightOf(cell)}px`;
    let placeholder = this.#placeholders.get(cell.id);
    if (placeholder === undefined) {
      placeholder = h("div", { class: "cell-placeholder", "data-cell-id": cell.id });
      placeholder.hidden = this.#hidden.has(cell.id);
      this.#placeholders.set(cell.id, placeholder);
      this.#near.observe(placeholder);
    }
    if (placeholder.style.height !== height) {
      placeholder.style.height = height;
    }
    return placeholder;
  }

  #materialise(cellId: CellId): CellView | undefined {
    const cell = this.#cells.get(cellId);
    if (cell === undefined) {
      return undefined;
    }
    const view = this.#hooks.create(cell);
    view.element.hidden = this.#hidden.has(cellId);
    const placeholder = this.#placeholders.get(cellId);
    if (placeholder !== undefined) {
      this.#near.unobserve(placeholder);
      this.#placeholders.delete(cellId);
      placeholder.replaceWith(view.element);
    }
    this.#views.set(cellId, view);
    this.#keep.observe(view.element);
    this.#hooks.materialised(view);
    return view;
  }

  /** `height` is the cell's last measured height (null: measure it now). */
  #dematerialise(cellId: CellId, height: number | null): void {
    const view = this.#views.get(cellId);
    const cell = this.#cells.get(cellId);
    if (view === undefined || cell === undefined) {
      return;
    }
    if (!view.element.hidden) {
      this.#heights.remember(cell, height ?? view.element.getBoundingClientRect().height);
    }
    this.#keep.unobserve(view.element);
    this.#views.delete(cellId);
    this.#far.delete(cellId);
    const placeholder = this.#placeholderFor(cell);
    view.element.replaceWith(placeholder);
    view.destroy();
  }

  #remove(cellId: CellId): void {
    const view = this.#views.get(cellId);
    if (view !== undefined) {
      this.#keep.unobserve(view.element);
      view.destroy();
    }
    const placeholder = this.#placeholders.get(cellId);
    if (placeholder !== undefined) {
      this.#near.unobserve(placeholder);
      placeholder.remove();
    }
    this.#views.delete(cellId);
    this.#placeholders.delete(cellId);
    this.#cells.delete(cellId);
    this.#far.delete(cellId);
    this.#heights.forget(cellId);
  }

  #onNear(entries: IntersectionObserverEntry[]): void {
    for (const entry of entries) {
      const cellId = cellIdOf(entry.target);
      if (entry.isIntersecting && cellId !== null && this.#placeholders.get(cellId) === entry.target) {
        this.#materialise(cellId);
      }
    }
  }

  #onKeep(entries: IntersectionObserverEntry[]): void {
    for (const entry of entries) {
      const cellId = cellIdOf(entry.target);
      if (cellId === null || this.#views.get(cellId)?.element !== entry.target) {
        continue;
      }
      if (entry.isIntersecting) {
        this.#far.delete(cellId);
      } else if (this.#hooks.pinned(cellId) || entry.target.contains(document.activeElement)) {
        this.#far.add(cellId);
      } else {
        this.#dematerialise(cellId, entry.boundingClientRect.height);
      }
    }
  }
}

function cellIdOf(element: Element): CellId | null {
  const cellId = element instanceof HTMLElement ? element.dataset["cellId"] : undefined;
  return cellId !== undefined && isCellId(cellId) ? cellId : null;
}
