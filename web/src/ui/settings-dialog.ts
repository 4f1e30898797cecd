/**
 * The settings page (Ctrl/Cmd-, the toolbar's "Settings" and Edit → Settings…): one modal
 * dialog with the user's display settings (theme, editor font size, line numbers by
 * default), this notebook's line numbers, the questions before destructive actions
 * (question-settings.ts) and the daemon's settings that were only environment variables
 * (keep-alive, pool sizes, hot kernels, default packages).
 *
 * Display changes apply on each change (the daemon stores them and tells every window);
 * the daemon's settings apply with "Apply", since they are checked as a whole. The daemon
 * checks every value (one place for the bounds): a refusal is shown as it says what to
 * do, and nothing is stored. Values from another window show at once unless the user is
 * typing over them. Hooks: `dialog[data-settings]`, controls `[data-setting=NAME]`,
 * `[data-settings-error]`, `[data-settings-pending]`, `[data-settings-apply]`.
 */

import type { DaemonSettings, DisplaySettings, Preferences, Theme } from "../protocol/wire.gen.ts";
import { errorMessage } from "../util/guards.ts";
import { h } from "./dom.ts";
import { openModal, trapFocus } from "./modal.ts";
import type { QuestionSettings } from "./question-settings.ts";

export interface SettingsRequests {
  preferences(): Promise<Preferences>;
  setDisplay(display: DisplaySettings): Promise<Preferences>;
  setDaemon(settings: DaemonSettings): Promise<Preferences>;
  /** This notebook's choice: true or false, or null to follow the default. */
  setNotebookLineNumbers(chosen: boolean | null): Promise<void>;
  /** This notebook's choice as the document has it now. */
  notebookLineNumbers(): boolean | null;
}

const THEMES: readonly (readonly [Theme, string])[] = [
  ["system", "Same as the system"],
  ["light", "Light"],
  ["dark", "Dark"],
];

const NOTEBOOK_CHOICES: readonly (readonly [string, string])[] = [
  ["default", "As the default above"],
  ["on", "Shown"],
  ["off", "Hidden"],
];

const PENDING_WORDS: Readonly<Record<string, string>> = { default_packages: "the default packages" };

let nextId = 0;

/** A labelled control: the label names it for screen readers, the hint is described-by. */
function row(label: string, control: HTMLElement, hint = ""): HTMLElement {
  nextId += 1;
  const id = `setting-${String(nextId)}`;
  control.id = id;
  const parts: HTMLElement[] = [h("label", { for: id }, label), control];
  if (hint !== "") {
    control.setAttribute("aria-describedby", `${id}-hint`);
    parts.push(h("small", { id: `${id}-hint` }, hint));
  }
  return h("div", { class: "setting-row" }, ...parts);
}

function select(name: string, options: readonly (readonly [string, string])[]): HTMLSelectElement {
  return h("select", { "data-setting": name }, ...options.map(([value, text]) => h("option", { value }, text)));
}

function numberInput(name: string, min: number, step: string): HTMLInputElement {
  return h("input", { type: "number", "data-setting": name, min: String(min), step, inputmode: "decimal" });
}

/** A whole number or a number typed in a field; null when it is not one. */
function parsed(input: HTMLInputElement, whole: boolean): number | null {
  const text = input.value.trim();
  const value = Number(text);
  if (text === "" || !Number.isFinite(value) || (whole && !Number.isInteger(value))) {
    return null;
  }
  return value;
}

export class SettingsDialog {
  readonly element: HTMLDialogElement;
  readonly #requests: SettingsRequests;
  readonly #questions: QuestionSettings;
  readonly #fallbackFocus: () => void;
  readonly #theme = select("theme", THEMES);
  readonly #fontSize = numberInput("font_size", 1, "1");
  readonly #lineNumbers = h("input", { type: "checkbox", "data-setting": "line_numbers" });
  readonly #notebookLines = select("notebook_line_numbers", NOTEBOOK_CHOICES);
  readonly #keepAlive = numberInput("keep_alive", 0, "any");
  readonly #poolUv = numberInput("pool_uv", 0, "1");
  readonly #poolConda = numberInput("pool_conda", 0, "1");
  readonly #hotKernels = numberInput("hot_kernels", 0, "1");
  readonly #packages = h("textarea", { "data-setting": "default_packages", rows: "3", spellcheck: "false" });
  readonly #error = h("p", { class: "settings-error", role: "alert", "data-settings-error": "" });
  readonly #status = h("p", { class: "settings-status", role: "status", "data-settings-status": "" });
  readonly #pending = h("p", { class: "settings-pending", "data-settings-pending": "", hidden: true });
  /** The daemon's fields were typed into and not applied: another window's values wait. */
  #daemonEdited = false;

  constructor(requests: SettingsRequests, questions: QuestionSettings, fallbackFocus: () => void) {
    this.#requests = requests;
    this.#questions = questions;
    this.#fallbackFocus = fallbackFocus;
    this.#theme.addEventListener("change", () => void this.#changeDisplay());
    this.#fontSize.addEventListener("change", () => void this.#changeDisplay());
    this.#lineNumbers.addEventListener("change", () => void this.#changeDisplay());
    this.#notebookLines.addEventListener("change", () => void this.#changeNotebook());
    const apply = h("button", { type: "submit", "data-settings-apply": "" }, "Apply");
    const daemonForm = h(
      "form",
      { class: "settings-section", "aria-labelledby": "settings-daemon-title", novalidate: true },
      h("h3", { id: "settings-daemon-title" }, "Kernels and environments"),
      row("Keep a closed notebook loaded for (seconds)", this.#keepAlive, "its kernel keeps running meanwhile; 0 unloads it at once"),
      row("Ready uv environments", this.#poolUv, "new notebooks start in one at once"),
      row("Ready conda environments", this.#poolConda),
      row("Kernels kept started", this.#hotKernels, "a new notebook's first cell runs at once"),
      row("Packages in every new environment", this.#packages, "one per line, such as numpy>=2"),
      this.#pending,
      h("div", { class: "dialog-buttons" }, apply),
    );
    daemonForm.addEventListener("input", () => {
      this.#daemonEdited = true;
    });
    daemonForm.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.#changeDaemon();
    });
    const close = h("button", { type: "button", "data-settings-close": "" }, "Close");
    close.addEventListener("click", () => this.element.close());
    this.element = h(
      "dialog",
      { class: "settings-dialog", "aria-labelledby": "settings-title", "data-settings": "" },
      h("header", {}, h("h2", { id: "settings-title" }, "Settings"), close),
      h(
        "section",
        { class: "settings-section", "aria-labelledby": "settings-display-title" },
        h("h3", { id: "settings-display-title" }, "Appearance"),
        row("Theme", this.#theme),
        row("Editor font size (pixels)", this.#fontSize),
        h("div", { class: "setting-row setting-check" }, h("label", {}, this.#lineNumbers, " Show line numbers in every notebook")),
        row("Line numbers in this notebook", this.#notebookLines, "kept in the notebook's file"),
      ),
      questions.element,
      daemonForm,
      this.#error,
      this.#status,
    );
    trapFocus(this.element);
  }

  get isOpen(): boolean {
    return this.element.open;
  }

  /** Open the page with the settings as they are now (another window may have changed them). */
  open(): void {
    this.#error.textContent = "";
    this.#status.textContent = "";
    this.#daemonEdited = false;
    this.#showNotebook();
    openModal(this.element, this.#theme, this.#fallbackFocus);
    void this.#questions.refresh();
    this.#requests.preferences().then(
      (preferences) => this.#show(preferences),
      (error: unknown) => this.#fail("Reading your settings", error),
    );
  }

  toggle(): void {
    if (this.isOpen) {
      this.element.close();
    } else {
      this.open();
    }
  }

  /** Another window changed the display settings. */
  showDisplay(display: DisplaySettings): void {
    this.#theme.value = display.theme ?? "system";
    if (document.activeElement !== this.#fontSize) {
      this.#fontSize.value = String(display.font_size ?? 13);
    }
    this.#lineNumbers.checked = display.line_numbers === true;
  }

  /** The daemon's settings changed (here or in another window). */
  showDaemon(settings: DaemonSettings, pendingRestart: readonly string[]): void {
    this.#showPending(pendingRestart);
    if (this.#daemonEdited) {
      return; // keep what the user is typing; Apply sends it over these
    }
    this.#keepAlive.value = String(settings.keep_alive);
    this.#poolUv.value = String(settings.pool_uv);
    this.#poolConda.value = String(settings.pool_conda);
    this.#hotKernels.value = String(settings.hot_kernels);
    this.#packages.value = settings.default_packages.join("\n");
  }

  /** The notebook's own choice may have changed (an edit in another window). */
  notebookChanged(): void {
    if (this.isOpen && document.activeElement !== this.#notebookLines) {
      this.#showNotebook();
    }
  }

  #show(preferences: Preferences): void {
    this.showDisplay(preferences.display);
    this.showDaemon(preferences.daemon, preferences.pending_restart);
  }

  #showNotebook(): void {
    const chosen = this.#requests.notebookLineNumbers();
    this.#notebookLines.value = chosen === null ? "default" : chosen ? "on" : "off";
  }

  #showPending(pending: readonly string[]): void {
    this.#pending.hidden = pending.length === 0;
    const names = pending.map((field) => PENDING_WORDS[field] ?? field).join(", ");
    this.#pending.textContent =
      pending.length === 0
        ? ""
        : `Saved; ${names} apply after the nbdesk daemon restarts (quit nbdesk, or run \`nbdesk daemon stop\`, then open it again). The other settings apply now.`;
  }

  async #changeDisplay(): Promise<void> {
    const fontSize = parsed(this.#fontSize, true);
    if (fontSize === null) {
      this.#fail("Editor font size", new Error("type a whole number of pixels, such as 13"));
      return;
    }
    const theme = THEMES.find(([value]) => value === this.#theme.value)?.[0] ?? "system";
    const display: DisplaySettings = { theme, font_size: fontSize, line_numbers: this.#lineNumbers.checked };
    this.#error.textContent = "";
    try {
      this.#show(await this.#requests.setDisplay(display));
      this.#status.textContent = "Saved for every window";
    } catch (error) {
      this.#fail("Changing the display", error);
    }
  }

  async #changeNotebook(): Promise<void> {
    const value = this.#notebookLines.value;
    const chosen = value === "on" ? true : value === "off" ? false : null;
    this.#error.textContent = "";
    try {
      await this.#requests.setNotebookLineNumbers(chosen);
      this.#status.textContent = "Saved in this notebook";
    } catch (error) {
      this.#fail("Changing this notebook's line numbers", error);
      this.#showNotebook();
    }
  }

  async #changeDaemon(): Promise<void> {
    const numbers: [HTMLInputElement, string, boolean][] = [
      [this.#keepAlive, "Keep-alive: type a number of seconds, such as 30", false],
      [this.#poolUv, "Ready uv environments: type a whole number, such as 2", true],
      [this.#poolConda, "Ready conda environments: type a whole number, such as 0", true],
      [this.#hotKernels, "Kernels kept started: type a whole number, such as 1", true],
    ];
    const values: number[] = [];
    for (const [input, problem, whole] of numbers) {
      const value = parsed(input, whole);
      if (value === null) {
        this.#error.textContent = `${problem}. Nothing was saved.`;
        input.focus();
        return;
      }
      values.push(value);
    }
    const [keepAlive = 0, poolUv = 0, poolConda = 0, hotKernels = 0] = values;
    const packages = this.#packages.value
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "");
    const settings: DaemonSettings = {
      keep_alive: keepAlive,
      pool_uv: poolUv,
      pool_conda: poolConda,
      hot_kernels: hotKernels,
      default_packages: packages,
    };
    this.#error.textContent = "";
    try {
      const reply = await this.#requests.setDaemon(settings);
      this.#daemonEdited = false;
      this.#show(reply);
      this.#status.textContent = "Saved";
    } catch (error) {
      this.#fail("Not saved", error);
    }
  }

  #fail(what: string, error: unknown): void {
    this.#status.textContent = "";
    this.#error.textContent = `${what}: ${errorMessage(error)}`;
  }
}
