import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";

import {
  SHORTCUT_SECTIONS,
  shortcutsMarkdown,
  TABLE_END,
  TABLE_START,
  withKeyboardTable,
} from "../src/ui/shortcut-sections.ts";

const README = new URL("../../README.md", import.meta.url);

describe("the README's keyboard table", () => {
  it("is what keymap.ts binds (else run `npm --prefix web run readme-keys`)", () => {
    const readme = readFileSync(README, "utf8");
    const expected = withKeyboardTable(readme, shortcutsMarkdown());
    assert.ok(expected !== null, `README.md lacks the markers ${TABLE_START} … ${TABLE_END}`);
    assert.equal(readme, expected, "README.md's keyboard table is stale: run `npm --prefix web run readme-keys`");
  });

  it("lists every key of every table, in words people read", () => {
    const table = shortcutsMarkdown();
    for (const section of SHORTCUT_SECTIONS) {
      assert.ok(table.includes(`**${section.title}**`));
      for (const row of section.rows) {
        assert.ok(table.includes(row.description), row.description);
      }
    }
    assert.ok(table.includes("| `K`, `↑` | Select the cell above |"), "same-description keys share a row");
    assert.ok(table.includes("`Ctrl/Cmd-Shift-Minus`"));
  });

  it("is written between the markers only, and refused without them", () => {
    const readme = `intro\n${TABLE_START}\nold\n${TABLE_END}\noutro\n`;
    assert.equal(withKeyboardTable(readme, "new"), `intro\n${TABLE_START}\n\nnew\n\n${TABLE_END}\noutro\n`);
    assert.equal(withKeyboardTable("no markers", "new"), null);
  });
});
