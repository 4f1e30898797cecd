/**
 * The editors' light or dark look, following the window's theme like the page's
 * stylesheet (the root's `data-theme`, set by display-settings.ts from the user's
 * setting or the system's): CodeMirror's own parts (selection, tooltips, the completion
 * popup) switch with its `darkTheme` facet, and the colours come from style.css's
 * variables.
 */

import { Compartment, type Extension } from "@codemirror/state";
import { EditorView, ViewPlugin } from "@codemirror/view";
import { shownTheme, THEME_EVENT } from "./display-settings.ts";

function isDark(): boolean {
  return shownTheme() === "dark";
}

const colours = EditorView.theme({
  ".cm-tooltip": {
    backgroundColor: "var(--panel)",
    color: "var(--fg)",
    border: "1px solid var(--border)",
    borderRadius: "4px",
    boxShadow: "0 4px 12px rgba(0, 0, 0, 0.18)",
  },
  ".cm-tooltip.cm-tooltip-autocomplete > ul": {
    fontFamily: "var(--mono)",
    maxHeight: "14em",
  },
  ".cm-tooltip.cm-tooltip-autocomplete > ul > li[aria-selected]": {
    backgroundColor: "var(--accent)",
    color: "var(--bg)",
  },
  ".cm-completionDetail": { color: "var(--muted)" },
  ".cm-tooltip.cm-inspect": {
    maxWidth: "min(80ch, 90vw)",
    maxHeight: "20em",
    overflow: "auto",
    padding: "4px 8px",
  },
  ".cm-inspect pre": { margin: "0", fontFamily: "var(--mono)", whiteSpace: "pre-wrap" },
  ".cm-inspect p": { margin: "0", color: "var(--muted)" },
  "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground": {
    backgroundColor: "var(--selection)",
  },
  ".cm-selectionBackground": { backgroundColor: "var(--selection-blurred)" },
});

/** Editor styling that tracks the window's theme, also when it changes while open. */
export function followColorScheme(): Extension {
  const scheme = new Compartment();
  const watcher = ViewPlugin.define((view) => {
    const root = document.documentElement;
    const onChange = (): void => {
      view.dispatch({ effects: scheme.reconfigure(EditorView.darkTheme.of(isDark())) });
    };
    root.addEventListener(THEME_EVENT, onChange);
    return { destroy: () => root.removeEventListener(THEME_EVENT, onChange) };
  });
  return [scheme.of(EditorView.darkTheme.of(isDark())), colours, watcher];
}
