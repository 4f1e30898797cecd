import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { notebookLineNumbers, resolveTheme, withNotebookLineNumbers } from "../src/ui/display-settings.ts";

describe("display settings", () => {
  it("resolves the system theme through the system's scheme, a chosen one as is", () => {
    assert.equal(resolveTheme("system", true), "dark");
    assert.equal(resolveTheme("system", false), "light");
    assert.equal(resolveTheme(undefined, true), "dark");
    assert.equal(resolveTheme("light", true), "light");
    assert.equal(resolveTheme("dark", false), "dark");
  });

  it("reads a notebook's line numbers from metadata.nbdesk, null when not chosen or unreadable", () => {
    assert.equal(notebookLineNumbers(undefined), null);
    assert.equal(notebookLineNumbers('{"line_numbers": true}'), true);
    assert.equal(notebookLineNumbers('{"line_numbers": false, "uv": {}}'), false);
    assert.equal(notebookLineNumbers('{"line_numbers": "yes"}'), null);
    assert.equal(notebookLineNumbers("not json"), null);
  });

  it("writes the choice keeping the rest of metadata.nbdesk (dependencies, trust)", () => {
    const nbdesk = '{"trust":{"signature":"ab"},"uv":{"dependencies":["rich"]}}';
    const on = withNotebookLineNumbers(nbdesk, true);
    assert.deepEqual(JSON.parse(on), { trust: { signature: "ab" }, uv: { dependencies: ["rich"] }, line_numbers: true });
    assert.deepEqual(JSON.parse(withNotebookLineNumbers(on, null)), JSON.parse(nbdesk));
    assert.deepEqual(JSON.parse(withNotebookLineNumbers(undefined, false)), { line_numbers: false });
  });

  it("refuses to overwrite a metadata.nbdesk that is not an object, saying what to do", () => {
    for (const raw of ["[1, 2]", "not json", '"text"']) {
      assert.throws(() => withNotebookLineNumbers(raw, true), /not a JSON object.*fix or remove it/);
    }
  });
});
