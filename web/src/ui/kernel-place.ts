/**
 * Where the kernel runs, from the daemon's `kernel_location` broadcast: in the status line
 * a button naming the kernel (it opens the picker) and a note with its environment,
 * what chose it and its phase; above the notebook a notice when the notebook asks for a
 * kernelspec that is not installed here, or when its environment lacks ipykernel (with
 * an offer to install it, made only on the user's word).
 *
 * Hooks: `[data-kernel-button]`, `[data-kernel-place]` (with `data-phase`),
 * `[data-kernel-notice]` (`missing_kernelspec` or `needs_ipykernel`, empty and hidden
 * otherwise) and its buttons `[data-notice-action=pick|install]`.
 */

import type { KernelLocation, KernelPhase, ResolutionSource } from "../protocol/wire.gen.ts";
import { assertNever } from "../util/guards.ts";
import { h } from "./dom.ts";

export interface KernelPlaceActions {
  openPicker(): void;
  installIpykernel(python: string): void;
}

export function sourceLabel(source: ResolutionSource): string {
  switch (source) {
    case "chosen":
      return "your choice";
    case "inline_deps":
      return "the notebook's dependencies";
    case "project":
      return "the notebook's project";
    case "kernelspec":
      return "the notebook's kernelspec";
    case "server":
      return "the notebook's Jupyter server";
    case "default":
      return "the default";
    default:
      return assertNever(source);
  }
}

/** The phase in words; "" once the kernel is ready. */
export function phaseLabel(phase: KernelPhase, reason: string | null | undefined): string {
  switch (phase) {
    case "resolving":
      return "finding its environment…";
    case "building":
      return reason ? `preparing its environment: ${reason}` : "preparing its environment…";
    case "starting":
      return "starting…";
    case "ready":
      return "";
    case "error":
      return `failed: ${reason ?? "the kernel could not start"}`;
    case "stopped":
      return "stopped";
    default:
      return assertNever(phase);
  }
}

export class KernelPlace {
  readonly button: HTMLButtonElement;
  readonly place: HTMLElement;
  readonly notice: HTMLElement;
  readonly #actions: KernelPlaceActions;
  #location: KernelLocation | null = null;
  #noticeSaid = "";

  constructor(actions: KernelPlaceActions) {
    this.#actions = actions;
    this.button = h(
      "button",
      { type: "button", class: "kernel-button", "data-kernel-button": "", "aria-label": "Kernel: change kernel" },
      "Kernel",
    );
    this.button.addEventListener("click", () => actions.openPicker());
    this.place = h("span", { class: "kernel-place", "data-kernel-place": "", "data-phase": "" });
    this.notice = h("div", { class: "kernel-notice", role: "status", "data-kernel-notice": "" });
    this.notice.hidden = true;
  }

  get location(): KernelLocation | null {
    return this.#location;
  }

  show(location: KernelLocation): void {
    this.#location = location;
    const name = location.display_name || "Kernel";
    this.button.textContent = name;
    this.button.setAttribute("aria-label", `${name}: change kernel`);
    this.button.title = `Change kernel (now ${name})`;
    const where = location.env ? `in ${location.env}` : "";
    const phase = phaseLabel(location.phase, location.reason);
    this.place.textContent = [where, phase].filter((part) => part !== "").join(" · ");
    this.place.title = `${where} (from ${sourceLabel(location.source)})${phase ? `: ${phase}` : ""}`;
    this.place.dataset["phase"] = location.phase;
    this.place.dataset["source"] = location.source;
    this.#showNotice(location);
  }

  /** The daemon is gone: what it said no longer holds. */
  forget(): void {
    this.#location = null;
    this.place.textContent = "";
    this.place.dataset["phase"] = "";
    this.#clearNotice();
  }

  #showNotice(location: KernelLocation): void {
    // Redrawn only when what it says changes: a redraw would take the keyboard focus
    // off its buttons at every status update.
    const instead =
      location.phase === "error" || !location.display_name
        ? "Install it, or choose a kernel to run it on."
        : `It runs on ${location.display_name} instead until you choose a kernel.`;
    const said = location.needs_ipykernel
      ? `needs ${location.needs_ipykernel}`
      : location.missing_kernelspec
        ? `missing ${location.missing_kernelspec} ${instead}`
        : "";
    if (said === this.#noticeSaid) {
      return;
    }
    this.#noticeSaid = said;
    const pick = this.#noticeButton("Choose a kernel…", "pick", () => this.#actions.openPicker());
    if (location.needs_ipykernel) {
      const python = location.needs_ipykernel;
      const install = this.#noticeButton("Install ipykernel…", "install", () =>
        this.#actions.installIpykernel(python),
      );
      this.notice.replaceChildren(
        h(
          "span",
          {},
          `The environment of ${python} has no ipykernel, which a Python kernel needs. ` +
            "Install it there, or choose another kernel.",
        ),
        install,
        pick,
      );
      this.notice.dataset["kernelNotice"] = "needs_ipykernel";
      this.notice.hidden = false;
    } else if (location.missing_kernelspec) {
      this.notice.replaceChildren(
        h(
          "span",
          {},
          `This notebook asks for kernel ${location.missing_kernelspec}, which is not installed here. ${instead}`,
        ),
        pick,
      );
      this.notice.dataset["kernelNotice"] = "missing_kernelspec";
      this.notice.hidden = false;
    } else {
      this.#clearNotice();
    }
  }

  #clearNotice(): void {
    this.#noticeSaid = "";
    this.notice.replaceChildren();
    this.notice.dataset["kernelNotice"] = "";
    this.notice.hidden = true;
  }

  #noticeButton(label: string, action: string, run: () => void): HTMLButtonElement {
    const button = h("button", { type: "button", "data-notice-action": action }, label);
    button.addEventListener("click", run);
    return button;
  }
}
