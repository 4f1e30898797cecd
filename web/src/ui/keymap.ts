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
  { keys: "Mod-Enter", action: "run", description: "Run the selected cell" },
  { keys: "Alt-Enter", action: "run-insert", description: "Run and insert a cell below" },
  { keys: "a", action: "add-above", description: "Insert a cell above" },
  { keys: "b", action: "add-below", description: "Insert a cell below" },
  { keys: "d d", action: "delete", description: "Delete the cell" },
  { keys: "z", action: "undo-delete", description: "Undo the last cell deletion" },
  { keys: "c", action: "copy", description: "Copy the cell" },
  { keys: "x", action: "cut", description: "Cut the cell" },
  { keys: "v", action: "paste", description: "Paste cells below" },
  { keys: "m", action: "to-markdown", description: "Make it a markdown cell" },
  { keys: "y", action: "to-code", description: "Make it a code cell" },
  { keys: "r", action: "to-raw", description: "Make it a raw cell" },
  { keys: "k", action: "select-up", description: "Select the cell above" },
  { keys: "ArrowUp", action: "select-up", description: "Select the cell above" },
  { keys: "j", action: "select-down", description: "Select the cell below" },
  { keys: "ArrowDown", action: "select-down", description: "Select the cell below" },
  { keys: "i i", action: "interrupt", description: "Interrupt the kernel" },
  { keys: "0 0", action: "restart", description: "Restart the kernel" },
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
];

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
