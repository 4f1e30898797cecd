import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  codePointOffset,
  completionRange,
  onlyWhitespaceBefore,
  utf16Offset,
} from "../src/ui/completion-items.ts";

describe("completion offsets", () => {
  it("convert between UTF-16 units and code points", () => {
    const text = "x = '😀'; impo";
    const end = text.length;
    assert.equal(codePointOffset(text, end), end - 1, "the emoji is two units, one code point");
    assert.equal(utf16Offset(text, end - 1), end);
    assert.equal(codePointOffset("abc", 2), 2);
    assert.equal(utf16Offset("abc", 10), 3, "clamped to the text");
    for (let i = 0; i <= text.length; i += 1) {
      if (i !== 6) {
        assert.equal(utf16Offset(text, codePointOffset(text, i)), i, `round trip at ${i}`);
      }
    }
  });
});

describe("completionRange", () => {
  it("places the matches in UTF-16 units and keeps the kernel's types", () => {
    const text = "'😀'; import o";
    const range = completionRange(text, {
      matches: ["os", "operator", "os"],
      cursor_start: 12,
      cursor_end: 13,
      metadata: {
        _jupyter_types_experimental: [
          { text: "os", type: "module" },
          { text: "operator", type: "mystery" },
        ],
      },
    });
    assert.deepEqual(range, {
      from: 13,
      to: 14,
      options: [{ label: "os", type: "namespace", detail: "module" }, { label: "operator", detail: "mystery" }],
    });
  });

  it("is null without matches and tolerates odd metadata", () => {
    assert.equal(completionRange("x", { matches: [], cursor_start: 0, cursor_end: 1, metadata: {} }), null);
    const range = completionRange("ab", { matches: ["abc"], cursor_start: 0, cursor_end: 2, metadata: 5 });
    assert.deepEqual(range?.options, [{ label: "abc" }]);
  });
});

describe("Tab", () => {
  it("indents with only whitespace before the cursor", () => {
    assert.equal(onlyWhitespaceBefore("    ", 4), true);
    assert.equal(onlyWhitespaceBefore("", 0), true);
    assert.equal(onlyWhitespaceBefore("  import o", 10), false);
    assert.equal(onlyWhitespaceBefore("  import o", 2), true);
  });
});
