/**
 * The question before a destructive action (restarting the kernel, deleting several
 * cells): a modal dialog that traps the focus, closes on Escape (a "no") and starts on
 * Cancel, with "Don't ask again" to turn that question off. Which questions are off is
 * kept in the page's storage, shared by every window of the app. Hooks: `dialog[data-confirm]`,
 * `[data-confirm-accept]`, `[data-confirm-decline]`, `input[data-confirm-dont-ask]`.
 */

import type { ClipboardStorage } from "./cell-clipboard.ts";
import { h } from "./dom.ts";
import { openModal, trapFocus } from "./modal.ts";

/** The questions the window asks, each of which the user can turn off. */
export type Question = "restart" | "delete-cells";

export interface Asking {
  readonly title: string;
  readonly detail: string;
  /** The confirming button's words ("Restart", "Delete 3 cells"). */
  readonly confirm: string;
}

const OFF_KEY = "nbdesk:questions-off";

export class ConfirmDialog {
  readonly element: HTMLDialogElement;
  readonly #storage: ClipboardStorage | null;
  readonly #title: HTMLElement;
  readonly #text: HTMLElement;
  readonly #accept: HTMLButtonElement;
  readonly #decline: HTMLButtonElement;
  readonly #dontAsk: HTMLInputElement;
  readonly #fallbackFocus: () => void;
  #answer: ((agreed: boolean) => void) | null = null;
  #question: Question | null = null;

  constructor(storage: ClipboardStorage | null, fallbackFocus: () => void) {
    this.#storage = storage;
    this.#fallbackFocus = fallbackFocus;
    this.#title = h("h2", { id: "confirm-title" });
    this.#text = h("p", { id: "confirm-text" });
    this.#accept = h("button", { type: "button", "data-confirm-accept": "" });
    this.#decline = h("button", { type: "button", "data-confirm-decline": "" }, "Cancel");
    this.#dontAsk = h("input", { type: "checkbox", "data-confirm-dont-ask": "" });
    this.element = h(
      "dialog",
      {
        class: "confirm",
        role: "alertdialog",
        "aria-labelledby": "confirm-title",
        "aria-describedby": "confirm-text",
        "data-confirm": "",
      },
      this.#title,
      this.#text,
      h("label", {}, this.#dontAsk, " Don't ask again"),
      h("div", { class: "dialog-buttons" }, this.#decline, this.#accept),
    );
    trapFocus(this.element);
    this.#accept.addEventListener("click", () => this.#finish(true));
    this.#decline.addEventListener("click", () => this.#finish(false));
    this.element.addEventListener("close", () => this.#finish(false));
  }

  /** True when the user confirms, or has turned this question off. */
  ask(question: Question, asking: Asking): Promise<boolean> {
    if (this.isOff(question)) {
      return Promise.resolve(true);
    }
    this.#finish(false);
    this.#question = question;
    this.#title.textContent = asking.title;
    this.#text.textContent = asking.detail;
    this.#accept.textContent = asking.confirm;
    this.#dontAsk.checked = false;
    return new Promise((resolve) => {
      this.#answer = resolve;
      openModal(this.element, this.#decline, this.#fallbackFocus);
    });
  }

  isOff(question: Question): boolean {
    return this.#offQuestions().includes(question);
  }

  #offQuestions(): string[] {
    try {
      const parsed: unknown = JSON.parse(this.#storage?.getItem(OFF_KEY) ?? "[]");
      return Array.isArray(parsed) ? parsed.filter((item) => typeof item === "string") : [];
    } catch {
      return [];
    }
  }

  #finish(agreed: boolean): void {
    const answer = this.#answer;
    const question = this.#question;
    this.#answer = null;
    this.#question = null;
    if (agreed && question !== null && this.#dontAsk.checked) {
      try {
        this.#storage?.setItem(OFF_KEY, JSON.stringify([...new Set([...this.#offQuestions(), question])]));
      } catch {
        // Storage refused: the question is asked again next time, nothing else is lost.
      }
    }
    if (this.element.open) {
      this.element.close();
    }
    answer?.(agreed);
  }
}
