/**
 * How this window shows notebooks: the user's display settings (the daemon's
 * `display_changed`, sent to every window) and this notebook's own line-numbers choice
 * (`metadata.nbdesk.line_numbers`, so it travels with the file), applied as attributes
 * and a variable on the root element that the stylesheets read: a change restyles every
 * cell at once without touching the editors.
 *
 * The theme "system" resolves through `prefers-color-scheme` and follows its changes;
 * the root's `data-theme` is always the resolved "light" or "dark", and a
 * `nbdesk-theme` event on the root tells the editors (editor-theme.ts) to follow.
 */

import type { DisplaySettings, Theme } from "../protocol/wire.gen.ts";
import { isRecord } from "../util/guards.ts";

export type ResolvedTheme = "light" | "dark";

export const THEME_EVENT = "nbdesk-theme";
const DARK_QUERY = "(prefers-color-scheme: dark)";
const NBDESK_KEY = "nbdesk";

function systemIsDark(): boolean {
  return typeof matchMedia === "function" && matchMedia(DARK_QUERY).matches;
}

export function resolveTheme(theme: Theme | undefined, systemDark: boolean = systemIsDark()): ResolvedTheme {
  if (theme === "light" || theme === "dark") {
    return theme;
  }
  return systemDark ? "dark" : "light";
}

/** The theme the root shows now (what the editors should match). */
export function shownTheme(root: HTMLElement = document.documentElement): ResolvedTheme {
  return root.dataset["theme"] === "dark" ? "dark" : "light";
}

/** `metadata.nbdesk.line_numbers` of the notebook: true or false, null when not chosen. */
export function notebookLineNumbers(rawNbdesk: string | undefined): boolean | null {
  if (rawNbdesk === undefined) {
    return null;
  }
  try {
    const value: unknown = JSON.parse(rawNbdesk);
    const chosen = isRecord(value) ? value["line_numbers"] : undefined;
    return typeof chosen === "boolean" ? chosen : null;
  } catch {
    return null;
  }
}

/**
 * The raw JSON for `metadata.nbdesk` with `line_numbers` set (or removed for null),
 * everything else in it kept; an Error when what is there is not a JSON object (writing
 * would lose it).
 */
export function withNotebookLineNumbers(rawNbdesk: string | undefined, chosen: boolean | null): string {
  let value: unknown = {};
  if (rawNbdesk !== undefined) {
    try {
      value = JSON.parse(rawNbdesk);
    } catch {
      value = undefined;
    }
  }
  if (!isRecord(value)) {
    throw new Error(
      `the notebook's metadata "${NBDESK_KEY}" is not a JSON object, so this choice cannot be kept in it: fix or remove it in the .ipynb file, then try again`,
    );
  }
  const next: Record<string, unknown> = { ...value };
  if (chosen === null) {
    delete next["line_numbers"];
  } else {
    next["line_numbers"] = chosen;
  }
  return JSON.stringify(next);
}

export class WindowDisplay {
  readonly #root: HTMLElement;
  #display: DisplaySettings = {};
  #notebook: boolean | null = null;

  constructor(root: HTMLElement = document.documentElement) {
    this.#root = root;
    if (typeof matchMedia === "function") {
      matchMedia(DARK_QUERY).addEventListener("change", () => this.#apply());
    }
    this.#apply();
  }

  /** The user's settings as last applied. */
  get display(): DisplaySettings {
    return this.#display;
  }

  /** This notebook's line-numbers choice; null when it follows the user's default. */
  get notebookLineNumbers(): boolean | null {
    return this.#notebook;
  }

  setDisplay(display: DisplaySettings): void {
    this.#display = display;
    this.#apply();
  }

  setNotebookLineNumbers(chosen: boolean | null): void {
    if (chosen !== this.#notebook) {
      this.#notebook = chosen;
      this.#apply();
    }
  }

  #apply(): void {
    const root = this.#root;
    root.toggleAttribute("data-line-numbers", this.#notebook ?? this.#display.line_numbers === true);
    if (this.#display.font_size === undefined) {
      root.style.removeProperty("--editor-font-size");
    } else {
      root.style.setProperty("--editor-font-size", `${String(this.#display.font_size)}px`);
    }
    root.dataset["themeChoice"] = this.#display.theme ?? "system";
    const theme = resolveTheme(this.#display.theme);
    if (root.dataset["theme"] !== theme) {
      root.dataset["theme"] = theme;
      root.dispatchEvent(new Event(THEME_EVENT));
    }
  }
}
