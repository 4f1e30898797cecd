/**
 * The outline: the notebook's markdown headings as a table of contents beside the cells.
 * Read from the document (so headings in cells not drawn are listed), rebuilt on changes
 * while it is shown; the section being read is marked `aria-current` as the notebook
 * scrolls. Click or Enter jumps to a heading (drawing its cell, expanding a collapsed
 * section that hides it); Up/Down/Home/End move between entries; Escape goes back to the
 * notebook. Hooks: `nav.outline[data-outline]`, `[data-outline-cell]`.
 */

import type { CellId } from "../doc/ids.ts";
import { type NotebookDoc, orderedCells } from "../doc/notebook.ts";
import { h } from "./dom.ts";
import { type Heading, outlineOf } from "./headings.ts";
import type { NotebookView } from "./notebook-view.ts";

export interface OutlineHost {
  doc(): NotebookDoc;
  readonly view: NotebookView;
  /** Show a heading's cell at the top of the notebook, selected. */
  jump(cellId: CellId): void;
  /** Back to the notebook in command mode. */
  commandMode(): void;
  /** The outline was shown or hidden (the toolbar shows it). */
  shown(open: boolean): void;
}

/** A heading this close below the top of the notebook (px) already counts as being read. */
const READING_LINE = 48;

export class OutlinePanel {
  readonly element: HTMLElement;
  readonly #list: HTMLOListElement;
  readonly #empty: HTMLElement;
  readonly #host: OutlineHost;
  #headings: Heading[] = [];
  #buttons: HTMLButtonElement[] = [];
  #current = -1;
  #rebuild = 0;
  #scrolled = 0;

  constructor(host: OutlineHost) {
    this.#host = host;
    this.#list = h("ol", { class: "outline-list" });
    this.#empty = h("p", { class: "outline-empty" }, "No headings yet: start a markdown cell with #.");
    this.element = h(
      "nav",
      { class: "outline", "aria-label": "Outline", "data-outline": "", hidden: true },
      h("h2", { class: "outline-title" }, "Outline"),
      this.#empty,
      this.#list,
    );
    this.#list.addEventListener("keydown", (event) => this.#onKey(event));
    host.view.element.addEventListener("scroll", () => this.#scheduleCurrent(), { passive: true });
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  /** Show it with the focus on the current section, or hide it. */
  toggle(): void {
    if (this.isOpen) {
      const hadFocus = this.element.contains(document.activeElement);
      this.element.hidden = true;
      this.#host.shown(false);
      if (hadFocus) {
        this.#host.commandMode();
      }
      return;
    }
    this.element.hidden = false;
    this.#host.shown(true);
    this.#build();
    this.#updateCurrent();
    (this.#buttons[Math.max(this.#current, 0)] ?? this.element).focus();
  }

  docChanged(): void {
    if (this.isOpen && this.#rebuild === 0) {
      this.#rebuild = requestAnimationFrame(() => {
        this.#rebuild = 0;
        this.#build();
        this.#updateCurrent();
      });
    }
  }

  #build(): void {
    const headings = outlineOf(orderedCells(this.#host.doc()));
    const same =
      headings.length === this.#headings.length &&
      headings.every((heading, i) => {
        const old = this.#headings[i];
        return old?.cellId === heading.cellId && old.level === heading.level && old.text === heading.text;
      });
    if (same) {
      return;
    }
    const focusedAt = this.#buttons.findIndex((button) => button === document.activeElement);
    this.#headings = headings;
    this.#buttons = headings.map((heading, index) => {
      const button = h(
        "button",
        {
          type: "button",
          class: "outline-entry",
          "data-outline-cell": heading.cellId,
          "data-level": String(heading.level),
          tabindex: "-1",
        },
        heading.text === "" ? "(untitled)" : heading.text,
      );
      button.style.paddingInlineStart = `${0.5 + (heading.level - 1) * 0.9}em`;
      button.addEventListener("click", () => this.#jump(index));
      return button;
    });
    this.#list.replaceChildren(...this.#buttons.map((button) => h("li", {}, button)));
    this.#empty.hidden = headings.length > 0;
    this.#current = -1;
    this.#rove(Math.min(Math.max(focusedAt, 0), this.#buttons.length - 1), focusedAt >= 0);
  }

  #jump(index: number): void {
    const heading = this.#headings[index];
    if (heading !== undefined) {
      this.#rove(index, false);
      this.#host.jump(heading.cellId);
    }
  }

  /** Make entry `index` the one Tab reaches (roving tabindex), focusing it if asked. */
  #rove(index: number, focus: boolean): void {
    this.#buttons.forEach((button, i) => button.setAttribute("tabindex", i === index ? "0" : "-1"));
    if (focus) {
      this.#buttons[index]?.focus();
    }
  }

  #onKey(event: KeyboardEvent): void {
    const at = this.#buttons.findIndex((button) => button === document.activeElement);
    const last = this.#buttons.length - 1;
    const moves: Record<string, number> = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: last };
    const target = moves[event.key];
    if (target !== undefined) {
      this.#rove(Math.max(0, Math.min(target, last)), true);
    } else if (event.key === "Escape") {
      this.#host.commandMode();
    } else {
      return; // Enter and Space click the focused button
    }
    event.preventDefault();
    event.stopPropagation();
  }

  #scheduleCurrent(): void {
    if (this.isOpen && this.#scrolled === 0) {
      this.#scrolled = requestAnimationFrame(() => {
        this.#scrolled = 0;
        this.#updateCurrent();
      });
    }
  }

  /** Mark the section whose heading is the last one at or above the top of the notebook. */
  #updateCurrent(): void {
    const scroller = this.#host.view.element;
    const port = scroller.getBoundingClientRect();
    // Scrolled to the end, the last headings can never reach the top: the last one in sight counts.
    const atEnd = scroller.scrollHeight - scroller.clientHeight - scroller.scrollTop <= 1;
    const top = atEnd ? port.bottom - 1 : port.top + READING_LINE;
    const hidden = this.#host.view.hidden;
    let current = -1;
    this.#headings.forEach((heading, index) => {
      if (hidden.has(heading.cellId)) {
        return;
      }
      const element = this.#host.view.slotOf(heading.cellId);
      if (element !== null && element.getBoundingClientRect().top <= top) {
        current = index;
      }
    });
    if (current === -1 && this.#headings.length > 0) {
      current = 0;
    }
    if (current !== this.#current) {
      this.#buttons[this.#current]?.removeAttribute("aria-current");
      this.#current = current;
      this.#buttons[current]?.setAttribute("aria-current", "location");
      this.#buttons[current]?.scrollIntoView({ block: "nearest" });
    }
  }
}
