/**
 * The toolbar: one button per action, each with a stable `data-action` (see actions.ts).
 * Buttons act on the selected cell; the type buttons show its type with `aria-pressed`.
 */

import type { Action } from "../actions.ts";
import { h } from "./dom.ts";
import { keysFor } from "./keymap.ts";
import { MenuButton, type MenuEntry } from "./menu-button.ts";

interface ButtonSpec {
  readonly action: Action;
  readonly label: string;
  readonly title: string;
  /** The accessible name in words, where the label is a symbol. */
  readonly name?: string;
}

const GROUPS: readonly (readonly ButtonSpec[])[] = [
  [{ action: "save", label: "Save", title: "Save (Ctrl/Cmd-S)" }],
  [
    { action: "add-above", label: "+ Above", title: "Insert a cell above" },
    { action: "add-below", label: "+ Below", title: "Insert a cell below" },
    { action: "delete", label: "Delete", title: "Delete the cell" },
    { action: "move-up", label: "↑", title: "Move the cell up", name: "Move up" },
    { action: "move-down", label: "↓", title: "Move the cell down", name: "Move down" },
  ],
  [
    { action: "to-code", label: "Code", title: "Make it a code cell" },
    { action: "to-markdown", label: "Markdown", title: "Make it a markdown cell" },
    { action: "to-raw", label: "Raw", title: "Make it a raw cell" },
  ],
  [
    { action: "run", label: "▶ Run", name: "Run", title: "Run the cell (Ctrl/Cmd-Enter; Shift-Enter runs and moves on)" },
    { action: "run-all", label: "Run all", title: "Run every cell" },
    { action: "interrupt", label: "■ Interrupt", name: "Interrupt", title: "Interrupt the kernel" },
    { action: "restart", label: "↻ Restart", name: "Restart", title: "Restart the kernel" },
    { action: "dependencies", label: "Dependencies…", title: "The packages this notebook needs" },
    { action: "change-kernel", label: "Change kernel…", title: "Choose the kernel this notebook runs on" },
  ],
  [
    { action: "clear-outputs", label: "Clear", title: "Clear the cell's outputs" },
    { action: "clear-all-outputs", label: "Clear all", title: "Clear every cell's outputs" },
  ],
  [
    { action: "find", label: "Find", title: "Find and replace in the notebook (Ctrl/Cmd-F)" },
    { action: "outline", label: "Outline", title: "Show or hide the outline (Ctrl/Cmd-Shift-O)" },
    { action: "history", label: "History", title: "Show or hide the notebook's history (Ctrl/Cmd-Shift-H)" },
  ],
  [
    { action: "shortcuts", label: "⌨", title: "Keyboard shortcuts (H in command mode)", name: "Keyboard shortcuts" },
    { action: "settings", label: "Settings", title: "Settings: theme, font size, line numbers, kernels (Ctrl/Cmd-,)" },
  ],
];

interface MenuSpec {
  readonly name: string;
  readonly label: string;
  readonly entries: readonly MenuEntry[];
}

/** Menus beside the buttons; each item shows its command-mode key, if it has one. */
const MENUS: readonly MenuSpec[] = [
  {
    name: "run",
    label: "Run",
    entries: [
      { action: "run-selected", label: "Run selected cells" },
      { action: "run-above", label: "Run all above" },
      { action: "run-below", label: "Run selected and all below" },
      { action: "run-all", label: "Run all" },
      { action: "restart-run-all", label: "Restart and run all…" },
      { action: "restart-clear", label: "Restart and clear outputs…" },
    ],
  },
  {
    name: "cells",
    label: "Cells",
    entries: [
      { action: "select-all", label: "Select all cells" },
      { action: "merge", label: "Merge cells" },
      { action: "toggle-input", label: "Hide or show input" },
      { action: "toggle-outputs", label: "Hide or show outputs" },
      { action: "toggle-scrolled", label: "Scroll long outputs" },
      { action: "undo-delete", label: "Undo cell deletion" },
      { action: "undo-restore", label: "Undo restore from history" },
    ],
  },
];

const TYPE_ACTIONS: ReadonlyMap<string, Action> = new Map<string, Action>([
  ["code", "to-code"],
  ["markdown", "to-markdown"],
  ["raw", "to-raw"],
]);

/** Actions that need a selected cell. */
const CELL_ACTIONS: ReadonlySet<Action> = new Set<Action>([
  "delete",
  "move-up",
  "move-down",
  "to-code",
  "to-markdown",
  "to-raw",
  "run",
  "clear-outputs",
]);

export class Toolbar {
  readonly element: HTMLElement;
  readonly #buttons = new Map<Action, HTMLButtonElement>();

  /** `leave`: put the focus back on the notebook (after a menu chosen by keyboard). */
  constructor(onAction: (action: Action) => void, leave: () => void) {
    const menus = MENUS.map(({ name, label, entries }) => {
      const withKeys = entries.map((entry) => ({ ...entry, keys: keysFor(entry.action) }));
      return new MenuButton(name, label, withKeys, onAction, leave).element;
    });
    const groups = GROUPS.map((group) =>
      h(
        "div",
        { class: "toolbar-group", role: "group" },
        ...group.map((spec) => {
          const button = h(
            "button",
            { type: "button", "data-action": spec.action, title: spec.title, "aria-label": spec.name },
            spec.label,
          );
          button.addEventListener("click", () => onAction(spec.action));
          // Keep the editor's focus (and cursor) when a button is clicked.
          button.addEventListener("mousedown", (event) => event.preventDefault());
          this.#buttons.set(spec.action, button);
          return button;
        }),
      ),
    );
    this.element = h(
      "nav",
      { class: "toolbar", role: "toolbar", "aria-label": "Notebook" },
      ...groups,
      h("div", { class: "toolbar-group", role: "group", "aria-label": "More" }, ...menus),
    );
  }

  /** Show a panel button's state (the outline shown or not). */
  setPressed(action: Action, pressed: boolean): void {
    this.#buttons.get(action)?.setAttribute("aria-pressed", String(pressed));
  }

  /** Reflect the selected cell (its type, or none selected). */
  showSelection(cellType: string | null): void {
    for (const [type, action] of TYPE_ACTIONS) {
      this.#buttons.get(action)?.setAttribute("aria-pressed", String(type === cellType));
    }
    for (const action of CELL_ACTIONS) {
      const button = this.#buttons.get(action);
      if (button !== undefined) {
        button.disabled = cellType === null;
      }
    }
  }
}
