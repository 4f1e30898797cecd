import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { cellId } from "../src/protocol/wire.gen.ts";
import { getCell, insertCell, type NotebookDoc, replaceSource } from "../src/doc/notebook.ts";
import { findInCells, type SearchTexts } from "../src/ui/find-matches.ts";
import { compileQuery, type FindQuery, matchesIn, replacementFor } from "../src/ui/find-query.ts";
import { applyReplace, applyUndo, planReplace, planUndo } from "../src/ui/find-replace.ts";
import { daemonDoc } from "./helpers.ts";
import { orderedCells } from "../src/doc/notebook.ts";

const PLAIN: FindQuery = { text: "", caseSensitive: false, wholeWord: false, regex: false };

function ranges(text: string, query: Partial<FindQuery>): string[] {
  const compiled = compileQuery({ ...PLAIN, ...query });
  if (compiled.kind !== "ready") {
    throw new Error(`query not ready: ${compiled.kind}`);
  }
  return matchesIn(text, compiled.pattern).map((r) => text.slice(r.from, r.to));
}

const NO_TEXTS: SearchTexts = { output: () => undefined, rendered: (source) => source.replace(/[#*]/g, "") };

function docWith(sources: string[], types: ("code" | "markdown")[] = []): NotebookDoc {
  let doc = daemonDoc();
  sources.forEach((source, index) => {
    doc = insertCell(doc, index, { cellId: cellId(`c${index}`), cellType: types[index] ?? "code", source });
  });
  return doc;
}

describe("find queries", () => {
  it("ignores case unless asked", () => {
    assert.deepEqual(ranges("Foo foo FOO", { text: "foo" }), ["Foo", "foo", "FOO"]);
    assert.deepEqual(ranges("Foo foo FOO", { text: "foo", caseSensitive: true }), ["foo"]);
  });

  it("whole words only, also next to non-ASCII letters", () => {
    assert.deepEqual(ranges("x = x_1 + x + éx", { text: "x", wholeWord: true }), ["x", "x"]);
  });

  it("plain text is not a pattern; regex is", () => {
    assert.deepEqual(ranges("a.c abc", { text: "a.c" }), ["a.c"]);
    assert.deepEqual(ranges("a.c abc", { text: "a.c", regex: true }), ["a.c", "abc"]);
  });

  it("an invalid regex says so instead of throwing", () => {
    const compiled = compileQuery({ ...PLAIN, text: "(unclosed", regex: true });
    if (compiled.kind !== "invalid") {
      throw new Error(`an invalid regex compiled: ${compiled.kind}`);
    }
    assert.match(compiled.message, /^Not a valid regular expression: /);
  });

  it("empty matches are skipped, not looped on", () => {
    assert.deepEqual(ranges("aaa", { text: "x*", regex: true }), []);
    assert.deepEqual(ranges("ab\ncd", { text: "^", regex: true }), []);
  });

  it("expands groups in regex replacements", () => {
    const compiled = compileQuery({ ...PLAIN, text: "(\\w+)@(?<host>\\w+)", regex: true });
    const text = "mail bob@example now";
    const [range] = compiled.kind === "ready" ? matchesIn(text, compiled.pattern) : [];
    assert.ok(range);
    assert.equal(replacementFor(text, range, compiled, "$<host>:$1 ($&) $$"), "example:bob (bob@example) $");
  });
});

describe("find in cells", () => {
  it("searches every cell in order, rendered markdown when asked", () => {
    const doc = docWith(["x = 1", "# **Title** x", "print(x)"], ["code", "markdown", "code"]);
    const cells = orderedCells(doc);
    const query = compileQuery({ ...PLAIN, text: "x" });
    const matches = findInCells(cells, query, { outputs: false, renderedMarkdown: false }, NO_TEXTS);
    assert.deepEqual(
      matches.map((m) => [m.cellId, m.place, m.from]),
      [["c0", "source", 0], ["c1", "source", 12], ["c2", "source", 6]],
    );
    const title = compileQuery({ ...PLAIN, text: "Title x" });
    assert.equal(findInCells(cells, title, { outputs: false, renderedMarkdown: false }, NO_TEXTS).length, 0);
    const rendered = findInCells(cells, title, { outputs: false, renderedMarkdown: true }, NO_TEXTS);
    assert.deepEqual(rendered.map((m) => [m.cellId, m.place]), [["c1", "rendered"]]);
  });
});

describe("replace and undo", () => {
  it("replaces every source match in one change and undoes it in one", () => {
    const doc = docWith(["a = a + 1", "b = a", "nothing"]);
    const query = compileQuery({ ...PLAIN, text: "a", wholeWord: true });
    const matches = findInCells(orderedCells(doc), query, { outputs: false, renderedMarkdown: false }, NO_TEXTS);
    const record = planReplace(doc, matches, query, "alpha");
    assert.equal(record.count, 3);
    const replaced = applyReplace(doc, record);
    assert.equal(getCell(replaced, cellId("c0"))?.source, "alpha = alpha + 1");
    assert.equal(getCell(replaced, cellId("c1"))?.source, "b = alpha");
    const { restore, changedSince } = planUndo(replaced, record);
    assert.equal(changedSince, 0);
    const undone = applyUndo(replaced, restore);
    assert.deepEqual(orderedCells(undone).map((c) => c.source), ["a = a + 1", "b = a", "nothing"]);
  });

  it("undo leaves a cell edited since the replace as it is", () => {
    const doc = docWith(["a", "a"]);
    const query = compileQuery({ ...PLAIN, text: "a" });
    const matches = findInCells(orderedCells(doc), query, { outputs: false, renderedMarkdown: false }, NO_TEXTS);
    const record = planReplace(doc, matches, query, "bb");
    const edited = replaceSource(applyReplace(doc, record), cellId("c1"), "bb and more");
    const { restore, changedSince } = planUndo(edited, record);
    assert.equal(changedSince, 1);
    assert.deepEqual(orderedCells(applyUndo(edited, restore)).map((c) => c.source), ["a", "bb and more"]);
  });
});
