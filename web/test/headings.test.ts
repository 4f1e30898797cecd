import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { Cell } from "../src/doc/notebook.ts";
import { cellId } from "../src/protocol/wire.gen.ts";
import { collapsedAbove, headingsIn, hiddenCells, isCollapsed, outlineOf, withCollapsed } from "../src/ui/headings.ts";

function cell(id: string, source: string, collapsed = false, cellType = "markdown"): Cell {
  const metadata = collapsed ? '{"jupyter":{"heading_collapsed":true}}' : "{}";
  return { id: cellId(id), cellType, position: id, source, executionCount: null, outputs: [], metadata, attachments: null };
}

describe("headings", () => {
  it("reads ATX and setext headings, not those in fenced code", () => {
    const source = "# One\ntext\n```\n# not a heading\n```\nTwo *b*\n---\n### [Three](x) ###";
    assert.deepEqual(
      headingsIn(source, cellId("a")).map((h) => [h.level, h.text]),
      [[1, "One"], [2, "Two b"], [3, "Three"]],
    );
  });

  it("lists only markdown cells' headings", () => {
    const cells = [cell("a", "# A"), cell("b", "# not markdown", false, "code"), cell("c", "## C")];
    assert.deepEqual(outlineOf(cells).map((h) => h.text), ["A", "C"]);
  });

  it("a collapsed heading hides cells up to the next heading of its level or higher", () => {
    const cells = [
      cell("h1", "# Top"),
      cell("h2", "## Sub", true),
      cell("x", "x = 1", false, "code"),
      cell("h3", "### Deeper"),
      cell("y", "y", false, "code"),
      cell("h2b", "## Next"),
      cell("z", "z", false, "code"),
    ];
    assert.deepEqual([...hiddenCells(cells)], ["x", "h3", "y"]);
    assert.deepEqual(collapsedAbove(cells, cellId("y")), ["h2"]);
    assert.deepEqual(collapsedAbove(cells, cellId("z")), []);
  });

  it("writes heading_collapsed as JupyterLab does, keeping other metadata", () => {
    const collapsed = withCollapsed('{"tags":["x"]}', true);
    assert.deepEqual(JSON.parse(collapsed), { tags: ["x"], jupyter: { heading_collapsed: true } });
    assert.ok(isCollapsed(cell("a", "# A", true)));
    assert.deepEqual(JSON.parse(withCollapsed(collapsed, false)), { tags: ["x"] });
  });
});
