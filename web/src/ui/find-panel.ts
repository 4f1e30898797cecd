/**
 * The find and replace bar's controls: what the user asks for and the buttons that act.
 * It owns the DOM and its keys, not the search (notebook-find.ts listens and acts).
 *
 * Every control is named in words (`aria-label`), toggles show their state with
 * `aria-pressed`, the count is a polite live region, and an invalid regular expression
 * marks the field `aria-invalid` and says why in the count's place.
 * Hooks: `.find-panel[data-find-panel]`, `[data-find=query|replace|…]`, `[data-find-count]`.
 */

import { h } from "./dom.ts";
import type { FindQuery } from "./find-query.ts";
import type { SearchScope } from "./find-matches.ts";

/** Keys inside the bar (the help panel lists them with the notebook's). */
export const FIND_PANEL_KEYS: readonly { readonly keys: string; readonly description: string }[] = [
  { keys: "Enter", description: "Next match (in Replace: replace this match)" },
  { keys: "Shift-Enter", description: "Previous match" },
  { keys: "Alt-c", description: "Match case on or off" },
  { keys: "Alt-w", description: "Whole word on or off" },
  { keys: "Alt-r", description: "Regular expression on or off" },
  { keys: "Escape", description: "Close find, back where you were" },
];

export interface FindPanelEvents {
  /** The query or its options changed. */
  changed(): void;
  next(): void;
  previous(): void;
  replace(): void;
  replaceAll(): void;
  undoReplace(): void;
  close(): void;
}

type Toggle = "caseSensitive" | "wholeWord" | "regex";

/** By physical key, so Alt-C works where Alt turns "c" into another letter (macOS). */
const TOGGLE_KEYS: ReadonlyMap<string, Toggle> = new Map<string, Toggle>([
  ["KeyC", "caseSensitive"],
  ["KeyW", "wholeWord"],
  ["KeyR", "regex"],
]);

export class FindPanel {
  readonly element: HTMLElement;
  readonly #query: HTMLInputElement;
  readonly #replacement: HTMLInputElement;
  readonly #count: HTMLElement;
  readonly #replaceRow: HTMLElement;
  readonly #replaceToggle: HTMLButtonElement;
  readonly #undo: HTMLButtonElement;
  readonly #toggles = new Map<Toggle, HTMLButtonElement>();
  readonly #outputs: HTMLInputElement;
  readonly #rendered: HTMLInputElement;

  constructor(events: FindPanelEvents) {
    const button = (name: string, label: string, text: string, act: () => void): HTMLButtonElement => {
      const element = h("button", { type: "button", "data-find": name, "aria-label": label, title: label }, text);
      element.addEventListener("click", act);
      return element;
    };
    const toggle = (name: Toggle, label: string, text: string): HTMLButtonElement => {
      const element = button(name, label, text, () => this.#flip(name, events));
      element.setAttribute("aria-pressed", "false");
      this.#toggles.set(name, element);
      return element;
    };
    const checkbox = (name: string, label: string): [HTMLInputElement, HTMLElement] => {
      const input = h("input", { type: "checkbox", "data-find": name });
      input.addEventListener("change", () => events.changed());
      return [input, h("label", { class: "find-option" }, input, label)];
    };
    this.#query = h("input", {
      type: "text",
      "data-find": "query",
      "aria-label": "Find",
      placeholder: "Find",
      spellcheck: "false",
    });
    this.#query.addEventListener("input", () => events.changed());
    this.#replacement = h("input", {
      type: "text",
      "data-find": "replace",
      "aria-label": "Replace with",
      placeholder: "Replace",
      spellcheck: "false",
    });
    this.#count = h("span", { class: "find-count", "data-find-count": "", role: "status", "aria-live": "polite" });
    this.#replaceToggle = button("toggle-replace", "Show replace", "⇄", () => this.showReplace(this.#replaceRow.hidden));
    this.#replaceToggle.setAttribute("aria-expanded", "false");
    this.#undo = button("undo-replace", "Undo replace", "Undo replace", () => events.undoReplace());
    this.#undo.hidden = true;
    const [outputs, outputsLabel] = checkbox("outputs", "Outputs");
    const [rendered, renderedLabel] = checkbox("rendered", "Rendered markdown");
    this.#outputs = outputs;
    this.#rendered = rendered;
    this.#replaceRow = h(
      "div",
      { class: "find-row", "data-find-replace-row": "", hidden: true },
      this.#replacement,
      button("replace-one", "Replace this match", "Replace", () => events.replace()),
      button("replace-all", "Replace all matches", "Replace all", () => events.replaceAll()),
      this.#undo,
    );
    this.element = h(
      "div",
      { class: "find-panel", role: "search", "aria-label": "Find in notebook", "data-find-panel": "", hidden: true },
      h(
        "div",
        { class: "find-row" },
        this.#replaceToggle,
        this.#query,
        toggle("caseSensitive", "Match case", "Aa"),
        toggle("wholeWord", "Whole word", "W"),
        toggle("regex", "Regular expression", ".*"),
        this.#count,
        button("previous", "Previous match", "↑", () => events.previous()),
        button("next", "Next match", "↓", () => events.next()),
        outputsLabel,
        renderedLabel,
        button("close", "Close find", "✕", () => events.close()),
      ),
      this.#replaceRow,
    );
    this.element.addEventListener("keydown", (event) => this.#onKey(event, events));
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  get query(): FindQuery {
    return {
      text: this.#query.value,
      caseSensitive: this.#pressed("caseSensitive"),
      wholeWord: this.#pressed("wholeWord"),
      regex: this.#pressed("regex"),
    };
  }

  get scope(): SearchScope {
    return { outputs: this.#outputs.checked, renderedMarkdown: this.#rendered.checked };
  }

  get replacement(): string {
    return this.#replacement.value;
  }

  /** Show the bar and put the caret in the find field (`text` replaces the query). */
  open(text: string | null): void {
    this.element.hidden = false;
    if (text !== null) {
      this.#query.value = text;
    }
    this.#query.focus();
    this.#query.select();
  }

  hide(): void {
    this.element.hidden = true;
  }

  showReplace(shown: boolean): void {
    this.#replaceRow.hidden = !shown;
    this.#replaceToggle.setAttribute("aria-expanded", String(shown));
    this.#replaceToggle.setAttribute("aria-label", shown ? "Hide replace" : "Show replace");
    this.#replaceToggle.title = shown ? "Hide replace" : "Show replace";
    if (shown) {
      this.#replacement.focus();
      this.#replacement.select();
    }
  }

  /** "3 of 17", "No matches", or why the query cannot run. */
  showCount(text: string, invalid: boolean): void {
    this.#count.textContent = text;
    this.#count.toggleAttribute("data-invalid", invalid);
    this.#query.setAttribute("aria-invalid", String(invalid));
  }

  /** Offer (or stop offering) to undo the last replace. */
  offerUndo(count: number): void {
    this.#undo.hidden = count === 0;
    this.#undo.setAttribute("aria-label", count === 0 ? "Undo replace" : `Undo replace (${count} replaced)`);
  }

  #pressed(name: Toggle): boolean {
    return this.#toggles.get(name)?.getAttribute("aria-pressed") === "true";
  }

  #flip(name: Toggle, events: FindPanelEvents): void {
    this.#toggles.get(name)?.setAttribute("aria-pressed", String(!this.#pressed(name)));
    events.changed();
  }

  #onKey(event: KeyboardEvent, events: FindPanelEvents): void {
    const mod = event.ctrlKey || event.metaKey;
    if (event.key === "Escape") {
      events.close();
    } else if (event.key === "Enter" && !mod && !event.altKey && event.target === this.#replacement) {
      events.replace();
    } else if (event.key === "Enter" && !mod && !event.altKey && event.target === this.#query) {
      if (event.shiftKey) {
        events.previous();
      } else {
        events.next();
      }
    } else if (event.altKey && !mod && TOGGLE_KEYS.has(event.code)) {
      const name = TOGGLE_KEYS.get(event.code);
      if (name !== undefined) {
        this.#flip(name, events);
      }
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }
}
