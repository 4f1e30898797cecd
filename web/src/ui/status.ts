/**
 * The status line: notebook path and dirty marker, kernel status, connection state and
 * the latest message. Hooks: `[data-path]`, `[data-dirty]`, `[data-kernel-status]`,
 * `[data-connection]` (text `connecting`, `connected`, `daemon lost`, `reconnected`,
 * `disconnected` or `failed`), `[data-message]` (with `data-kind=info|error`).
 */

import type { ConnectionState } from "../session.ts";
import { assertNever } from "../util/guards.ts";
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

export class StatusBar {
  readonly element: HTMLElement;
  readonly #path: HTMLElement;
  readonly #kernel: HTMLElement;
  readonly #connection: HTMLElement;
  readonly #message: HTMLElement;
  #messageTimer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    this.#path = h("span", { class: "path", "data-path": "" }, "Untitled");
    this.#kernel = h("span", { class: "kernel-status", "data-kernel-status": "unknown" }, "unknown");
    this.#connection = h("span", { class: "connection", "data-connection": "connecting" }, "connecting");
    this.#message = h("span", { class: "message", "data-message": "", "aria-live": "polite" });
    this.element = h(
      "footer",
      { class: "status" },
      this.#path,
      this.#message,
      h("span", { class: "spacer" }),
      h("span", { class: "label" }, "Kernel:"),
      this.#kernel,
      this.#connection,
    );
  }

  setPath(path: string | null, dirty: boolean): void {
    this.#path.textContent = `${path ?? "Untitled"}${dirty ? " •" : ""}`;
    this.#path.dataset["path"] = path ?? "";
    this.#path.toggleAttribute("data-dirty", dirty);
  }

  setKernel(status: string): void {
    this.#kernel.textContent = status;
    this.#kernel.dataset["kernelStatus"] = status;
  }

  setConnection(state: ConnectionState): void {
    const label = connectionLabel(state);
    this.#connection.textContent = label;
    this.#connection.dataset["connection"] = label;
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
}
