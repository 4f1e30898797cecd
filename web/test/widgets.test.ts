import assert from "node:assert/strict";
import { describe, it } from "node:test";

import * as A from "@automerge/automerge/slim";

import { listComms, type NotebookDoc } from "../src/doc/notebook.ts";
import {
  diffComms,
  findBlobRefs,
  parseWidgetView,
  readWidgetComms,
  replaceAtPaths,
  stateDelta,
  type WidgetComms,
} from "../src/widgets/comm-state.ts";
import { LocalEdits } from "../src/widgets/local-edits.ts";
import { daemonDoc } from "./helpers.ts";

const S = (value: string) => new A.ImmutableString(value);

/** Write a comm as daemon/notebook_doc.py put_comm does. */
function putComm(
  doc: NotebookDoc,
  commId: string,
  modelName: string,
  state: object,
  seq: number,
): NotebookDoc {
  return A.change(doc, (draft) => {
    draft.comms ??= {};
    draft.comms[commId] = {
      target_name: S("jupyter.widget"),
      model_module: S("@jupyter-widgets/controls"),
      model_name: S(modelName),
      state: S(JSON.stringify({ _model_module_version: "2.0.0", ...state })),
      outputs: [],
      seq,
    };
  });
}

function setState(doc: NotebookDoc, commId: string, state: object): NotebookDoc {
  return A.change(doc, (draft) => {
    const comm = draft.comms?.[commId];
    if (comm !== undefined) {
      comm.state = S(JSON.stringify({ _model_module_version: "2.0.0", ...state }));
    }
  });
}

function comms(doc: NotebookDoc, previous: WidgetComms = new Map()): WidgetComms {
  return readWidgetComms(listComms(doc), previous);
}

describe("widget comms from the document", () => {
  it("lists comms in creation order with their parsed state", () => {
    let doc = putComm(daemonDoc(), "zz-slider", "IntSliderModel", { value: 3, layout: "IPY_MODEL_aa" }, 1);
    doc = putComm(doc, "aa-layout", "LayoutModel", {}, 0);
    const read = comms(doc);
    assert.deepEqual([...read.keys()], ["aa-layout", "zz-slider"]);
    const slider = read.get("zz-slider");
    assert.equal(slider?.modelName, "IntSliderModel");
    assert.equal(slider.modelModuleVersion, "2.0.0");
    assert.equal(slider.state["value"], 3);
    assert.equal(slider.problem, null);
  });

  it("reuses unchanged entries and returns the same map when nothing changed", () => {
    const doc = putComm(daemonDoc(), "s", "IntSliderModel", { value: 3 }, 0);
    const first = comms(doc);
    const withCell = A.change(doc, (draft) => {
      draft.metadata = { ...draft.metadata, note: S("{}") };
    });
    assert.equal(comms(withCell, first), first);
    const moved = comms(setState(withCell, "s", { value: 4 }), first);
    assert.notEqual(moved, first);
  });

  it("diffs opened, updated (changed keys only) and closed models", () => {
    let doc = putComm(daemonDoc(), "s", "IntSliderModel", { value: 3, description: "x" }, 0);
    doc = putComm(doc, "t", "TextModel", { value: "hi" }, 1);
    const before = comms(doc);
    doc = setState(doc, "s", { value: 7, description: "x" });
    doc = A.change(doc, (draft) => {
      delete draft.comms?.["t"];
    });
    doc = putComm(doc, "c", "CheckboxModel", { value: true }, 2);
    const diff = diffComms(before, comms(doc, before));
    assert.deepEqual(
      diff.opened.map((c) => c.commId),
      ["c"],
    );
    assert.deepEqual(diff.closed, ["t"]);
    assert.equal(diff.updated.length, 1);
    assert.deepEqual(diff.updated[0]?.delta, { value: 7 });
    assert.equal(diff.updated[0].outputsChanged, false);
  });

  it("reports an Output widget's new outputs and a comm reopened as another model", () => {
    let doc = putComm(daemonDoc(), "o", "OutputModel", {}, 0);
    const before = comms(doc);
    doc = A.change(doc, (draft) => {
      draft.comms?.["o"]?.outputs.push(S("a".repeat(64)));
    });
    const after = comms(doc, before);
    const diff = diffComms(before, after);
    assert.equal(diff.updated[0]?.outputsChanged, true);
    assert.deepEqual(diff.updated[0].comm.outputs, ["a".repeat(64)]);
    const reopened = comms(putComm(doc, "o", "IntSliderModel", { value: 1 }, 1), after);
    const swap = diffComms(after, reopened);
    assert.deepEqual(swap.closed, ["o"]);
    assert.deepEqual(
      swap.opened.map((c) => c.modelName),
      ["IntSliderModel"],
    );
  });

  it("keeps a comm whose state is not JSON, empty and flagged", () => {
    const doc = A.change(putComm(daemonDoc(), "s", "IntSliderModel", {}, 0), (draft) => {
      const comm = draft.comms?.["s"];
      if (comm !== undefined) {
        comm.state = S("{not json");
      }
    });
    const slider = comms(doc).get("s");
    assert.deepEqual(slider?.state, {});
    assert.match(slider.problem ?? "", /not valid JSON/);
  });

  it("ignores comms of other targets", () => {
    const doc = A.change(putComm(daemonDoc(), "s", "IntSliderModel", {}, 0), (draft) => {
      const comm = draft.comms?.["s"];
      if (comm !== undefined) {
        comm.target_name = S("jupyter.widget.control");
      }
    });
    assert.equal(comms(doc).size, 0);
  });
});

describe("widget state helpers", () => {
  it("finds $blob references at any depth and replaces them", () => {
    const hash = "b".repeat(64);
    const state = { value: { $blob: hash, size: 3 }, list: [1, { $blob: hash, size: 5 }], plain: "x" };
    const refs = findBlobRefs(state);
    assert.deepEqual(refs, [
      { path: ["value"], hash, size: 3 },
      { path: ["list", 1], hash, size: 5 },
    ]);
    const replaced = replaceAtPaths(
      state,
      refs.map((ref) => ref.path),
      ["bytes-1", "bytes-2"],
    );
    assert.deepEqual(replaced, { value: "bytes-1", list: [1, "bytes-2"], plain: "x" });
    assert.deepEqual(state.value, { $blob: hash, size: 3 }, "the input is not modified");
  });

  it("computes the changed keys of a state", () => {
    assert.deepEqual(stateDelta({ a: 1, b: [1, 2], c: "x" }, { a: 1, b: [1, 3], c: "x", d: null }), {
      b: [1, 3],
      d: null,
    });
  });

  it("reads widget-view outputs and refuses other protocol versions", () => {
    assert.deepEqual(parseWidgetView({ version_major: 2, version_minor: 0, model_id: "m1" }), {
      modelId: "m1",
    });
    assert.ok("problem" in parseWidgetView({ version_major: 1, model_id: "m1" }));
    assert.ok("problem" in parseWidgetView({ version_major: 2 }));
    assert.ok("problem" in parseWidgetView("nonsense"));
  });
});

describe("local edits", () => {
  it("holds back stale echoes while a slider is dragged, then follows the document", () => {
    const edits = new LocalEdits(1000);
    edits.sent("s", { value: 10 }, 0);
    edits.sent("s", { value: 15 }, 50);
    assert.deepEqual(edits.filter("s", { value: 10 }, 100), {}, "an older echo is ignored");
    assert.deepEqual(edits.filter("s", { value: 15, description: "x" }, 120), { description: "x" });
    assert.deepEqual(edits.filter("s", { value: 3 }, 130), { value: 3 }, "released after our echo");
    assert.equal(edits.nextExpiry(), null);
  });

  it("lets other models and other keys through", () => {
    const edits = new LocalEdits(1000);
    edits.sent("s", { value: 10 }, 0);
    assert.deepEqual(edits.filter("t", { value: 1 }, 10), { value: 1 });
    assert.deepEqual(edits.filter("s", { max: 50 }, 10), { max: 50 });
  });

  it("gives up on an echo that never comes", () => {
    const edits = new LocalEdits(1000);
    edits.sent("s", { value: 200 }, 0);
    assert.deepEqual(edits.filter("s", { value: 100 }, 500), {}, "still held");
    assert.equal(edits.nextExpiry(), 1000);
    assert.deepEqual([...edits.expire(900)], []);
    assert.deepEqual([...edits.expire(1001)], [["s", ["value"]]]);
    assert.deepEqual(edits.filter("s", { value: 100 }, 1002), { value: 100 });
  });

  it("forgets a closed model", () => {
    const edits = new LocalEdits(1000);
    edits.sent("s", { value: 1 }, 0);
    edits.forget("s");
    assert.equal(edits.nextExpiry(), null);
  });
});
