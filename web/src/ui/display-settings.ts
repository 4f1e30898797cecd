/**
 * The user's display settings applied to this window: line numbers and the editor's
 * font size as attributes and a variable on the root element, which style.css reads, so
 * a change (the daemon's `display_changed`, sent to every window) applies to every cell
 * at once without touching the editors. The theme is recorded as `data-theme` only: the
 * stylesheet still follows the system (see the report of issue 17 item 7).
 */

import type { DisplaySettings } from "../protocol/wire.gen.ts";

export function applyDisplay(display: DisplaySettings, root: HTMLElement = document.documentElement): void {
  root.toggleAttribute("data-line-numbers", display.line_numbers === true);
  if (display.font_size === undefined) {
    root.style.removeProperty("--editor-font-size");
  } else {
    root.style.setProperty("--editor-font-size", `${String(display.font_size)}px`);
  }
  root.setAttribute("data-theme", display.theme ?? "system");
}
