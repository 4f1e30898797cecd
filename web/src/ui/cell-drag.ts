/**
 * Dragging cells by their margin (the gutter, `[data-drag-handle]`) to a new place: the
 * pressed cell, or the whole selection when the pressed cell is part of it. Pointer
 * events, not HTML drag and drop, so it behaves the same in every webview and under test.
 * While dragging, `#app[data-dragging]`, the moving cells get `[data-dragging]` and the
 * cell the drop lands before `[data-drop-before]` (the list `[data-drop-end]` at the end);
 * Escape cancels. A press that does not move is a click. The keyboard's way to do the
 * same is move up / move down (Ctrl/Cmd-Shift-↑/↓).
 */

import { type CellId, isCellId } from "../doc/ids.ts";

export interface CellDragHooks {
  /** The cells a drag that starts on `cellId` moves, in display order. */
  cellsFor(cellId: CellId): readonly CellId[];
  /** Move `cellIds` before `before` (null: to the end). */
  drop(cellIds: readonly CellId[], before: CellId | null): void;
  /** The margin was clicked without moving. */
  click(cellId: CellId): void;
}

/** Pixels the pointer must travel before a press becomes a drag. */
const THRESHOLD = 5;
/** Within this distance (px) of the viewport's edge a drag scrolls the notebook. */
const EDGE = 40;

interface Press {
  readonly cellId: CellId;
  readonly pointerId: number;
  readonly x: number;
  readonly y: number;
  moving: readonly CellId[] | null;
}

function cellIdOf(element: Element | null): CellId | null {
  const cellId = element instanceof HTMLElement ? element.dataset["cellId"] : undefined;
  return cellId !== undefined && isCellId(cellId) ? cellId : null;
}

export class CellDrag {
  readonly #root: HTMLElement;
  readonly #scroller: HTMLElement;
  readonly #list: HTMLElement;
  readonly #hooks: CellDragHooks;
  #press: Press | null = null;
  #before: CellId | null = null;

  constructor(root: HTMLElement, scroller: HTMLElement, list: HTMLElement, hooks: CellDragHooks) {
    this.#root = root;
    this.#scroller = scroller;
    this.#list = list;
    this.#hooks = hooks;
    list.addEventListener("pointerdown", (event) => this.#down(event));
    list.addEventListener("pointermove", (event) => this.#move(event));
    list.addEventListener("pointerup", (event) => this.#up(event));
    list.addEventListener("pointercancel", () => this.#end());
    window.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.#press?.moving) {
        event.preventDefault();
        event.stopPropagation();
        this.#end();
      }
    }, true);
  }

  #down(event: PointerEvent): void {
    const target = event.target instanceof Element ? event.target : null;
    const handle = target?.closest("[data-drag-handle]");
    if (event.button !== 0 || event.shiftKey || handle == null || target?.closest("button") != null) {
      return;
    }
    const cellId = cellIdOf(handle.closest(".cell"));
    if (cellId === null) {
      return;
    }
    event.preventDefault(); // no text selection, no focus change
    if (handle instanceof HTMLElement) {
      handle.setPointerCapture(event.pointerId);
    }
    this.#press = { cellId, pointerId: event.pointerId, x: event.clientX, y: event.clientY, moving: null };
  }

  #move(event: PointerEvent): void {
    const press = this.#press;
    if (press === null || event.pointerId !== press.pointerId) {
      return;
    }
    if (press.moving === null) {
      if (Math.hypot(event.clientX - press.x, event.clientY - press.y) < THRESHOLD) {
        return;
      }
      press.moving = this.#hooks.cellsFor(press.cellId);
      this.#root.toggleAttribute("data-dragging", true);
      for (const cellId of press.moving) {
        this.#cellElement(cellId)?.toggleAttribute("data-dragging", true);
      }
    }
    this.#autoScroll(event.clientY);
    this.#showDrop(this.#dropBefore(event.clientY));
  }

  #up(event: PointerEvent): void {
    const press = this.#press;
    if (press === null || event.pointerId !== press.pointerId) {
      return;
    }
    const moving = press.moving;
    const before = this.#before;
    this.#end();
    if (moving === null) {
      this.#hooks.click(press.cellId);
    } else if (before === null || !moving.includes(before)) {
      this.#hooks.drop(moving, before);
    }
  }

  /** The first shown cell whose middle is below `y`: the drop goes before it (null: the end). */
  #dropBefore(y: number): CellId | null {
    for (const element of this.#list.children) {
      if (!(element instanceof HTMLElement) || element.hidden) {
        continue;
      }
      const box = element.getBoundingClientRect();
      if (y < box.top + box.height / 2) {
        return cellIdOf(element);
      }
    }
    return null;
  }

  #showDrop(before: CellId | null): void {
    this.#clearDrop();
    this.#before = before;
    if (before === null) {
      this.#list.toggleAttribute("data-drop-end", true);
    } else {
      this.#slot(before)?.toggleAttribute("data-drop-before", true);
    }
  }

  #clearDrop(): void {
    this.#list.removeAttribute("data-drop-end");
    for (const element of this.#list.querySelectorAll("[data-drop-before]")) {
      element.removeAttribute("data-drop-before");
    }
  }

  #autoScroll(y: number): void {
    const port = this.#scroller.getBoundingClientRect();
    if (y < port.top + EDGE) {
      this.#scroller.scrollBy(0, -EDGE / 2);
    } else if (y > port.bottom - EDGE) {
      this.#scroller.scrollBy(0, EDGE / 2);
    }
  }

  #end(): void {
    this.#press = null;
    this.#before = null;
    this.#clearDrop();
    this.#root.removeAttribute("data-dragging");
    for (const element of this.#list.querySelectorAll("[data-dragging]")) {
      element.removeAttribute("data-dragging");
    }
  }

  #slot(cellId: CellId): Element | null {
    return this.#list.querySelector(`:scope > [data-cell-id="${CSS.escape(cellId)}"]`);
  }

  #cellElement(cellId: CellId): Element | null {
    return this.#list.querySelector(`:scope > .cell[data-cell-id="${CSS.escape(cellId)}"]`);
  }
}
