/**
 * Every keyboard shortcut of the window, grouped as people look for them: the one source
 * of the H panel (shortcuts-help.ts) and of the README's keyboard table
 * (`npm run readme-keys` writes it; test/readme-keys.test.ts fails when it is stale).
 * Pure data and text; no DOM.
 */

import { FIND_PANEL_KEYS } from "./find-panel.ts";
import { HISTORY_KEYS } from "./history-panel.ts";
import { COMMAND_SHORTCUTS, describeKeys, EDIT_SHORTCUTS, GLOBAL_SHORTCUTS } from "./keymap.ts";

export interface ShortcutRow {
  readonly keys: string;
  readonly description: string;
}

export interface ShortcutSection {
  readonly title: string;
  readonly rows: readonly ShortcutRow[];
}

/** Editor keys CodeMirror handles itself, listed for completeness. */
export const EDITOR_KEYS: readonly ShortcutRow[] = [
  { keys: "Tab", description: "Complete from the kernel (indent at the start of a line)" },
  { keys: "Shift-Tab", description: "Show the kernel's help on the name at the cursor (dedent at the start of a line); Escape closes it" },
  { keys: "Mod-z", description: "Undo typing" },
  { keys: "Mod-Shift-z", description: "Redo typing" },
];

export const SHORTCUT_SECTIONS: readonly ShortcutSection[] = [
  { title: "Command mode (Esc)", rows: COMMAND_SHORTCUTS },
  { title: "Edit mode (Enter)", rows: [...EDIT_SHORTCUTS, ...EDITOR_KEYS] },
  { title: "Anywhere", rows: GLOBAL_SHORTCUTS },
  { title: "Find bar", rows: FIND_PANEL_KEYS },
  { title: "History", rows: HISTORY_KEYS },
];

/** Rows with the same description next to each other become one row listing each key. */
function mergedRows(rows: readonly ShortcutRow[]): { keys: string[]; description: string }[] {
  const merged: { keys: string[]; description: string }[] = [];
  for (const row of rows) {
    const last = merged[merged.length - 1];
    if (last?.description === row.description) {
      last.keys.push(row.keys);
    } else {
      merged.push({ keys: [row.keys], description: row.description });
    }
  }
  return merged;
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|");
}

/** The README's keyboard table: one markdown table per section. */
export function shortcutsMarkdown(sections: readonly ShortcutSection[] = SHORTCUT_SECTIONS): string {
  return sections
    .map((section) => {
      const rows = mergedRows(section.rows).map(
        (row) => `| ${row.keys.map((keys) => `\`${cell(describeKeys(keys))}\``).join(", ")} | ${cell(row.description)} |`,
      );
      return [`**${section.title}**`, "", "| keys | does |", "|---|---|", ...rows].join("\n");
    })
    .join("\n\n");
}

export const TABLE_START = "<!-- keyboard-table: generated from web/src/ui/keymap.ts by `npm --prefix web run readme-keys` -->";
export const TABLE_END = "<!-- keyboard-table end -->";

/** `readme` with the text between the table markers replaced by `table`; null without markers. */
export function withKeyboardTable(readme: string, table: string): string | null {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) {
    return null;
  }
  return `${readme.slice(0, start + TABLE_START.length)}\n\n${table}\n\n${readme.slice(end)}`;
}
