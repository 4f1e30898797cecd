/**
 * Consent before install, in the page: follows the daemon's `trust_state` and decides when
 * the trust dialog (trust-dialog.ts) asks, what its answers do, and when the notice above
 * the notebook says which packages are missing. The daemon enforces trust; this only asks.
 *
 * - A list not approved here (`untrusted`, or `signature_invalid` after an edit outside
 *   nbdesk) opens the dialog, once per list: declining it keeps the notice up (with
 *   "Review packages…" to ask again) until the list is approved or changes.
 * - "Approve and install" sends `approve_trust` with the digest of the list shown and the
 *   document heads it was drawn from, then restarts the kernel so the environment is
 *   built. A `trust_changed` refusal fetches the new list and asks again, saying so.
 * - Another window approving (`trusted` arrives) closes a dialog that was only asking.
 *
 * Hooks: `[data-trust-notice]` (hidden unless packages are missing) and its button
 * `[data-notice-action=review]`.
 */

import { ResponseError } from "../protocol/requests.ts";
import type { EnvProgress, TrustState } from "../protocol/wire.gen.ts";
import { errorMessage } from "../util/guards.ts";
import { h } from "./dom.ts";
import { TrustDialog } from "./trust-dialog.ts";

export interface TrustRequests {
  /** The document heads the page holds now (the list shown was drawn from them). */
  heads(): string[];
  approve(digest: string, heads: string[]): Promise<TrustState>;
  get(): Promise<TrustState>;
  /** Restart the kernel, so it starts in the notebook's (now approved) environment. */
  restart(): Promise<unknown>;
  message(text: string, kind?: "info" | "error"): void;
}

/** True when the notebook lists packages that may not be installed here yet. */
export function needsApproval(state: TrustState): boolean {
  return (
    (state.status === "untrusted" || state.status === "signature_invalid") && state.dependencies.length > 0
  );
}

export class Trust {
  readonly dialog: TrustDialog;
  readonly notice: HTMLElement;
  /** One text and one button, kept across redraws so a focused button keeps the focus. */
  readonly #noticeText: HTMLElement;
  readonly #review: HTMLElement;
  readonly #requests: TrustRequests;
  #state: TrustState | null = null;
  /** The heads the dialog's list was drawn from. */
  #shownHeads: string[] = [];
  /** The list this window declined: not asked about again until it changes. */
  #declined: string | null = null;
  #listeners: ((state: TrustState) => void)[] = [];

  constructor(requests: TrustRequests, fallbackFocus: () => void) {
    this.#requests = requests;
    this.dialog = new TrustDialog(
      {
        approve: (state) => void this.#approve(state),
        declined: (state) => {
          this.#declined = state.digest;
          this.#showNotice();
        },
      },
      fallbackFocus,
    );
    this.#noticeText = h("span", {});
    this.#review = h("button", { type: "button", "data-notice-action": "review" }, "Review packages…");
    this.#review.addEventListener("click", () => this.review());
    this.notice = h(
      "div",
      { class: "kernel-notice trust-notice", role: "status", "data-trust-notice": "" },
      this.#noticeText,
      this.#review,
    );
    this.notice.hidden = true;
  }

  get state(): TrustState | null {
    return this.#state;
  }

  /** Be told of every trust state (the dependencies panel shows it too). */
  onChange(listener: (state: TrustState) => void): void {
    this.#listeners.push(listener);
  }

  /** A `trust_state` from the daemon (on joining, and whenever it changes). */
  update(state: TrustState): void {
    this.#state = state;
    for (const listener of this.#listeners) {
      listener(state);
    }
    if (!needsApproval(state)) {
      if (this.dialog.isOpen && this.dialog.stage === "asking") {
        this.dialog.close(); // approved elsewhere, or nothing left to install
      }
      this.#declined = null;
      this.#showNotice();
      return;
    }
    if (this.dialog.isOpen) {
      const shown = this.dialog.state;
      if (this.dialog.stage !== "installing" && shown?.digest !== state.digest) {
        this.#ask(state, true);
      }
    } else if (this.#declined !== state.digest) {
      this.#ask(state, false);
    }
    this.#showNotice();
  }

  /** Ask again about the current list ("Review packages…"). */
  review(): void {
    if (this.#state !== null && needsApproval(this.#state)) {
      this.#ask(this.#state, false);
    }
  }

  progress(event: EnvProgress): void {
    this.dialog.progress(event);
  }

  #ask(state: TrustState, changed: boolean): void {
    this.#shownHeads = this.#requests.heads();
    this.dialog.ask(state, changed);
    this.#showNotice();
  }

  async #approve(state: TrustState): Promise<void> {
    this.dialog.installing("Approving…");
    let approved: TrustState;
    try {
      approved = await this.#requests.approve(state.digest, this.#shownHeads);
    } catch (error: unknown) {
      if (error instanceof ResponseError && error.code === "trust_changed") {
        await this.#askAgain();
      } else {
        this.#fail(
          `Could not approve the packages: ${errorMessage(error)}. Nothing was installed; close this ` +
            "and try again from “Review packages…”.",
        );
      }
      return;
    }
    this.update(approved);
    this.dialog.installing("Approved. Installing the packages and starting the kernel in their environment…");
    try {
      await this.#requests.restart();
    } catch (error: unknown) {
      this.#fail(
        `The kernel could not start in the notebook's environment: ${errorMessage(error)}. ` +
          "Fix the list in Dependencies (Kernel menu), then restart the kernel.",
      );
      return;
    }
    this.dialog.close();
    this.#requests.message("The notebook's packages are installed; the kernel runs in their environment");
  }

  /** The daemon refused the approval because the list changed: show the new one. */
  async #askAgain(): Promise<void> {
    let current: TrustState;
    try {
      current = await this.#requests.get();
    } catch (error: unknown) {
      this.#fail(`The list changed, and the new one could not be read: ${errorMessage(error)}`);
      return;
    }
    this.#state = current;
    if (needsApproval(current)) {
      this.#ask(current, true);
    } else {
      this.update(current);
    }
  }

  /** In the dialog when it is on screen, else in the status line (hidden while installing). */
  #fail(text: string): void {
    if (this.dialog.isOpen) {
      this.dialog.failed(text);
    } else {
      this.#requests.message(text, "error");
    }
  }

  #showNotice(): void {
    const state = this.#state;
    if (state === null || !needsApproval(state) || this.dialog.isOpen) {
      this.notice.hidden = true;
      this.#noticeText.textContent = "";
      return;
    }
    const why = state.status === "signature_invalid" ? "changed outside nbdesk and not approved again" : "not approved on this machine";
    this.#noticeText.textContent =
      `Not installed: ${state.dependencies.join(", ")} (${why}). ` +
      "The kernel runs on the default environment without them.";
    this.notice.hidden = false;
  }
}
