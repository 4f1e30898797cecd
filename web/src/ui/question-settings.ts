/**
 * The settings that turn the questions before destructive actions back on (or off): one
 * checkbox per question, read from the user's preferences each time the panel shows
 * and written on each change (confirm-dialog.ts's store, kept by the daemon). Shown in
 * the settings page and the keyboard shortcuts panel. Hook: `[data-question-settings]`, checkboxes
 * `input[data-question=…]`.
 */

import { type Question, QuestionValues } from "../protocol/wire.gen.ts";
import type { QuestionPreferences } from "./confirm-dialog.ts";
import { h } from "./dom.ts";

const LABELS: Readonly<Record<Question, string>> = {
  restart: "Ask before restarting the kernel",
  delete_cells: "Ask before deleting several cells",
};

export class QuestionSettings {
  readonly element: HTMLElement;
  readonly #preferences: QuestionPreferences;
  readonly #boxes: ReadonlyMap<Question, HTMLInputElement>;

  constructor(preferences: QuestionPreferences) {
    this.#preferences = preferences;
    const boxes = new Map<Question, HTMLInputElement>();
    const rows = QuestionValues.map((question) => {
      const box = h("input", { type: "checkbox", "data-question": question });
      box.addEventListener("change", () => void this.#change(question, box));
      boxes.set(question, box);
      return h("label", {}, box, ` ${LABELS[question]}`);
    });
    this.#boxes = boxes;
    this.element = h(
      "section",
      { class: "question-settings", "data-question-settings": "" },
      h("h3", {}, "Questions"),
      ...rows,
    );
  }

  /** Show the preferences as they are now (another window may have changed them). */
  async refresh(): Promise<void> {
    try {
      this.#show(await this.#preferences.questionsOff());
    } catch (error) {
      this.#preferences.failed("Reading your preferences", error);
    }
  }

  #show(off: readonly Question[]): void {
    for (const [question, box] of this.#boxes) {
      box.checked = !off.includes(question);
    }
  }

  async #change(question: Question, box: HTMLInputElement): Promise<void> {
    try {
      this.#show(await this.#preferences.setAsked(question, box.checked));
    } catch (error) {
      this.#preferences.failed("Changing your preferences", error);
      await this.refresh();
    }
  }
}
