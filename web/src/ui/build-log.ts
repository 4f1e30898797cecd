/**
 * A dependency environment's build as it happens: one line saying where it is, and the
 * installer's own output (`env_progress` messages of kind `deps`, one per line uv
 * printed) in a scrolling log, so a slow build shows movement instead of a frozen
 * screen. The log follows its end unless the user scrolled up to read; it keeps the
 * last MAX_LINES lines.
 *
 * Hooks: `[data-build]` (with `data-phase`: "", `building`, `ready` or `failed`),
 * `[data-build-phase]`, `[data-build-log]`.
 */

import type { EnvProgress } from "../protocol/wire.gen.ts";
import { h } from "./dom.ts";

export const MAX_LINES = 1000;

export class BuildLog {
  readonly element: HTMLElement;
  readonly #phase: HTMLElement;
  readonly #log: HTMLElement;
  #lines: string[] = [];

  constructor(label: string) {
    this.#phase = h("p", { class: "build-phase", role: "status", "data-build-phase": "" });
    this.#log = h("pre", {
      class: "build-log",
      role: "log",
      tabindex: "0",
      "aria-label": label,
      "data-build-log": "",
    });
    this.element = h("div", { class: "build", "data-build": "", "data-phase": "" }, this.#phase, this.#log);
    this.element.hidden = true;
  }

  get phase(): string {
    return this.element.dataset["phase"] ?? "";
  }

  /** Take one progress event; other kinds of environment (the pools) are not this log's. */
  progress(event: EnvProgress): void {
    if (event.kind !== "deps") {
      return;
    }
    const previous = this.phase;
    if (event.phase === "building" && previous !== "building") {
      this.#lines = []; // a new build starts a new log
    }
    this.element.hidden = false;
    this.element.dataset["phase"] = event.phase;
    switch (event.phase) {
      case "building":
      case "warming":
        this.#phase.textContent = "Installing the notebook's packages…";
        break;
      case "ready":
        this.#phase.textContent = `Installed: ${event.message}`;
        break;
      case "failed":
        this.#phase.textContent = `The install failed: ${event.message}`;
        break;
    }
    this.#append(event.message);
  }

  /** Say something before the installer does (approval sent, restart asked for). */
  note(text: string): void {
    this.element.hidden = false;
    this.#phase.textContent = text;
  }

  #append(message: string): void {
    const atEnd = this.#log.scrollTop + this.#log.clientHeight >= this.#log.scrollHeight - 4;
    this.#lines.push(...message.split("\n").filter((line) => line.trim() !== ""));
    if (this.#lines.length > MAX_LINES) {
      this.#lines = this.#lines.slice(-MAX_LINES);
    }
    this.#log.textContent = this.#lines.join("\n");
    if (atEnd) {
      this.#log.scrollTop = this.#log.scrollHeight;
    }
  }
}
