/**
 * The status line: notebook path and dirty marker, kernel status, connection state and
 * the latest message, with where the kernel runs (kernel-place.ts) beside its status. Hooks: `[data-path]`, `[data-dirty]`, `[data-kernel-status]`,
 * `[data-connection]` (text `connecting`, `connected`, `daemon lost`, `reconnected`,
 * `disconnected` or `failed`), `[data-message]` (with `data-kind=info|error`),
 * `[data-saved-at]` (ISO time of the last save this window saw, empty before one).
 *
 * `banner` is a separate element, shown across the window while the daemon is out of
 * reach (`[data-connection-banner]`, `hidden` otherwise): losing it must not go unseen.
 */

import type { ConnectionState } from "../session.ts";
import { assertNever, errorMessage } from "../util/guards.ts";
import { h } from "./dom.ts";

export function connectionLabel(state: ConnectionState): string {
  switch (state) {
    case "connecting":
      return "connecting";
    case "connected":
      return "connected";
    case "daemon_lost":
      return "daemon lost";
    case "reconnected":
      return "reconnected";
    case "disconnected":
      return "disconnected";
    case "failed":
      return "failed";
    default:
      return assertNever(state);
  }
}

/** What the banner says in each state where the daemon cannot be reached, else null. */
export function connectionProblem(state: ConnectionState): string | null {
  switch (state) {
    case "daemon_lost":
      return "Lost the connection to nbdesk. Reconnecting… Your edits are kept in this window.";
    case "disconnected":
      return "Not connected to nbdesk. Edits made now are kept in this window only.";
    case "failed":
      return "Could not connect to nbdesk.";
    case "connecting":
    case "connected":
    case "reconnected":
      return null;
    default:
      return assertNever(state);
  }
}

function clockTime(date: Date): string {
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export class StatusBar {
  readonly element: HTMLElement;
  readonly banner: HTMLElement;
  readonly #saved: HTMLElement;
  readonly #path: HTMLElement;
  readonly #kernel: HTMLElement;
  readonly #env: HTMLElement;
  readonly #connection: HTMLElement;
  readonly #message: HTMLElement;
  #messageTimer: ReturnType<typeof setTimeout> | null = null;

  /** `kernel`: the elements that say which kernel runs where, shown before its status. */
  constructor(kernel: readonly HTMLElement[] = []) {
    this.#path = h("span", { class: "path", "data-path": "" }, "Untitled");
    this.#kernel = h("span", { class: "kernel-status", "data-kernel-status": "unknown" }, "unknown");
    this.#connection = h("span", { class: "connection", "data-connection": "connecting" }, "connecting");
    this.#env = h("span", { class: "env-status", "data-env": "" });
    this.#message = h("span", { class: "message", "data-message": "", "aria-live": "polite" });
    this.#saved = h("span", { class: "saved-at", "data-saved-at": "" });
    this.banner = h("div", { class: "connection-banner", role: "alert", "data-connection-banner": "" });
    this.banner.hidden = true;
    this.element = h(
      "footer",
      { class: "status" },
      this.#path,
      this.#saved,
      this.#message,
      h("span", { class: "spacer" }),
      this.#env,
      h("span", { class: "label" }, "Kernel:"),
      ...kernel,
      this.#kernel,
      this.#connection,
    );
  }

  setPath(path: string | null, dirty: boolean): void {
    this.#path.textContent = `${path ?? "Untitled"}${dirty ? " •" : ""}`;
    this.#path.dataset["path"] = path ?? "";
    this.#path.toggleAttribute("data-dirty", dirty);
  }

  setSaved(when: Date): void {
    this.#saved.textContent = `saved ${clockTime(when)}`;
    this.#saved.dataset["savedAt"] = when.toISOString();
    this.#saved.title = when.toLocaleString();
  }

  /**
   * The notebook environment: `building`, `ready`, `failed` (its dependencies) or
   * `stale` (the notebook lists other dependencies than the running kernel has).
   */
  setEnvironment(state: "building" | "ready" | "failed" | "stale" | "", text: string): void {
    this.#env.textContent = text;
    this.#env.dataset["env"] = state;
    this.#env.title = text;
  }

  setKernel(status: string): void {
    this.#kernel.textContent = status;
    this.#kernel.dataset["kernelStatus"] = status;
  }

  setConnection(state: ConnectionState): void {
    const label = connectionLabel(state);
    this.#connection.textContent = label;
    this.#connection.dataset["connection"] = label;
    const problem = connectionProblem(state);
    this.banner.hidden = problem === null;
    this.banner.textContent = problem ?? "";
    this.banner.dataset["connectionBanner"] = problem === null ? "" : label;
  }

  /** Show a message; info messages fade after a few seconds, errors stay until replaced. */
  showMessage(text: string, kind: "info" | "error" = "info"): void {
    this.#message.textContent = text;
    this.#message.dataset["kind"] = kind;
    if (this.#messageTimer !== null) {
      clearTimeout(this.#messageTimer);
      this.#messageTimer = null;
    }
    if (kind === "info") {
      this.#messageTimer = setTimeout(() => {
        this.#message.textContent = "";
        this.#messageTimer = null;
      }, 4000);
    }
  }

  /** Report that `what` (a request, an edit) failed, as an error message. */
  showFailure(what: string, error: unknown): void {
    this.showMessage(`${what} failed: ${errorMessage(error)}`, "error");
  }
}
