/**
 * Asks before nbdesk changes an environment: "install ipykernel into <python>?". Nothing
 * is installed unless the user presses Install; Escape and Cancel (which has the focus
 * first) decline. Hooks: `dialog[data-consent]`, `[data-consent-accept]`,
 * `[data-consent-decline]`.
 */

import { h } from "./dom.ts";
import { openModal, trapFocus } from "./modal.ts";

export class ConsentDialog {
  readonly element: HTMLDialogElement;
  readonly #text: HTMLElement;
  readonly #accept: HTMLButtonElement;
  readonly #decline: HTMLButtonElement;
  readonly #fallbackFocus: () => void;
  #answer: ((agreed: boolean) => void) | null = null;

  constructor(fallbackFocus: () => void) {
    this.#fallbackFocus = fallbackFocus;
    this.#text = h("p", { id: "consent-text" });
    this.#accept = h("button", { type: "button", "data-consent-accept": "" }, "Install ipykernel");
    this.#decline = h("button", { type: "button", "data-consent-decline": "" }, "Cancel");
    this.element = h(
      "dialog",
      {
        class: "consent",
        role: "alertdialog",
        "aria-labelledby": "consent-title",
        "aria-describedby": "consent-text",
        "data-consent": "",
      },
      h("h2", { id: "consent-title" }, "Install ipykernel?"),
      this.#text,
      h("div", { class: "dialog-buttons" }, this.#decline, this.#accept),
    );
    trapFocus(this.element);
    this.#accept.addEventListener("click", () => this.#finish(true));
    this.#decline.addEventListener("click", () => this.#finish(false));
    this.element.addEventListener("close", () => this.#finish(false));
  }

  /** True when the user agrees to install ipykernel into the environment of `python`. */
  askInstallIpykernel(python: string): Promise<boolean> {
    this.#finish(false);
    this.#text.textContent =
      `To run a kernel there, nbdesk needs to install ipykernel (with uv) into the Python ` +
      `environment of ${python}. Nothing is installed unless you agree.`;
    this.#accept.title = `Install ipykernel into ${python}`;
    return new Promise((resolve) => {
      this.#answer = resolve;
      openModal(this.element, this.#decline, this.#fallbackFocus);
    });
  }

  #finish(agreed: boolean): void {
    const answer = this.#answer;
    this.#answer = null;
    if (this.element.open) {
      this.element.close();
    }
    answer?.(agreed);
  }
}
