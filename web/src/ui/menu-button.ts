/**
 * A toolbar button that opens a menu of actions (the run variants, showing and hiding
 * parts of cells), following the WAI-ARIA menu button pattern: Enter, Space or ↓ open
 * it on the first item, ↑/↓/Home/End move, Enter activates, Escape and Tab close it, and
 * the focus goes back to where it was before the menu opened (the notebook, an editor),
 * so the chosen action acts there. Hooks: `[data-menu=<name>]` on the button,
 * `[role=menu]`, `[role=menuitem][data-action]`.
 */

import type { Action } from "../actions.ts";
import { h } from "./dom.ts";
import { describeKeys } from "./keymap.ts";

export interface MenuEntry {
  readonly action: Action;
  readonly label: string;
  /** The shortcut, in keymap.ts notation, shown beside the label. */
  readonly keys?: string | undefined;
}

export class MenuButton {
  readonly element: HTMLElement;
  readonly #button: HTMLButtonElement;
  readonly #menu: HTMLElement;
  readonly #items: HTMLButtonElement[];
  #returnFocus: Element | null = null;

  readonly #leave: () => void;

  /**
   * `leave` gives the focus back to the notebook when the menu was opened from its
   * button by keyboard (the focus would otherwise stay in the toolbar after the action).
   */
  constructor(
    name: string,
    label: string,
    entries: readonly MenuEntry[],
    onAction: (action: Action) => void,
    leave: () => void,
  ) {
    this.#leave = leave;
    const menuId = `menu-${name}`;
    this.#button = h(
      "button",
      {
        type: "button",
        "aria-haspopup": "menu",
        "aria-expanded": "false",
        "aria-controls": menuId,
        "aria-label": `${label} menu`,
        "data-menu": name,
      },
      label,
      h("span", { "aria-hidden": "true" }, " ▾"),
    );
    this.#items = entries.map((entry) => {
      const shortcut = entry.keys === undefined ? "" : ` (${describeKeys(entry.keys)})`;
      const item = h(
        "button",
        { type: "button", role: "menuitem", tabindex: "-1", "data-action": entry.action },
        `${entry.label}${shortcut}`,
      );
      item.addEventListener("click", () => {
        if (this.#returnFocus === this.#button) {
          this.#returnFocus = null; // chosen: act where the notebook's focus belongs
        }
        this.close();
        onAction(entry.action);
      });
      return item;
    });
    this.#menu = h(
      "ul",
      { role: "menu", id: menuId, "aria-label": label },
      ...this.#items.map((item) => h("li", { role: "none" }, item)),
    );
    this.#menu.hidden = true;
    this.element = h("div", { class: "menu-button" }, this.#button, this.#menu);
    // Keep an editor's focus while the mouse opens the menu, as the toolbar's buttons do.
    this.#button.addEventListener("mousedown", (event) => event.preventDefault());
    this.#menu.addEventListener("mousedown", (event) => event.preventDefault());
    this.#button.addEventListener("click", () => (this.#menu.hidden ? this.open(0) : this.close()));
    this.#button.addEventListener("keydown", (event) => this.#onButtonKey(event));
    this.#menu.addEventListener("keydown", (event) => this.#onMenuKey(event));
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !this.#menu.hidden && !this.element.contains(document.activeElement)) {
        this.close(false);
      }
    });
    document.addEventListener("pointerdown", (event) => {
      if (!this.#menu.hidden && event.target instanceof Node && !this.element.contains(event.target)) {
        this.close(false);
      }
    });
  }

  /** Open the menu; `focusItem` takes the focus (keyboard), null leaves it (mouse). */
  open(focusItem: number | null): void {
    this.#returnFocus = document.activeElement;
    this.#menu.hidden = false;
    this.#button.setAttribute("aria-expanded", "true");
    if (focusItem !== null) {
      this.#items.at(focusItem)?.focus();
    }
  }

  /** Close the menu, giving the focus back to where it was before (`restore`). */
  close(restore = true): void {
    if (this.#menu.hidden) {
      return;
    }
    this.#menu.hidden = true;
    this.#button.setAttribute("aria-expanded", "false");
    const back = this.#returnFocus;
    this.#returnFocus = null;
    if (restore && this.element.contains(document.activeElement)) {
      if (back instanceof HTMLElement && back.isConnected && back !== document.body && !this.element.contains(back)) {
        back.focus({ preventScroll: true });
      } else if (back === this.#button) {
        this.#button.focus();
      } else {
        this.#leave();
      }
    }
  }

  #onButtonKey(event: KeyboardEvent): void {
    if (event.key === "ArrowDown" || event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      this.open(0);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      this.open(-1);
    }
  }

  #onMenuKey(event: KeyboardEvent): void {
    const at = this.#items.findIndex((item) => item === document.activeElement);
    const count = this.#items.length;
    const moves: Readonly<Record<string, number>> = { ArrowDown: at + 1, ArrowUp: at - 1 + count, Home: 0, End: count - 1 };
    const target = moves[event.key];
    if (target !== undefined) {
      event.preventDefault();
      this.#items[target % count]?.focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      this.close();
    } else if (event.key === "Tab") {
      this.close(false);
    }
  }
}
