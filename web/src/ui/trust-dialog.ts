/**
 * The question nbdesk asks before it installs a notebook's packages: a modal dialog that
 * lists every package, highlights names one or two edits from popular packages with the
 * daemon's explanation, and offers "Approve and install" and "Open without installing"
 * (Escape, and the button that has the focus first). Approving shows the build's progress
 * here until the kernel runs in the new environment (or in the background, when the user
 * hides it); a failure stays on screen with what to do next. When the list changed after it was drawn (the daemon refuses the approval
 * with `trust_changed`, or a new `trust_state` arrives) the dialog redraws the new list
 * and says so.
 *
 * This module draws and reports; trust.ts decides when it shows and what the answers do.
 * Hooks: `dialog[data-trust-dialog]` (with `data-status` and `data-stage`: `asking`,
 * `installing` or `failed`), `[data-trust-packages] li[data-package]` (with
 * `data-flagged`), `[data-trust-flag]`, `[data-trust-changed]`, `[data-trust-error]`,
 * `[data-trust-approve]`, `[data-trust-decline]`.
 */

import type { EnvProgress, TrustState } from "../protocol/wire.gen.ts";
import { BuildLog } from "./build-log.ts";
import { h } from "./dom.ts";
import { openModal, trapFocus } from "./modal.ts";
import { flagsByPackage } from "./requirements.ts";

export type TrustStage = "asking" | "installing" | "failed";

export interface TrustAnswers {
  approve(state: TrustState): void;
  /** The dialog closed without approval (the button, Escape, or closing a failure). */
  declined(state: TrustState): void;
}

function heading(state: TrustState): string {
  return state.status === "signature_invalid"
    ? "This notebook's packages changed"
    : "Install this notebook's packages?";
}

function explanation(state: TrustState): string {
  const count = state.dependencies.length === 1 ? "one package" : `${state.dependencies.length} packages`;
  if (state.status === "signature_invalid") {
    return (
      `The packages this notebook lists were changed outside nbdesk after they were approved ` +
      `here. Nothing new is installed until you approve the list below (${count}).`
    );
  }
  return (
    `This notebook asks for ${count} in its own environment. They have not been approved on ` +
    "this machine, so nothing has been installed. Installing a package runs its code: " +
    "approve only packages you expect."
  );
}

/** The second button: declines while asking, hides an install under way, closes a failure. */
const DECLINE_LABEL: Readonly<Record<TrustStage, string>> = {
  asking: "Open without installing",
  installing: "Continue in the background",
  failed: "Close",
};

export class TrustDialog {
  readonly element: HTMLDialogElement;
  readonly #answers: TrustAnswers;
  readonly #fallbackFocus: () => void;
  readonly #title: HTMLElement;
  readonly #text: HTMLElement;
  readonly #changed: HTMLElement;
  readonly #packages: HTMLElement;
  readonly #otherFlags: HTMLElement;
  readonly #error: HTMLElement;
  readonly #approve: HTMLButtonElement;
  readonly #decline: HTMLButtonElement;
  readonly #build = new BuildLog("Installer output");
  #state: TrustState | null = null;
  #stage: TrustStage = "asking";

  constructor(answers: TrustAnswers, fallbackFocus: () => void) {
    this.#answers = answers;
    this.#fallbackFocus = fallbackFocus;
    this.#title = h("h2", { id: "trust-title" });
    this.#text = h("p", { id: "trust-text" });
    this.#changed = h("p", { class: "trust-changed", role: "alert", "data-trust-changed": "" });
    this.#packages = h("ul", {
      class: "trust-packages",
      "aria-label": "Packages to install",
      "data-trust-packages": "",
    });
    this.#otherFlags = h("ul", { class: "trust-other-flags" });
    this.#error = h("p", { class: "trust-error", role: "alert", "data-trust-error": "" });
    this.#approve = h("button", { type: "button", class: "primary", "data-trust-approve": "" }, "Approve and install");
    this.#decline = h("button", { type: "button", "data-trust-decline": "" }, "Open without installing");
    this.element = h(
      "dialog",
      {
        class: "trust-dialog",
        "aria-labelledby": "trust-title",
        "aria-describedby": "trust-text",
        "data-trust-dialog": "",
      },
      this.#title,
      this.#text,
      this.#changed,
      this.#packages,
      this.#otherFlags,
      this.#build.element,
      this.#error,
      h("div", { class: "dialog-buttons" }, this.#decline, this.#approve),
    );
    trapFocus(this.element);
    this.#approve.addEventListener("click", () => {
      if (this.#state !== null && this.#stage === "asking") {
        this.#answers.approve(this.#state);
      }
    });
    this.#decline.addEventListener("click", () => this.element.close());
    this.element.addEventListener("close", () => {
      if (this.#state !== null && this.#stage !== "installing") {
        this.#answers.declined(this.#state);
      }
    });
  }

  get isOpen(): boolean {
    return this.element.open;
  }

  /** The list the dialog shows now (null before it first showed one). */
  get state(): TrustState | null {
    return this.#state;
  }

  get stage(): TrustStage {
    return this.#stage;
  }

  /**
   * Ask about `state`'s packages. `changed` says the list is not the one the user saw
   * a moment ago (the dialog says so, and the focus goes back to the safe answer).
   */
  ask(state: TrustState, changed: boolean): void {
    this.#state = state;
    this.#setStage("asking");
    this.#title.textContent = heading(state);
    this.#text.textContent = explanation(state);
    this.#changed.textContent = changed
      ? "The list changed while this was open: check it again before you approve."
      : "";
    this.#error.textContent = "";
    this.#drawPackages(state);
    this.element.dataset["status"] = state.status;
    openModal(this.element, this.#decline, this.#fallbackFocus);
  }

  /** The approval went through: the build's progress from here. */
  installing(note: string): void {
    this.#setStage("installing");
    this.#error.textContent = "";
    this.#build.note(note);
    this.#decline.focus(); // the approve button it had is gone
  }

  progress(event: EnvProgress): void {
    if (this.element.open) {
      this.#build.progress(event);
    }
  }

  /** The approval or the install failed: say why and what to do; Close declines. */
  failed(message: string): void {
    this.#setStage("failed");
    this.#error.textContent = message;
    this.#decline.focus();
  }

  close(): void {
    if (this.element.open) {
      this.element.close();
    }
  }

  #setStage(stage: TrustStage): void {
    this.#stage = stage;
    this.element.dataset["stage"] = stage;
    this.#approve.hidden = stage !== "asking";
    this.#decline.textContent = DECLINE_LABEL[stage];
    this.element.setAttribute("aria-busy", String(stage === "installing"));
    if (stage === "asking") {
      this.#build.element.hidden = true;
    }
  }

  #drawPackages(state: TrustState): void {
    const flags = flagsByPackage(state.dependencies, state.flagged);
    this.#packages.replaceChildren(
      ...state.dependencies.map((dependency) => {
        const notes = flags.get(dependency) ?? [];
        const item = h(
          "li",
          { "data-package": dependency, "data-flagged": notes.length > 0 },
          h("code", { class: "trust-package" }, dependency),
        );
        if (notes.length > 0) {
          item.append(
            h("strong", { class: "trust-flag-mark" }, "Check this name"),
            ...notes.map((note) => h("span", { class: "trust-flag", "data-trust-flag": "" }, note)),
          );
        }
        return item;
      }),
    );
    const others = flags.get("") ?? [];
    this.#otherFlags.replaceChildren(
      ...others.map((note) => h("li", { class: "trust-flag", "data-trust-flag": "" }, note)),
    );
    this.#otherFlags.hidden = others.length === 0;
  }
}
