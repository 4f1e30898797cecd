import assert from "node:assert/strict";
import { describe, it } from "node:test";

import * as A from "@automerge/automerge/slim";
import { ChangeSet, EditorSelection, EditorState } from "@codemirror/state";

import { newCellId } from "../src/doc/ids.ts";
import { getCell, insertCell, type NotebookDoc, spliceSource, spliceSourceMany } from "../src/doc/notebook.ts";
import {
  applyToString,
  changeSetFromEdits,
  editorChangeFor,
  LINE_SEPARATOR,
  minimalEdit,
  sourceUpdatesFromPatches,
  splicesFromChanges,
} from "../src/ui/text-changes.ts";
import { daemonDoc, syncAll } from "./helpers.ts";

function editorState(text: string, cursor = 0): EditorState {
  return EditorState.create({
    doc: text,
    selection: EditorSelection.cursor(cursor),
    extensions: [EditorState.lineSeparator.of(LINE_SEPARATOR)],
  });
}

function textOf(state: EditorState): string {
  return state.doc.sliceString(0, state.doc.length, LINE_SEPARATOR);
}

/** A synced pair of replicas holding one cell with `source`. */
function twoReplicas(source: string): { local: NotebookDoc; remote: NotebookDoc; cellId: ReturnType<typeof newCellId> } {
  const cellId = newCellId();
  const [remote, local] = syncAll(insertCell(daemonDoc(), 0, { cellId, cellType: "code", source }), A.init());
  return { local, remote, cellId };
}

/** Send `remote`'s changes to `local` by sync, collecting the patches `local` sees. */
function receive(local: NotebookDoc, remote: NotebookDoc): { doc: NotebookDoc; patches: A.Patch[] } {
  const patches: A.Patch[] = [];
  let localState = A.initSyncState();
  let remoteState = A.initSyncState();
  for (let round = 0; round < 20; round += 1) {
    let toLocal: Uint8Array | null;
    [remoteState, toLocal] = A.generateSyncMessage(remote, remoteState);
    if (toLocal !== null) {
      [local, localState] = A.receiveSyncMessage(local, localState, toLocal, {
        patchCallback: (batch) => patches.push(...batch),
      });
    }
    let toRemote: Uint8Array | null;
    [localState, toRemote] = A.generateSyncMessage(local, localState);
    if (toRemote !== null) {
      [remote, remoteState] = A.receiveSyncMessage(remote, remoteState, toRemote);
    }
    if (toLocal === null && toRemote === null) {
      return { doc: local, patches };
    }
  }
  throw new Error("sync did not converge");
}

describe("local CodeMirror changes to splices", () => {
  it("turns a multi-range change into left-to-right splices", () => {
    const before = "alpha beta gamma";
    const changes = ChangeSet.of(
      [
        { from: 0, to: 5, insert: "A" },
        { from: 6, to: 6, insert: "really " },
        { from: 11, to: 16 },
      ],
      before.length,
    );
    const splices = splicesFromChanges(changes);
    assert.deepEqual(splices, [
      { index: 0, deleteCount: 5, text: "A" },
      { index: 2, deleteCount: 0, text: "really " },
      { index: 14, deleteCount: 5, text: "" },
    ]);
    let text = before;
    for (const { index, deleteCount, text: inserted } of splices) {
      text = text.slice(0, index) + inserted + text.slice(index + deleteCount);
    }
    assert.equal(text, applyToString(changes, before));
  });

  it("applies the splices to the Automerge text with UTF-16 offsets", () => {
    const { local, cellId } = twoReplicas("x = '😀'\n");
    const state = editorState("x = '😀'\n");
    // Insert after the emoji: offset 7 in UTF-16 (the emoji is two code units).
    const transaction = state.update({ changes: { from: 7, insert: "🎉" } });
    const doc = spliceSourceMany(local, cellId, splicesFromChanges(transaction.changes));
    assert.equal(getCell(doc, cellId)?.source, "x = '😀🎉'\n");
    assert.equal(getCell(doc, cellId)?.source, textOf(transaction.state));
  });

  it("refuses a splice that would cut an emoji in half", () => {
    const { local, cellId } = twoReplicas("😀");
    assert.throws(() => spliceSourceMany(local, cellId, [{ index: 1, deleteCount: 0, text: "x" }]), {
      name: "NotebookError",
    });
  });
});

describe("remote Automerge patches to editor changes", () => {
  it("maps splices and deletions from another replica onto the editor", () => {
    const { local, remote, cellId } = twoReplicas("def f():\n    return 1\n");
    let edited = spliceSource(remote, cellId, 0, 0, "# 😀 header\n");
    edited = spliceSource(edited, cellId, "# 😀 header\ndef ".length, 1, "g");
    const { doc, patches } = receive(local, edited);
    const updates = sourceUpdatesFromPatches(patches);
    const update = updates.get(cellId);
    assert.equal(update?.kind, "edits");

    // The local cursor sits right after "return " and must stay there.
    const before = "def f():\n    return 1\n";
    const cursor = before.indexOf("1");
    const state = editorState(before, cursor);
    const changes = editorChangeFor(textOf(state), getCell(doc, cellId)?.source ?? "", update);
    assert.ok(changes !== null);
    const after = state.update({ changes }).state;
    assert.equal(textOf(after), "# 😀 header\ndef g():\n    return 1\n");
    assert.equal(textOf(after).slice(after.selection.main.head), "1\n");
  });

  it("falls back to a minimal diff when the text object is replaced", () => {
    const { local, remote, cellId } = twoReplicas("old text");
    const replaced = A.change(remote, (draft) => {
      const cell = draft.cells?.[cellId];
      if (cell !== undefined) {
        cell.source = "new text";
      }
    });
    const { doc, patches } = receive(local, replaced);
    const update = sourceUpdatesFromPatches(patches).get(cellId);
    assert.equal(update?.kind, "replace");
    const changes = editorChangeFor("old text", getCell(doc, cellId)?.source ?? "", update);
    assert.ok(changes !== null);
    assert.equal(applyToString(changes, "old text"), "new text");
  });

  it("ignores patches that do not touch a cell's source", () => {
    const updates = sourceUpdatesFromPatches([
      { action: "put", path: ["metadata", "kernelspec"], value: "{}" },
      { action: "put", path: ["cells", "abc", "execution_count"], value: 3 },
    ]);
    assert.equal(updates.size, 0);
  });

  it("rejects edits outside the text and diffs instead", () => {
    assert.equal(changeSetFromEdits(3, [{ from: 2, to: 9, insert: "" }]), null);
    const changes = editorChangeFor("abc", "abXc", {
      kind: "edits",
      edits: [{ from: 7, to: 7, insert: "X" }],
    });
    assert.ok(changes !== null);
    assert.equal(applyToString(changes, "abc"), "abXc");
  });

  it("keeps carriage returns as text so offsets stay equal", () => {
    const state = editorState("a\r\nb");
    assert.equal(state.doc.length, 4);
    const changes = editorChangeFor(textOf(state), "a\r\nbc", undefined);
    assert.ok(changes !== null);
    assert.equal(textOf(state.update({ changes }).state), "a\r\nbc");
  });
});

describe("minimal edits", () => {
  it("is null for equal texts", () => {
    assert.equal(minimalEdit("same", "same"), null);
  });

  it("keeps the common prefix and suffix", () => {
    assert.deepEqual(minimalEdit("hello world", "hello brave world"), {
      from: 6,
      to: 6,
      insert: "brave ",
    });
  });

  it("never splits a surrogate pair", () => {
    // 😀 and 😃 share their high surrogate; the edit must replace the whole character.
    assert.deepEqual(minimalEdit("a😀b", "a😃b"), { from: 1, to: 3, insert: "😃" });
    // 😀 and 🙀 share their low surrogate.
    assert.deepEqual(minimalEdit("a😀b", "a🙀b"), { from: 1, to: 3, insert: "🙀" });
  });
});
