/**
 * `npm run readme-keys`: writes the README's keyboard table from keymap.ts (through
 * shortcut-sections.ts), so the README lists exactly the keys the window binds.
 */

import { readFileSync, writeFileSync } from "node:fs";

import { shortcutsMarkdown, withKeyboardTable } from "../src/ui/shortcut-sections.ts";

const README = new URL("../../README.md", import.meta.url);
const updated = withKeyboardTable(readFileSync(README, "utf8"), shortcutsMarkdown());
if (updated === null) {
  console.error("README.md has no keyboard-table markers: put them back around the keyboard section");
  process.exit(1);
}
writeFileSync(README, updated);
console.log("README.md keyboard table written");
