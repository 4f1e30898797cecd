/**
 * The dependencies panel ("Dependencies…" in the Kernel menu and the toolbar): beside the
 * notebook, the packages it lists (drawn from the document's metadata, so an edit in any
 * window shows in every window), a field to add one and a button to remove each (both
 * through `set_dependencies`, which the daemon writes and signs), whether they are
 * approved here, the build's progress with the installer's own lines, "Restart to apply"
 * when the kernel runs with another list than the notebook's, and what the kernel's
 * environment holds now (`list_packages`, fetched when the panel opens, after the kernel
 * (re)starts while it is open, and on "Refresh").
 *
 * Escape closes it and gives the focus back. Command-mode keys do not act inside it
 * (`data-owns-keys`, keyboard.ts).
 *
 * Hooks: `aside[data-deps-panel]`, `[data-deps-list] li[data-package]` with a
 * `Remove <name>` button, `[data-deps-empty]`, `form[data-deps-add]` with its field and
 * `[data-deps-error]`, `[data-deps-trust]` (with `data-status`), `[data-deps-drift]`,
 * `[data-deps-installed] li[data-package]` (with `data-listed`), `[data-deps-python]`,
 * and the build log's hooks (build-log.ts).
 */

import type { NotebookDependencies } from "../doc/dependencies.ts";
import type { EnvProgress, EnvSyncState, Packages, TrustState } from "../protocol/wire.gen.ts";
import { assertNever, errorMessage } from "../util/guards.ts";
import { BuildLog } from "./build-log.ts";
import { h } from "./dom.ts";
import { checkRequirement, normalizeName, requirementName } from "./requirements.ts";

export interface DependencyRequests {
  set(dependencies: readonly string[]): Promise<TrustState>;
  listPackages(): Promise<Packages>;
  restart(): Promise<unknown>;
  /** Open the trust dialog on the current list. */
  review(): void;
}

function trustLine(state: TrustState | null): string {
  if (state === null) {
    return "";
  }
  switch (state.status) {
    case "trusted":
      return "Approved on this machine.";
    case "untrusted":
      return "Not approved on this machine: nothing is installed until you approve these packages.";
    case "signature_invalid":
      return "Changed outside nbdesk since they were approved: nothing new is installed until you approve them again.";
    case "no_dependencies":
      return "";
    default:
      return assertNever(state.status);
  }
}

export class DependenciesPanel {
  readonly element: HTMLElement;
  readonly #requests: DependencyRequests;
  readonly #fallbackFocus: () => void;
  readonly #trust: HTMLElement;
  readonly #review: HTMLButtonElement;
  readonly #drift: HTMLElement;
  readonly #driftText: HTMLElement;
  readonly #list: HTMLElement;
  readonly #empty: HTMLElement;
  readonly #problem: HTMLElement;
  readonly #form: HTMLFormElement;
  readonly #field: HTMLInputElement;
  readonly #addButton: HTMLButtonElement;
  readonly #error: HTMLElement;
  readonly #python: HTMLElement;
  readonly #installed: HTMLElement;
  readonly #build = new BuildLog("Installer output");
  #dependencies: readonly string[] = [];
  #trustState: TrustState | null = null;
  #installedNames: readonly { readonly name: string; readonly version: string }[] = [];
  /** The kernel (re)started since the installed list was fetched. */
  #installedStale = true;
  #busy = false;
  #opener: Element | null = null;

  constructor(requests: DependencyRequests, fallbackFocus: () => void) {
    this.#requests = requests;
    this.#fallbackFocus = fallbackFocus;
    const close = h("button", { type: "button", class: "deps-close", "aria-label": "Close dependencies" }, "×");
    close.addEventListener("click", () => this.close());
    this.#review = h("button", { type: "button", "data-deps-review": "" }, "Review packages…");
    this.#review.addEventListener("click", () => requests.review());
    this.#trust = h("p", { class: "deps-trust", "data-deps-trust": "" });
    const restart = h("button", { type: "button", "data-deps-restart": "" }, "Restart to apply");
    restart.addEventListener("click", () => void this.#restart());
    this.#driftText = h("span", {});
    this.#drift = h("div", { class: "deps-drift", role: "status", "data-deps-drift": "" }, this.#driftText, restart);
    this.#drift.hidden = true;
    this.#list = h("ul", { class: "deps-list", "aria-labelledby": "deps-listed", "data-deps-list": "" });
    this.#empty = h(
      "p",
      { class: "deps-empty", "data-deps-empty": "" },
      "No packages listed: the kernel runs on the default environment.",
    );
    this.#problem = h("p", { class: "deps-error", role: "alert", "data-deps-problem": "" });
    this.#field = h("input", {
      id: "deps-new",
      type: "text",
      name: "requirement",
      autocomplete: "off",
      spellcheck: "false",
      placeholder: "pandas>=2",
      "aria-describedby": "deps-add-hint deps-add-error",
    });
    this.#addButton = h("button", { type: "submit" }, "Add");
    this.#error = h("p", { id: "deps-add-error", class: "deps-error", role: "alert", "data-deps-error": "" });
    this.#form = h(
      "form",
      { class: "deps-add", "data-deps-add": "" },
      h("label", { for: "deps-new" }, "Add a package"),
      h("div", { class: "deps-add-row" }, this.#field, this.#addButton),
      h("p", { id: "deps-add-hint", class: "deps-hint" }, "A name from the package index, optionally with a version: pandas, numpy>=1.26."),
      this.#error,
    );
    this.#form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.#add();
    });
    this.#field.addEventListener("input", () => {
      this.#error.textContent = "";
      this.#field.removeAttribute("aria-invalid");
    });
    const refresh = h("button", { type: "button", "data-deps-refresh": "" }, "Refresh");
    refresh.addEventListener("click", () => void this.#refreshInstalled());
    this.#python = h("p", { class: "deps-python", "data-deps-python": "" });
    this.#installed = h("ul", {
      class: "deps-installed",
      "aria-labelledby": "deps-installed-title",
      tabindex: "0",
      "data-deps-installed": "",
    });
    this.element = h(
      "aside",
      { class: "deps-panel", "aria-labelledby": "deps-title", "data-deps-panel": "", "data-owns-keys": "" },
      h("header", { class: "deps-header" }, h("h2", { id: "deps-title" }, "Dependencies"), close),
      this.#trust,
      this.#drift,
      h("h3", { id: "deps-listed" }, "This notebook's packages"),
      this.#list,
      this.#empty,
      this.#problem,
      this.#form,
      this.#build.element,
      h(
        "div",
        { class: "deps-installed-header" },
        h("h3", { id: "deps-installed-title" }, "In the kernel's environment now"),
        refresh,
      ),
      this.#python,
      this.#installed,
    );
    this.element.hidden = true;
    this.element.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        this.close();
      }
    });
    this.#drawList();
    this.#drawTrust();
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  toggle(): void {
    if (this.isOpen) {
      this.close();
    } else {
      this.open();
    }
  }

  open(): void {
    if (!this.isOpen) {
      this.#opener = document.activeElement;
      this.element.hidden = false;
    }
    this.#field.focus();
    if (this.#installedStale) {
      void this.#refreshInstalled();
    }
  }

  close(): void {
    if (!this.isOpen) {
      return;
    }
    const hadFocus = this.element.contains(document.activeElement);
    this.element.hidden = true;
    if (hadFocus) {
      const opener = this.#opener;
      if (opener instanceof HTMLElement && opener !== document.body && opener.isConnected) {
        opener.focus({ preventScroll: true });
      } else {
        this.#fallbackFocus();
      }
    }
  }

  // -- what the daemon and the document say ---------------------------------------------

  /** The list in the document changed (here or in another window). */
  showDependencies(listed: NotebookDependencies): void {
    this.#problem.textContent =
      listed.problem === null ? "" : `${listed.problem}. Add a package to replace it with a valid list.`;
    this.#setDependencies(listed.dependencies);
  }

  #setDependencies(dependencies: readonly string[]): void {
    const same =
      dependencies.length === this.#dependencies.length &&
      dependencies.every((dependency, index) => dependency === this.#dependencies[index]);
    if (!same) {
      this.#dependencies = dependencies;
      this.#drawList();
      this.#drawInstalled();
    }
  }

  showTrust(state: TrustState): void {
    this.#trustState = state;
    this.#drawTrust();
    this.#drawList();
  }

  showDrift(event: EnvSyncState): void {
    if (event.in_sync) {
      this.#drift.hidden = true;
      return;
    }
    const changes = [
      ...event.added.map((name) => `${name} added`),
      ...event.removed.map((name) => `${name} removed`),
    ];
    this.#driftText.textContent = `The kernel runs without these changes (${changes.join(", ")}).`;
    this.#drift.hidden = false;
  }

  progress(event: EnvProgress): void {
    this.#build.progress(event);
  }

  /** A kernel (re)started: what its environment holds may have changed. */
  kernelReady(): void {
    this.#installedStale = true;
    if (this.isOpen) {
      void this.#refreshInstalled();
    }
  }

  // -- drawing ----------------------------------------------------------------------------

  /** Edits wait for the list to be approved: a list written here is signed as written. */
  #editable(): boolean {
    const status = this.#trustState?.status;
    return status !== "untrusted" && status !== "signature_invalid";
  }

  #drawTrust(): void {
    const state = this.#trustState;
    const line = trustLine(state);
    const asking = state !== null && (state.status === "untrusted" || state.status === "signature_invalid");
    this.#trust.replaceChildren(line, ...(asking ? [" ", this.#review] : []));
    this.#trust.hidden = line === "";
    this.#trust.dataset["status"] = state?.status ?? "";
    const editable = this.#editable();
    this.#field.disabled = !editable;
    this.#addButton.disabled = !editable;
  }

  /** Redraw the list; a focused Remove button's focus moves to the one now in its place. */
  #drawList(): void {
    const editable = this.#editable();
    const before = [...this.#list.querySelectorAll("button")];
    const focused = before.findIndex((button) => button === document.activeElement);
    this.#list.replaceChildren(
      ...this.#dependencies.map((dependency) => {
        const remove = h(
          "button",
          { type: "button", class: "deps-remove", "aria-label": `Remove ${dependency}`, title: `Remove ${dependency}` },
          "Remove",
        );
        remove.disabled = !editable;
        remove.addEventListener("click", () => void this.#remove(dependency));
        return h("li", { "data-package": dependency }, h("code", {}, dependency), remove);
      }),
    );
    this.#empty.hidden = this.#dependencies.length > 0 || this.#problem.textContent !== "";
    if (focused >= 0) {
      const after = [...this.#list.querySelectorAll<HTMLButtonElement>("button:not([disabled])")];
      (after[Math.min(focused, after.length - 1)] ?? this.#field).focus();
    }
  }

  #drawInstalled(): void {
    const listed = new Set(this.#dependencies.map((dependency) => normalizeName(requirementName(dependency))));
    this.#installed.replaceChildren(
      ...this.#installedNames.map((item) =>
        h(
          "li",
          { "data-package": item.name, "data-listed": listed.has(normalizeName(item.name)) },
          h("span", { class: "deps-installed-name" }, item.name),
          h("span", { class: "deps-installed-version" }, item.version),
        ),
      ),
    );
  }

  // -- edits and requests -------------------------------------------------------------------

  async #add(): Promise<void> {
    if (this.#busy) {
      return;
    }
    const checked = checkRequirement(this.#field.value, this.#dependencies);
    if (!checked.ok) {
      this.#refuse(checked.reason);
      return;
    }
    if (await this.#write([...this.#dependencies, checked.requirement], `Adding ${checked.requirement}`)) {
      this.#field.value = "";
      this.#field.focus();
    }
  }

  async #remove(dependency: string): Promise<void> {
    if (this.#busy) {
      return;
    }
    await this.#write(
      this.#dependencies.filter((other) => other !== dependency),
      `Removing ${dependency}`,
    );
  }

  /**
   * Send the new list; true once the daemon wrote it. The list shows it at once; the
   * document brings back what the daemon wrote (and other windows' edits) after.
   */
  async #write(dependencies: readonly string[], what: string): Promise<boolean> {
    this.#busy = true; // buttons stay enabled (a disabled one loses the focus) but do nothing
    try {
      this.#trustState = await this.#requests.set(dependencies);
      this.#setDependencies(dependencies);
      this.#drawTrust();
      return true;
    } catch (error: unknown) {
      this.#refuse(`${what} failed: ${errorMessage(error)}`);
      return false;
    } finally {
      this.#busy = false;
    }
  }

  #refuse(reason: string): void {
    this.#error.textContent = reason;
    this.#field.setAttribute("aria-invalid", "true");
    if (!this.#field.disabled) {
      this.#field.focus();
    }
  }

  async #restart(): Promise<void> {
    this.#build.note("Restarting the kernel with the notebook's packages…");
    try {
      await this.#requests.restart();
    } catch (error: unknown) {
      this.#build.note(`The restart failed: ${errorMessage(error)}`);
    }
  }

  async #refreshInstalled(): Promise<void> {
    this.#installedStale = false;
    this.#python.textContent = "Looking…";
    try {
      const result = await this.#requests.listPackages();
      this.#installedNames = result.packages;
      this.#python.textContent =
        result.python === null
          ? "The kernel is not a Python kernel: there are no Python packages to list."
          : `${result.packages.length} packages, for ${result.python}`;
      this.#python.title = result.python ?? "";
    } catch (error: unknown) {
      this.#installedNames = [];
      this.#installedStale = true;
      this.#python.textContent = `Could not list them: ${errorMessage(error)}. Start the kernel, then Refresh.`;
    }
    this.#drawInstalled();
  }
}
