import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ACTIONS } from "../src/actions.ts";
import {
  COMMAND_SHORTCUTS,
  describeKeys,
  EDIT_SHORTCUTS,
  GLOBAL_SHORTCUTS,
  KeySequencer,
  type KeyStroke,
  type Shortcut,
  strokeName,
} from "../src/ui/keymap.ts";

function stroke(key: string, modifiers: Partial<Omit<KeyStroke, "key">> = {}): KeyStroke {
  return { key, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...modifiers };
}

/** What each command-mode key does, as JupyterLab binds it. */
const JUPYTERLAB_COMMAND_KEYS: ReadonlyArray<[string, string]> = [
  ["a", "add-above"],
  ["b", "add-below"],
  ["d d", "delete"],
  ["z", "undo-delete"],
  ["c", "copy"],
  ["x", "cut"],
  ["v", "paste"],
  ["m", "to-markdown"],
  ["y", "to-code"],
  ["r", "to-raw"],
  ["j", "select-down"],
  ["k", "select-up"],
  ["ArrowDown", "select-down"],
  ["ArrowUp", "select-up"],
  ["Shift-Enter", "run-next"],
  ["Mod-Enter", "run"],
  ["Alt-Enter", "run-insert"],
  ["i i", "interrupt"],
  ["0 0", "restart"],
  ["h", "shortcuts"],
  ["Enter", "edit-mode"],
  ["Shift-j", "extend-down"],
  ["Shift-k", "extend-up"],
  ["Shift-ArrowDown", "extend-down"],
  ["Shift-ArrowUp", "extend-up"],
  ["Mod-a", "select-all"],
  ["Shift-m", "merge"],
  ["Mod-Shift-ArrowUp", "move-up"],
  ["Mod-Shift-ArrowDown", "move-down"],
];

/** The classic Notebook's keys for outputs (O, Shift-O), and nbdesk's for hiding an input. */
const OTHER_COMMAND_KEYS: ReadonlyArray<[string, string]> = [
  ["o", "toggle-outputs"],
  ["Shift-o", "toggle-scrolled"],
  ["Shift-i", "toggle-input"],
  ["Shift-z", "undo-restore"],
];

describe("keymap tables", () => {
  it("bind JupyterLab's command-mode keys", () => {
    const table = new Map(COMMAND_SHORTCUTS.map((s) => [s.keys, s.action]));
    const expected = [...JUPYTERLAB_COMMAND_KEYS, ...OTHER_COMMAND_KEYS];
    for (const [keys, action] of expected) {
      assert.equal(table.get(keys), action, keys);
    }
    assert.equal(table.size, expected.length);
  });

  it("bind the edit-mode keys CodeMirror hands over", () => {
    const table = new Map(EDIT_SHORTCUTS.map((s) => [s.keys, s.action]));
    assert.equal(table.get("Escape"), "command-mode");
    assert.equal(table.get("Shift-Enter"), "run-next");
    assert.equal(table.get("Mod-Enter"), "run");
    assert.equal(table.get("Alt-Enter"), "run-insert");
    assert.equal(table.get("Mod-Shift--"), "split");
  });

  it("name only real actions, each key once per table, no key both alone and a prefix", () => {
    const tables: ReadonlyArray<readonly Shortcut[]> = [COMMAND_SHORTCUTS, EDIT_SHORTCUTS, GLOBAL_SHORTCUTS];
    for (const table of tables) {
      const keys = table.map((s) => s.keys);
      assert.equal(new Set(keys).size, keys.length, `duplicate keys in ${keys.join(",")}`);
      for (const shortcut of table) {
        assert.ok(ACTIONS.includes(shortcut.action), shortcut.action);
        assert.ok(shortcut.description.length > 0);
        const first = shortcut.keys.split(" ")[0];
        if (shortcut.keys.includes(" ")) {
          assert.ok(!keys.includes(first ?? ""), `${first} is both a key and a sequence start`);
        }
      }
    }
  });

  it("keep global keys out of the command table, so both modes agree", () => {
    const global = new Set(GLOBAL_SHORTCUTS.map((s) => s.keys));
    assert.ok(COMMAND_SHORTCUTS.every((s) => !global.has(s.keys)));
  });
});

describe("strokeName", () => {
  it("names keys in the tables' notation", () => {
    assert.equal(strokeName(stroke("a")), "a");
    assert.equal(strokeName(stroke("A", { shiftKey: true })), "Shift-a");
    assert.equal(strokeName(stroke("Enter", { shiftKey: true })), "Shift-Enter");
    assert.equal(strokeName(stroke("Enter", { ctrlKey: true })), "Mod-Enter");
    assert.equal(strokeName(stroke("Enter", { metaKey: true })), "Mod-Enter");
    assert.equal(strokeName(stroke("Enter", { altKey: true })), "Alt-Enter");
    assert.equal(strokeName(stroke("S", { ctrlKey: true, shiftKey: true })), "Mod-Shift-s");
    assert.equal(strokeName(stroke("0")), "0");
  });

  it("ignores lone modifiers", () => {
    assert.equal(strokeName(stroke("Shift", { shiftKey: true })), null);
    assert.equal(strokeName(stroke("Control", { ctrlKey: true })), null);
  });
});

describe("describeKeys", () => {
  it("spells keys for people", () => {
    assert.equal(describeKeys("d d"), "D D");
    assert.equal(describeKeys("Mod-Shift--"), "Ctrl/Cmd-Shift-Minus");
    assert.equal(describeKeys("Shift-Enter"), "Shift-Enter");
    assert.equal(describeKeys("ArrowUp"), "↑");
  });
});

describe("KeySequencer", () => {
  const command = () => new KeySequencer(COMMAND_SHORTCUTS, 1000);

  it("resolves single keys at once", () => {
    assert.deepEqual(command().press("a", 0), { kind: "action", action: "add-above" });
    assert.deepEqual(command().press("q", 0), { kind: "none" });
  });

  it("waits for the second key of a sequence", () => {
    const keys = command();
    assert.deepEqual(keys.press("d", 0), { kind: "pending" });
    assert.deepEqual(keys.press("d", 300), { kind: "action", action: "delete" });
    assert.deepEqual(keys.press("d", 400), { kind: "pending" }, "a third d starts afresh");
  });

  it("drops a sequence after the timeout or another key", () => {
    const keys = command();
    keys.press("i", 0);
    assert.deepEqual(keys.press("i", 1500), { kind: "pending" }, "too late: a new start");
    assert.deepEqual(keys.press("a", 1600), { kind: "action", action: "add-above" });
    assert.deepEqual(keys.press("i", 1700), { kind: "pending" });
    keys.reset();
    assert.deepEqual(keys.press("i", 1800), { kind: "pending" });
    assert.deepEqual(keys.press("0", 1900), { kind: "pending" }, "0 after i starts 0 0");
    assert.deepEqual(keys.press("0", 2000), { kind: "action", action: "restart" });
  });
});
