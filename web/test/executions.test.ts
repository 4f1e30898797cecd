import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { cellId, executionId } from "../src/protocol/wire.gen.ts";
import { ExecutionTracker } from "../src/ui/executions.ts";

describe("execution tracker", () => {
  it("follows requests, the queue and completions", () => {
    const tracker = new ExecutionTracker();
    tracker.requested(["a", "b"]);
    assert.equal(tracker.stateOf("a"), "queued");
    tracker.apply({ event: "queue_changed", running: cellId("a"), queued: [cellId("b")] });
    assert.equal(tracker.stateOf("a"), "running");
    assert.equal(tracker.stateOf("b"), "queued");
    tracker.apply({
      event: "execution_done",
      cell_id: cellId("a"),
      execution_id: executionId("e1"),
      status: "ok",
      execution_count: 1,
      heads: [],
    });
    assert.equal(tracker.stateOf("a"), "done");
    tracker.apply({ event: "execution_started", cell_id: cellId("b"), execution_id: executionId("e2") });
    assert.equal(tracker.stateOf("b"), "running");
    assert.deepEqual(tracker.busyCells(), ["b"]);
  });

  it("remembers how the last run ended until outputs are cleared", () => {
    const tracker = new ExecutionTracker();
    const done = (id: string, status: "ok" | "error" | "aborted") =>
      tracker.apply({
        event: "execution_done",
        cell_id: cellId(id),
        execution_id: executionId(`e-${id}`),
        status,
        execution_count: null,
        heads: [],
      });
    done("a", "ok");
    done("b", "error");
    done("c", "aborted");
    assert.deepEqual(["a", "b", "c"].map((id) => tracker.stateOf(id)), ["done", "error", "idle"]);
    tracker.requested(["a"]);
    assert.equal(tracker.stateOf("a"), "queued", "a queued run shows over the last outcome");
    tracker.reset();
    assert.equal(tracker.stateOf("b"), "error", "a lost daemon does not erase outcomes");
    tracker.forgetOutcomes(["b"]);
    assert.equal(tracker.stateOf("b"), "idle");
    tracker.forgetOutcomes("all");
    assert.equal(tracker.stateOf("a"), "idle");
  });

  it("forgets a cancelled request and everything on reset", () => {
    const tracker = new ExecutionTracker();
    tracker.requested(["a", "b"]);
    tracker.cancelled(["a"]);
    assert.equal(tracker.stateOf("a"), "idle");
    tracker.reset();
    assert.deepEqual(tracker.busyCells(), []);
  });
});
