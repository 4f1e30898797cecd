/** Shared test fixtures: a document with root maps, as the daemon would create it. */

import "@automerge/automerge";
import * as A from "@automerge/automerge/slim";

import type { NotebookDoc, NotebookSchema } from "../src/doc/notebook.ts";

export function daemonDoc(): NotebookDoc {
  return A.change(A.init<NotebookSchema>(), (draft) => {
    draft.schema_version = 3;
    draft.notebook_id = new A.ImmutableString("nb-test");
    draft.cells = {};
    draft.metadata = {};
    draft.comms = {};
  });
}

/** Sync two documents to a fixed point; returns them both. */
export function syncAll<T>(a: A.Doc<T>, b: A.Doc<T>): [A.Doc<T>, A.Doc<T>] {
  let stateA = A.initSyncState();
  let stateB = A.initSyncState();
  for (let round = 0; round < 20; round += 1) {
    let message: Uint8Array | null;
    [stateA, message] = A.generateSyncMessage(a, stateA);
    if (message !== null) {
      [b, stateB] = A.receiveSyncMessage(b, stateB, message);
    }
    let reply: Uint8Array | null;
    [stateB, reply] = A.generateSyncMessage(b, stateB);
    if (reply !== null) {
      [a, stateA] = A.receiveSyncMessage(a, stateA, reply);
    }
    if (message === null && reply === null) {
      return [a, b];
    }
  }
  throw new Error("sync did not converge");
}
