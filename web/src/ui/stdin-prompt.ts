/**
 * The prompt for a kernel's `input()`: a labelled field under the asking cell's outputs
 * (a password field when the kernel asks for one). Enter sends the answer; the prompt
 * stays, disabled, until the daemon says the wait is over (`input_answered`, which also
 * comes when another window answered or the cell was interrupted), and says why when
 * the answer could not be sent.
 *
 * Hooks: `form.input-prompt[data-input-request=<execution id>]`, its `input` and
 * `[data-input-error]`.
 */

import type { InputRequested } from "../protocol/wire.gen.ts";
import { errorMessage } from "../util/guards.ts";
import { h } from "./dom.ts";

let nextId = 0;

export class InputPrompt {
  readonly element: HTMLFormElement;
  readonly request: InputRequested;
  readonly #field: HTMLInputElement;
  readonly #error: HTMLElement;

  constructor(request: InputRequested, answer: (value: string) => Promise<unknown>) {
    this.request = request;
    nextId += 1;
    const fieldId = `input-prompt-${nextId}`;
    const label = request.prompt.trim() === "" ? "Input requested by the kernel" : request.prompt;
    this.#field = h("input", {
      id: fieldId,
      type: request.password ? "password" : "text",
      autocomplete: "off",
      spellcheck: "false",
    });
    this.#error = h("div", { class: "input-error", role: "alert", "data-input-error": "" });
    this.element = h(
      "form",
      { class: "input-prompt", "data-input-request": request.execution_id },
      h("label", { for: fieldId }, label),
      this.#field,
      this.#error,
    );
    this.element.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#send(answer);
    });
  }

  focus(): void {
    this.#field.focus({ preventScroll: false });
  }

  get hasFocus(): boolean {
    return this.element.contains(document.activeElement);
  }

  #send(answer: (value: string) => Promise<unknown>): void {
    if (this.#field.readOnly) {
      return;
    }
    this.#field.readOnly = true;
    this.#error.textContent = "";
    answer(this.#field.value).catch((error: unknown) => {
      this.#field.readOnly = false;
      this.#error.textContent = `Your answer did not reach the kernel: ${errorMessage(error)}`;
    });
  }
}
