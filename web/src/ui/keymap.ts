/**
 * The notebook's keyboard shortcuts as data: which key does which `Action` in each mode,
 * plus the pure parts of reading keys (naming a keystroke, matching two-key sequences).
 *
 * Modes are JupyterLab's: in command mode (Esc) keys act on the selected cell; in edit
 * mode (Enter, or a click into an editor) keys go to the editor, except the few bound
 * here that CodeMirror hands to the notebook. Keys use CodeMirror's notation ("Mod-Enter",
 * "Shift-ArrowDown", "Mod-Shift--"), so the edit table feeds CodeMirror's keymap as is;
 * a sequence is its keys separated by a space ("d d").
 *
 * It owns no DOM and no focus handling (see keyboard.ts).
 */

import type { Action } from "../actions.ts";

export type Mode = "command" | "edit";

export interface Shortcut {
  readonly keys: string;
  readonly action: Action;
  readonly description: string;
}

/** Keys on the selected cell while no editor has the focus. */
export const COMMAND_SHORTCUTS: readonly Shortcut[] = [
  { keys: "Enter", action: "edit-mode", description: "Edit the selected cell" },
  { keys: "Shift-Enter", action: "run-next", description: "Run and select the next cell" },
  { keys: "Mod-Enter", action: "run", description: "Run the selected cells" },
  { keys: "Alt-Enter", action: "run-insert", description: "Run and insert a cell below" },
  { keys: "a", action: "add-above", description: "Insert a cell above" },
  { keys: "b", action: "add-below", description: "Insert a cell below" },
  { keys: "d d", action: "delete", description: "Delete the selected cells" },
  { keys: "z", action: "undo-delete", description: "Undo the last cell deletion (with outputs)" },
  { keys: "Shift-z", action: "undo-restore", description: "Undo the last restore from the history" },
  { keys: "c", action: "copy", description: "Copy the selected cells" },
  { keys: "x", action: "cut", description: "Cut the selected cells" },
  { keys: "v", action: "paste", description: "Paste cells below" },
  { keys: "m", action: "to-markdown", description: "Make them markdown cells" },
  { keys: "y", action: "to-code", description: "Make them code cells" },
  { keys: "r", action: "to-raw", description: "Make them raw cells" },
  { keys: "k", action: "select-up", description: "Select the cell above" },
  { keys: "ArrowUp", action: "select-up", description: "Select the cell above" },
  { keys: "j", action: "select-down", description: "Select the cell below" },
  { keys: "ArrowDown", action: "select-down", description: "Select the cell below" },
  { keys: "Shift-k", action: "extend-up", description: "Extend the selection up" },
  { keys: "Shift-ArrowUp", action: "extend-up", description: "Extend the selection up" },
  { keys: "Shift-j", action: "extend-down", description: "Extend the selection down" },
  { keys: "Shift-ArrowDown", action: "extend-down", description: "Extend the selection down" },
  { keys: "Mod-a", action: "select-all", description: "Select every cell" },
  { keys: "Mod-Shift-ArrowUp", action: "move-up", description: "Move the selected cells up" },
  { keys: "Mod-Shift-ArrowDown", action: "move-down", description: "Move the selected cells down" },
  { keys: "Shift-m", action: "merge", description: "Merge the selected cells (or with the cell below)" },
  { keys: "Shift-i", action: "toggle-input", description: "Hide or show the input" },
  { keys: "o", action: "toggle-outputs", description: "Hide or show the outputs" },
  { keys: "Shift-o", action: "toggle-scrolled", description: "Scroll long outputs, or show them in full" },
  { keys: "i i", action: "interrupt", description: "Interrupt the kernel" },
  { keys: "0 0", action: "restart", description: "Restart the kernel (asks first)" },
  { keys: "h", action: "shortcuts", description: "Show these shortcuts" },
];

/** Keys an editor passes to the notebook instead of handling them itself. */
export const EDIT_SHORTCUTS: readonly Shortcut[] = [
  { keys: "Escape", action: "command-mode", description: "Leave the editor (command mode)" },
  { keys: "Shift-Enter", action: "run-next", description: "Run and select the next cell" },
  { keys: "Mod-Enter", action: "run", description: "Run the cell" },
  { keys: "Alt-Enter", action: "run-insert", description: "Run and insert a cell below" },
  { keys: "Mod-Shift--", action: "split", description: "Split the cell at the cursor" },
];

/** Keys that work in both modes. */
export const GLOBAL_SHORTCUTS: readonly Shortcut[] = [
  { keys: "Mod-s", action: "save", description: "Save" },
  { keys: "Mod-Shift-s", action: "save-as", description: "Save as…" },
  { keys: "Mod-n", action: "new-window", description: "New notebook window" },
  { keys: "Mod-o", action: "open", description: "Open a notebook" },
  { keys: "Mod-w", action: "close", description: "Close the window" },
  { keys: "Mod-f", action: "find", description: "Find in the notebook" },
  { keys: "Mod-h", action: "find-replace", description: "Find and replace in the notebook" },
  { keys: "F3", action: "find-next", description: "Next match" },
  { keys: "Shift-F3", action: "find-previous", description: "Previous match" },
  { keys: "Mod-Shift-o", action: "outline", description: "Show or hide the outline" },
  { keys: "Mod-,", action: "settings", description: "Settings (theme, font size, line numbers, kernels)" },
  { keys: "Mod-Shift-h", action: "history", description: "Show or hide the history (timeline, compare, restore)" },
];

/** The first key bound to `action` in `table`, to show beside a menu item or button. */
export function keysFor(action: Action, table: readonly Shortcut[] = COMMAND_SHORTCUTS): string | undefined {
  return table.find((shortcut) => shortcut.action === action)?.keys;
}

/** The fields of a KeyboardEvent that name a keystroke. */
export interface KeyStroke {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly altKey: boolean;
  readonly shiftKey: boolean;
}

const MODIFIER_KEYS: ReadonlySet<string> = new Set(["Shift", "Control", "Alt", "Meta", "AltGraph"]);

/**
 * A keystroke in the tables' notation, or null for a lone modifier. Ctrl and Cmd are both
 * "Mod"; a letter is named in lower case whatever Shift or Caps Lock did to it.
 */
export function strokeName(stroke: KeyStroke): string | null {
  if (MODIFIER_KEYS.has(stroke.key) || stroke.key === "") {
    return null;
  }
  const base = stroke.key.length === 1 ? stroke.key.toLowerCase() : stroke.key;
  const mod = stroke.ctrlKey || stroke.metaKey ? "Mod-" : "";
  const alt = stroke.altKey ? "Alt-" : "";
  const shift = stroke.shiftKey ? "Shift-" : "";
  return `${mod}${alt}${shift}${base}`;
}

/** A key or sequence as people read it: "D D", "Ctrl/Cmd-Shift-Minus". */
export function describeKeys(keys: string): string {
  return keys
    .split(" ")
    .map((stroke) => {
      const parts = stroke.split(/-(?!$)/);
      return parts
        .map((part) => {
          if (part === "Mod") {
            return "Ctrl/Cmd";
          }
          if (part === "-") {
            return "Minus";
          }
          if (part === "ArrowUp") {
            return "↑";
          }
          if (part === "ArrowDown") {
            return "↓";
          }
          return part.length === 1 ? part.toUpperCase() : part;
        })
        .join("-");
    })
    .join(" ");
}

export type KeyResult =
  | { readonly kind: "action"; readonly action: Action }
  | { readonly kind: "pending" }
  | { readonly kind: "none" };

/**
 * Matches keystrokes against a table whose entries may be two-key sequences: the first
 * key of a sequence is held for `timeoutMs`, and any other key cancels it.
 */
export class KeySequencer {
  readonly #bindings: ReadonlyMap<string, Action>;
  readonly #prefixes: ReadonlySet<string>;
  readonly #timeoutMs: number;
  #pending: { readonly stroke: string; readonly at: number } | null = null;

  constructor(shortcuts: readonly Shortcut[], timeoutMs = 1000) {
    this.#bindings = new Map(shortcuts.map((shortcut) => [shortcut.keys, shortcut.action]));
    this.#prefixes = new Set(
      shortcuts.filter((s) => s.keys.includes(" ")).map((s) => s.keys.split(" ")[0] ?? ""),
    );
    this.#timeoutMs = timeoutMs;
  }

  /** Feed one keystroke (named by `strokeName`) pressed at time `now` (milliseconds). */
  press(stroke: string, now: number): KeyResult {
    const pending = this.#pending;
    this.#pending = null;
    if (pending !== null && now - pending.at <= this.#timeoutMs) {
      const action = this.#bindings.get(`${pending.stroke} ${stroke}`);
      if (action !== undefined) {
        return { kind: "action", action };
      }
    }
    const action = this.#bindings.get(stroke);
    if (action !== undefined) {
      return { kind: "action", action };
    }
    if (this.#prefixes.has(stroke)) {
      this.#pending = { stroke, at: now };
      return { kind: "pending" };
    }
    return { kind: "none" };
  }

  /** Forget a half-typed sequence (the mode changed). */
  reset(): void {
    this.#pending = null;
  }
}
