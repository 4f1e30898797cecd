/**
 * The keyboard shortcuts panel (H in command mode): a modal `<dialog>` listing
 * shortcut-sections.ts (keymap.ts's tables, as the README does), so it cannot drift
 * from what the keys do, and the settings for the questions before destructive actions
 * (question-settings.ts). Escape or H closes it and the focus returns where it was.
 * Hook: `dialog.shortcuts-help[data-shortcuts-help]`.
 */

import { h } from "./dom.ts";
import { describeKeys } from "./keymap.ts";
import type { QuestionSettings } from "./question-settings.ts";
import { SHORTCUT_SECTIONS, type ShortcutSection } from "./shortcut-sections.ts";

function table({ title, rows }: ShortcutSection): HTMLElement {
  return h(
    "section",
    {},
    h("h3", {}, title),
    h(
      "table",
      {},
      h(
        "tbody",
        {},
        ...rows.map((row) =>
          h("tr", {}, h("td", {}, h("kbd", {}, describeKeys(row.keys))), h("td", {}, row.description)),
        ),
      ),
    ),
  );
}

export class ShortcutsHelp {
  readonly element: HTMLDialogElement;
  readonly #questions: QuestionSettings;

  constructor(questions: QuestionSettings) {
    this.#questions = questions;
    // The command-mode table (the longest) on the left, the others beside it.
    const [command, ...others] = SHORTCUT_SECTIONS;
    const columns = [command === undefined ? [] : [command], others];
    const close = h("button", { type: "button", class: "close", "data-help-close": "" }, "Close");
    close.addEventListener("click", () => this.close());
    this.element = h(
      "dialog",
      { class: "shortcuts-help", "data-shortcuts-help": "", "aria-label": "Keyboard shortcuts" },
      h("header", {}, h("h2", {}, "Keyboard shortcuts"), close),
      h("div", { class: "columns" }, ...columns.map((column) => h("div", {}, ...column.map(table)))),
      questions.element,
    );
    this.element.addEventListener("keydown", (event) => {
      if (event.key === "h" || event.key === "H") {
        event.preventDefault();
        this.close();
      }
    });
  }

  get isOpen(): boolean {
    return this.element.open;
  }

  toggle(): void {
    if (this.isOpen) {
      this.close();
    } else {
      void this.#questions.refresh();
      this.element.showModal();
    }
  }

  close(): void {
    this.element.close();
  }
}
