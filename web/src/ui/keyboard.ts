/**
 * The window's keyboard: which mode it is in, and the keys that act outside the editors.
 *
 * Edit mode is "an editor has the focus"; command mode is everything else, with the focus
 * parked on the notebook element so keys reach the window. `#app[data-mode]` shows the
 * mode. Global keys (save, open…) work in both modes; command keys only when no editor
 * or other control owns the keystroke. Edit-mode keys are bound inside CodeMirror
 * (editor.ts), from the same tables (keymap.ts).
 */

import type { Action } from "../actions.ts";
import {
  COMMAND_SHORTCUTS,
  GLOBAL_SHORTCUTS,
  KeySequencer,
  type Mode,
  strokeName,
} from "./keymap.ts";

/** Elements that keep their own keystrokes: editors, form controls, open dialogs, panels. */
const OWNS_KEYS =
  ".cm-editor, input, textarea, select, button, a[href], [contenteditable], dialog[open], iframe, [data-owns-keys]";

function ownsKeys(target: EventTarget | null): boolean {
  return target instanceof Element && target.closest(OWNS_KEYS) !== null;
}

function isEditor(target: EventTarget | null): boolean {
  return target instanceof Element && target.closest(".cm-editor") !== null;
}

export class Keyboard {
  readonly #root: HTMLElement;
  readonly #home: HTMLElement;
  readonly #perform: (action: Action) => void;
  readonly #sequencer = new KeySequencer(COMMAND_SHORTCUTS);
  readonly #global = new Map(GLOBAL_SHORTCUTS.map((shortcut) => [shortcut.keys, shortcut.action]));

  /** `home` takes the focus in command mode; `perform` runs a shortcut's action. */
  constructor(root: HTMLElement, home: HTMLElement, perform: (action: Action) => void) {
    this.#root = root;
    this.#home = home;
    this.#perform = perform;
    home.tabIndex = -1;
    window.addEventListener("keydown", (event) => this.#onKey(event));
    document.addEventListener("focusin", (event) => this.#showMode(isEditor(event.target)));
    document.addEventListener("focusout", (event) => this.#showMode(isEditor(event.relatedTarget)));
    this.#showMode(false);
  }

  get mode(): Mode {
    return isEditor(document.activeElement) ? "edit" : "command";
  }

  /** Leave any editor: the focus goes to the notebook, so keys act on cells. */
  enterCommandMode(): void {
    this.#home.focus({ preventScroll: true });
  }

  #showMode(editing: boolean): void {
    const mode: Mode = editing ? "edit" : "command";
    if (this.#root.dataset["mode"] !== mode) {
      this.#root.dataset["mode"] = mode;
      this.#sequencer.reset();
    }
  }

  #onKey(event: KeyboardEvent): void {
    const stroke = strokeName(event);
    if (stroke === null || event.isComposing) {
      return;
    }
    const global = this.#global.get(stroke);
    if (global !== undefined) {
      event.preventDefault();
      this.#perform(global);
      return;
    }
    if (event.defaultPrevented || ownsKeys(event.target)) {
      this.#sequencer.reset();
      return;
    }
    const result = this.#sequencer.press(stroke, event.timeStamp);
    if (result.kind === "none") {
      return;
    }
    event.preventDefault();
    if (result.kind === "action") {
      this.#perform(result.action);
    }
  }
}
