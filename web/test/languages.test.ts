import assert from "node:assert/strict";
import { test } from "node:test";

import * as A from "@automerge/automerge/slim";

import type { NotebookDoc } from "../src/doc/notebook.ts";
import { editorLanguage, notebookLanguage } from "../src/languages/choice.ts";
import sharedModules from "../src/languages/shared-modules.json" with { type: "json" };
import { SHARED_MODULES } from "../src/languages/shared.ts";
import { daemonDoc } from "./helpers.ts";

function docWith(metadata: Record<string, string>): NotebookDoc {
  return A.change(daemonDoc(), (draft) => {
    for (const [key, value] of Object.entries(metadata)) {
      (draft.metadata ??= {})[key] = new A.ImmutableString(value);
    }
  });
}

test("kernel language names map to the editor's languages", () => {
  const cases: [string, string][] = [
    ["python", "python"],
    ["Python3", "python"],
    ["R", "r"],
    ["julia", "julia"],
    ["javascript", "javascript"],
    ["typescript", "typescript"],
    ["bash", "shell"],
    ["sh", "shell"],
    ["zsh", "shell"],
    ["sql", "sql"],
    ["", "python"],
    ["cobol", "plain"],
  ];
  for (const [name, expected] of cases) {
    assert.equal(editorLanguage(name), expected, name);
  }
});

test("language_info.name wins over kernelspec.language, which is the fallback", () => {
  const both = docWith({
    language_info: JSON.stringify({ name: "R" }),
    kernelspec: JSON.stringify({ name: "python3", language: "python" }),
  });
  assert.equal(notebookLanguage(both), "R");
  const specOnly = docWith({ kernelspec: JSON.stringify({ name: "julia-1.10", language: "julia" }) });
  assert.equal(notebookLanguage(specOnly), "julia");
  assert.equal(notebookLanguage(docWith({})), "");
  assert.equal(notebookLanguage(docWith({ language_info: "{not json" })), "");
});

test("the modules the page shares are the ones the languages bundle leaves out", () => {
  assert.deepEqual(Object.keys(SHARED_MODULES).sort(), [...sharedModules].sort());
});
