import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { Patch } from "@automerge/automerge/slim";

import { cellChangesFromPatches } from "../src/ui/cell-changes.ts";

const put = (path: Patch["path"]): Patch => ({ action: "put", path, value: 1 });

describe("cell changes from patches", () => {
  it("names the cells whose content changed", () => {
    const changes = cellChangesFromPatches([
      { action: "splice", path: ["cells", "a", "source", 3], value: "x" },
      put(["cells", "b", "outputs", 0]),
      put(["cells", "b", "execution_count"]),
      put(["metadata", "kernelspec"]),
      put(["comms", "c1", "state"]),
    ]);
    assert.equal(changes.listChanged, false);
    assert.deepEqual([...changes.cells].sort(), ["a", "b"]);
  });

  it("says the list changed when cells come, go or move, or nothing says what changed", () => {
    assert.equal(cellChangesFromPatches([put(["cells", "new"])]).listChanged, true);
    assert.equal(cellChangesFromPatches([{ action: "del", path: ["cells", "old"] }]).listChanged, true);
    assert.equal(cellChangesFromPatches([put(["cells", "a", "position"])]).listChanged, true);
    assert.equal(cellChangesFromPatches([put(["cells"])]).listChanged, true);
    assert.equal(cellChangesFromPatches([]).listChanged, true);
    assert.equal(cellChangesFromPatches([put(["metadata", "x"])]).listChanged, false);
  });
});
