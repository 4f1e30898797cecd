import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { HistoryPoint } from "../src/protocol/wire.gen.ts";
import { authorOf, markWords, pointName, sessionsOf } from "../src/ui/history-timeline.ts";

function point(time: number, session: number, fields: Partial<HistoryPoint> = {}): HistoryPoint {
  return {
    heads: [time.toString(16).padStart(64, "0")],
    time,
    session,
    author: "window",
    author_id: "aa",
    author_label: "another window",
    marks: [],
    changes: 1,
    ...fields,
  };
}

describe("the history timeline", () => {
  it("groups consecutive points of a session, with each session's span", () => {
    const sessions = sessionsOf([point(100, 0), point(160, 0), point(5000, 1), point(5100, 1), point(9000, 2)]);
    assert.deepEqual(
      sessions.map((s) => [s.session, s.start, s.end, s.points]),
      [
        [0, 100, 160, [0, 1]],
        [1, 5000, 5100, [2, 3]],
        [2, 9000, 9000, [4]],
      ],
    );
    assert.deepEqual(sessionsOf([]), []);
  });

  it("calls this page's own changes “this window” and others by the daemon's label", () => {
    assert.equal(authorOf(point(1, 0, { author_id: "abc" }), "abc"), "this window");
    assert.equal(authorOf(point(1, 0, { author_id: "def" }), "abc"), "another window");
    const kernel = point(1, 0, { author: "kernel", author_id: "abc", author_label: "the kernel's outputs" });
    assert.equal(authorOf(kernel, "abc"), "the kernel's outputs");
  });

  it("names a point by its time, author, marks and size", () => {
    const name = pointName(point(1, 0, { marks: ["save", "execution", "external_edit"], changes: 3 }), "zz");
    assert.match(name, /another window, saved, ran, edited on disk, 3 changes$/);
    assert.equal(markWords("something_new"), "something new");
  });
});
