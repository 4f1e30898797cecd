/**
 * The question before a destructive action (restarting the kernel, deleting several
 * cells): a modal dialog that traps the focus, closes on Escape (a "no") and starts on
 * Cancel, with "Don't ask again" to turn that question off. Which questions are off is
 * the user's preference, kept by the daemon (`get_preferences`, `set_question_asked`) so
 * it holds in every window and across launches (the page's own storage would not: the
 * shell serves it from a new port each launch); it is read at each question, so a
 * change in one window holds in all. When it cannot be read, the question is asked
 * (the safe answer) and the reason shown. Hooks: `dialog[data-confirm]`,
 * `[data-confirm-accept]`, `[data-confirm-decline]`, `input[data-confirm-dont-ask]`.
 */

import type { Question } from "../protocol/wire.gen.ts";
import { h } from "./dom.ts";
import { openModal, trapFocus } from "./modal.ts";

export type { Question };

/** Where the user's answer to "Don't ask again" is kept (the daemon, per user). */
export interface QuestionPreferences {
  /** The questions turned off. */
  questionsOff(): Promise<readonly Question[]>;
  /** Turn one question on (`ask`) or off; the questions now off. */
  setAsked(question: Question, ask: boolean): Promise<readonly Question[]>;
  /** Tell the user a preference could not be read or kept, and why. */
  failed(what: string, error: unknown): void;
}

export interface Asking {
  readonly title: string;
  readonly detail: string;
  /** The confirming button's words ("Restart", "Delete 3 cells"). */
  readonly confirm: string;
}

export class ConfirmDialog {
  readonly element: HTMLDialogElement;
  readonly #preferences: QuestionPreferences;
  readonly #title: HTMLElement;
  readonly #text: HTMLElement;
  readonly #accept: HTMLButtonElement;
  readonly #decline: HTMLButtonElement;
  readonly #dontAsk: HTMLInputElement;
  readonly #fallbackFocus: () => void;
  #answer: ((agreed: boolean) => void) | null = null;
  #question: Question | null = null;

  constructor(preferences: QuestionPreferences, fallbackFocus: () => void) {
    this.#preferences = preferences;
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
  async ask(question: Question, asking: Asking): Promise<boolean> {
    if (await this.isOff(question)) {
      return true;
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

  /** Whether the user turned `question` off; false (ask) when that cannot be read. */
  async isOff(question: Question): Promise<boolean> {
    try {
      return (await this.#preferences.questionsOff()).includes(question);
    } catch (error) {
      this.#preferences.failed("Reading your preferences", error);
      return false;
    }
  }

  #finish(agreed: boolean): void {
    const answer = this.#answer;
    const question = this.#question;
    this.#answer = null;
    this.#question = null;
    if (agreed && question !== null && this.#dontAsk.checked) {
      // Not kept: the question is asked again next time, and the user is told why.
      this.#preferences
        .setAsked(question, false)
        .catch((error: unknown) => this.#preferences.failed("Keeping “Don't ask again”", error));
    }
    if (this.element.open) {
      this.element.close();
    }
    answer?.(agreed);
  }
}
