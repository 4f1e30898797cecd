/**
 * The kernel picker ("Change kernel…" in the Kernel menu and the toolbar, or the kernel's
 * name in the status line): a modal dialog listing what the daemon can run this notebook
 * on (`list_kernels`), grouped by kind, the current one marked. Arrow keys, Home and End
 * move through the list, Enter (or a click) chooses. A Python environment without
 * ipykernel is chosen only after the user agrees to install it (consent-dialog.ts).
 * While the kernel restarts the dialog shows its phases (`kernel_location`); it closes
 * when the new kernel is ready, or says what went wrong and stays open to choose again.
 *
 * Hooks: `dialog[data-kernel-picker]`, `[role=listbox]`, `[role=option]` with
 * `data-kind`, `data-name` and `data-current`, `[data-picker-progress]`,
 * `[data-picker-error]`.
 */

import type { KernelChoice, KernelChoiceKind, KernelLocation } from "../protocol/wire.gen.ts";
import { assertNever, errorMessage } from "../util/guards.ts";
import type { ConsentDialog } from "./consent-dialog.ts";
import { h } from "./dom.ts";
import { phaseLabel } from "./kernel-place.ts";
import { openModal, trapFocus } from "./modal.ts";

export interface KernelRequests {
  list(): Promise<readonly KernelChoice[]>;
  change(choice: KernelChoice, installIpykernel: boolean): Promise<unknown>;
}

const GROUP_ORDER: readonly KernelChoiceKind[] = ["project", "python", "kernelspec", "remote", "default"];

function groupTitle(kind: KernelChoiceKind): string {
  switch (kind) {
    case "kernelspec":
      return "Installed kernels";
    case "python":
      return "Python environments";
    case "project":
      return "This notebook's project";
    case "remote":
      return "Jupyter servers";
    case "default":
      return "Default";
    default:
      return assertNever(kind);
  }
}

function optionDetail(choice: KernelChoice): string {
  const parts = [choice.kind === "kernelspec" || choice.kind === "remote" ? choice.language : "", choice.env];
  if (choice.has_ipykernel === false) {
    parts.push("needs ipykernel");
  }
  return parts.filter((part) => part !== "").join(" · ");
}

export class KernelPicker {
  readonly element: HTMLDialogElement;
  readonly #requests: KernelRequests;
  readonly #consent: ConsentDialog;
  readonly #fallbackFocus: () => void;
  readonly #list: HTMLElement;
  readonly #progress: HTMLElement;
  readonly #error: HTMLElement;
  #options: { readonly element: HTMLElement; readonly choice: KernelChoice }[] = [];
  #active = -1;
  #changing: KernelChoice | null = null;
  #generation = 0;

  constructor(requests: KernelRequests, consent: ConsentDialog, fallbackFocus: () => void) {
    this.#requests = requests;
    this.#consent = consent;
    this.#fallbackFocus = fallbackFocus;
    this.#list = h("div", {
      class: "kernel-list",
      role: "listbox",
      tabindex: "0",
      "aria-labelledby": "kernel-picker-title",
    });
    this.#progress = h("p", { class: "picker-progress", role: "status", "data-picker-progress": "" });
    this.#error = h("p", { class: "picker-error", role: "alert", "data-picker-error": "" });
    const close = h("button", { type: "button", "data-picker-close": "" }, "Close");
    close.addEventListener("click", () => this.element.close());
    this.element = h(
      "dialog",
      { class: "kernel-picker", "aria-labelledby": "kernel-picker-title", "data-kernel-picker": "" },
      h("h2", { id: "kernel-picker-title" }, "Change kernel"),
      h("p", { class: "picker-hint" }, "Choose what this notebook runs on. ↑ ↓ to move, Enter to choose."),
      this.#list,
      this.#progress,
      this.#error,
      h("div", { class: "dialog-buttons" }, close),
    );
    trapFocus(this.element);
    this.#list.addEventListener("keydown", (event) => this.#onKey(event));
  }

  get isOpen(): boolean {
    return this.element.open;
  }

  /** Open the picker and fill it from the daemon. */
  open(): void {
    this.#generation += 1;
    const generation = this.#generation;
    if (this.#changing === null) {
      this.#progress.textContent = "Looking for kernels…";
      this.#error.textContent = "";
    }
    openModal(this.element, this.#list, this.#fallbackFocus);
    this.#requests.list().then(
      (choices) => {
        if (generation === this.#generation && this.element.open) {
          this.#show(choices);
          if (this.#changing === null) {
            this.#progress.textContent = "";
          }
        }
      },
      (error: unknown) => {
        if (generation === this.#generation) {
          this.#progress.textContent = "";
          this.#error.textContent = `Could not list the kernels: ${errorMessage(error)}. Close and try again.`;
        }
      },
    );
  }

  /** Where the kernel is now: progress while a change is under way. */
  location(location: KernelLocation): void {
    if (this.#changing !== null && this.element.open) {
      const phase = phaseLabel(location.phase, location.reason);
      this.#progress.textContent = `Switching to ${this.#changing.display_name}: ${phase || "ready"}`;
    }
  }

  #show(choices: readonly KernelChoice[]): void {
    this.#options = [];
    const groups: HTMLElement[] = [];
    for (const kind of GROUP_ORDER) {
      const members = choices.filter((choice) => choice.kind === kind);
      if (members.length === 0) {
        continue;
      }
      const labelId = `kernel-group-${kind}`;
      const options = members.map((choice) => this.#option(choice));
      groups.push(
        h(
          "div",
          { role: "presentation", class: "kernel-group" },
          h("div", { role: "presentation", id: labelId, class: "kernel-group-title" }, groupTitle(kind)),
          h("div", { role: "group", "aria-labelledby": labelId }, ...options),
        ),
      );
    }
    this.#list.replaceChildren(...groups);
    const current = this.#options.findIndex((option) => option.choice.current === true);
    this.#activate(Math.max(current, 0));
  }

  #option(choice: KernelChoice): HTMLElement {
    const index = this.#options.length;
    const current = choice.current === true;
    const element = h(
      "div",
      {
        role: "option",
        id: `kernel-option-${index}`,
        class: "kernel-option",
        "aria-selected": "false",
        "data-kind": choice.kind,
        "data-name": choice.name,
        "data-current": current,
      },
      h("span", { class: "kernel-option-name" }, choice.display_name, current ? " (current)" : ""),
      h("span", { class: "kernel-option-detail" }, optionDetail(choice)),
    );
    element.addEventListener("click", () => {
      this.#activate(index);
      void this.#choose();
    });
    this.#options.push({ element, choice });
    return element;
  }

  #activate(index: number): void {
    const option = this.#options[index];
    if (option === undefined) {
      return;
    }
    this.#options[this.#active]?.element.setAttribute("aria-selected", "false");
    this.#active = index;
    option.element.setAttribute("aria-selected", "true");
    this.#list.setAttribute("aria-activedescendant", option.element.id);
    option.element.scrollIntoView({ block: "nearest" });
  }

  #onKey(event: KeyboardEvent): void {
    const last = this.#options.length - 1;
    const moves: Readonly<Record<string, number>> = {
      ArrowDown: Math.min(this.#active + 1, last),
      ArrowUp: Math.max(this.#active - 1, 0),
      Home: 0,
      End: last,
    };
    const target = moves[event.key];
    if (target !== undefined) {
      event.preventDefault();
      this.#activate(target);
    } else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      void this.#choose();
    }
  }

  async #choose(): Promise<void> {
    const choice = this.#options[this.#active]?.choice;
    if (choice === undefined || this.#changing !== null) {
      return;
    }
    let install = false;
    if (choice.has_ipykernel === false) {
      install = await this.#consent.askInstallIpykernel(choice.name);
      if (!install) {
        this.#list.focus();
        return;
      }
    }
    this.#changing = choice;
    this.#error.textContent = "";
    this.#progress.textContent = install
      ? `Installing ipykernel into ${choice.name}…`
      : `Switching to ${choice.display_name}…`;
    this.#list.setAttribute("aria-busy", "true");
    try {
      await this.#requests.change(choice, install);
      this.#progress.textContent = "";
      this.element.close();
    } catch (error: unknown) {
      this.#progress.textContent = "";
      this.#error.textContent =
        `Could not switch to ${choice.display_name}: ${errorMessage(error)}. ` +
        "Choose another kernel, or close this and fix the environment.";
      if (this.element.open) {
        this.#list.focus();
      }
    } finally {
      this.#changing = null;
      this.#list.removeAttribute("aria-busy");
    }
  }
}
