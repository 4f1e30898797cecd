import assert from "node:assert/strict";
import { describe, it } from "node:test";

import * as A from "@automerge/automerge/slim";
import { decode, encode } from "@msgpack/msgpack";

import { newCellId } from "../src/doc/ids.ts";
import { getCell, insertCell, type NotebookDoc, orderedCells, spliceSource } from "../src/doc/notebook.ts";
import { encodeFrame, type Frame, FrameDecoder } from "../src/protocol/framing.ts";
import { FrameType } from "../src/protocol/wire.gen.ts";
import { type DocChange, Session, type SessionListener } from "../src/session.ts";
import type { Transport, TransportState } from "../src/transport.ts";
import { daemonDoc } from "./helpers.ts";

/** An in-memory relay + daemon: a canonical document and one sync state for the page. */
class FakeDaemon implements Transport {
  doc: NotebookDoc = daemonDoc();
  syncState = A.initSyncState();
  requests: Record<string, unknown>[] = [];
  readonly state: TransportState = "open";
  #frameListeners: ((frame: Frame) => void)[] = [];
  #textListeners: ((text: string) => void)[] = [];
  #inbox: Uint8Array[] = [];

  sendFrame(frame: Uint8Array): void {
    this.#inbox.push(frame);
  }

  sendText(): void {}

  onFrame(listener: (frame: Frame) => void): void {
    this.#frameListeners.push(listener);
  }

  onText(listener: (text: string) => void): void {
    this.#textListeners.push(listener);
  }

  onClose(): void {}

  control(message: Record<string, unknown>): void {
    for (const listener of this.#textListeners) {
      listener(JSON.stringify(message));
    }
  }

  toPage(type: FrameType, payload: Uint8Array): void {
    const [frame] = new FrameDecoder().push(encodeFrame(type, payload));
    assert.ok(frame !== undefined);
    for (const listener of this.#frameListeners) {
      listener(frame);
    }
  }

  /** Answer sync messages until both sides are quiet (the daemon's pump). */
  pump(): void {
    for (let round = 0; round < 50; round += 1) {
      this.#syncOut();
      const inbox = this.#inbox.splice(0);
      if (inbox.length === 0) {
        return;
      }
      for (const bytes of inbox) {
        const [frame] = new FrameDecoder().push(bytes);
        assert.ok(frame !== undefined);
        if (frame.type === FrameType.DOC_SYNC) {
          [this.doc, this.syncState] = A.receiveSyncMessage(this.doc, this.syncState, frame.payload);
        } else if (frame.type === FrameType.REQUEST) {
          const request = decode(frame.payload);
          assert.ok(typeof request === "object" && request !== null && !Array.isArray(request));
          this.requests.push(Object.fromEntries(Object.entries(request)));
        }
      }
    }
    throw new Error("the page and the daemon did not settle");
  }

  edit(edit: (doc: NotebookDoc) => NotebookDoc): void {
    this.doc = edit(this.doc);
    this.pump();
  }

  #syncOut(): void {
    const [state, message] = A.generateSyncMessage(this.doc, this.syncState);
    this.syncState = state;
    if (message !== null) {
      this.toPage(FrameType.DOC_SYNC, message);
    }
  }
}

class Recorder implements SessionListener {
  changes: DocChange[] = [];
  states: string[] = [];
  events: string[] = [];

  docChanged(change: DocChange): void {
    this.changes.push(change);
  }

  broadcast(event: { event: string }): void {
    this.events.push(event.event);
  }

  connection(state: string): void {
    this.states.push(state);
  }
}

const CONNECTED = { type: "connected", notebook_id: "nb-test", path: null, daemon_version: "0", blob_url: null };

function connect(): { daemon: FakeDaemon; session: Session; recorder: Recorder } {
  const daemon = new FakeDaemon();
  const recorder = new Recorder();
  const session = new Session(daemon, recorder, { flushDelayMs: 0 });
  daemon.control(CONNECTED);
  daemon.pump();
  return { daemon, session, recorder };
}

describe("session", () => {
  it("syncs the daemon's document and reports remote changes with patches", () => {
    const { daemon, session, recorder } = connect();
    assert.deepEqual(recorder.states, ["connected"]);
    assert.ok(session.doc.cells !== undefined);
    const cellId = newCellId();
    daemon.edit((doc) => insertCell(doc, 0, { cellId, cellType: "code", source: "x = 1" }));
    assert.equal(getCell(session.doc, cellId)?.source, "x = 1");
    const last = recorder.changes.at(-1);
    assert.equal(last?.origin, "remote");
    assert.ok(last.patches.length > 0);
  });

  it("sends local edits and stamps dependent requests with its heads", async () => {
    const { daemon, session } = connect();
    const cellId = newCellId();
    daemon.edit((doc) => insertCell(doc, 0, { cellId, cellType: "code", source: "print(1)" }));
    session.change((doc) => spliceSource(doc, cellId, 6, 1, "42"), { notify: false });
    const reply = session.request("execute_cell", { cell_id: cellId });
    daemon.pump();
    assert.equal(getCell(daemon.doc, cellId)?.source, "print(42)");
    const request = daemon.requests.at(-1);
    assert.equal(request?.["op"], "execute_cell");
    assert.equal(request["id"], 1);
    assert.deepEqual(request["required_heads"], A.getHeads(session.doc));
    daemon.toPage(FrameType.RESPONSE, encode({ id: 1, ok: true, execution_id: "e1" }));
    assert.deepEqual(await reply, { execution_id: "e1" });
  });

  it("rejects a refused request with the daemon's code", async () => {
    const { daemon, session } = connect();
    const reply = session.request("interrupt", {});
    daemon.pump();
    daemon.toPage(FrameType.RESPONSE, encode({ id: 1, ok: false, error: { code: "no_kernel", message: "none" } }));
    await assert.rejects(reply, { name: "ResponseError", code: "no_kernel" });
  });

  it("delivers checked broadcasts and drops malformed ones", () => {
    const { daemon, recorder } = connect();
    daemon.toPage(FrameType.BROADCAST, encode({ event: "kernel_status", status: "idle" }));
    daemon.toPage(FrameType.BROADCAST, encode({ event: "kernel_status" }));
    assert.deepEqual(recorder.events, ["kernel_status"]);
  });

  it("keeps edits made while the daemon is lost and resyncs after reconnecting", async () => {
    const { daemon, session, recorder } = connect();
    const cellId = newCellId();
    daemon.edit((doc) => insertCell(doc, 0, { cellId, cellType: "code", source: "a" }));
    const pending = session.request("interrupt", {});
    daemon.control({ type: "daemon_lost" });
    await assert.rejects(pending, { code: "daemon_lost" });
    await assert.rejects(session.request("interrupt", {}), { code: "not_connected" });

    session.change((doc) => spliceSource(doc, cellId, 1, 0, "bc"));
    // The daemon restarts: same document (persisted), fresh sync state.
    daemon.syncState = A.initSyncState();
    daemon.pump(); // nothing is sent while offline
    assert.equal(getCell(daemon.doc, cellId)?.source, "a");
    daemon.control({ ...CONNECTED, type: "reconnected" });
    daemon.pump();
    assert.equal(getCell(daemon.doc, cellId)?.source, "abc");
    assert.deepEqual(recorder.states, ["connected", "daemon_lost", "reconnected"]);
    assert.equal(orderedCells(session.doc).length, 1);
  });

  it("starts from an empty document when the relay rejoins a different notebook", () => {
    const { daemon, session, recorder } = connect();
    daemon.edit((doc) => insertCell(doc, 0, { cellId: newCellId(), cellType: "code", source: "" }));
    assert.equal(orderedCells(session.doc).length, 1);
    daemon.control({ type: "daemon_lost" });
    const fresh = new FakeDaemon();
    daemon.doc = fresh.doc;
    daemon.syncState = A.initSyncState();
    daemon.control({ ...CONNECTED, type: "reconnected", notebook_id: "another" });
    daemon.pump();
    assert.equal(orderedCells(session.doc).length, 0);
    assert.deepEqual(A.getHeads(session.doc), A.getHeads(daemon.doc));
    assert.ok(recorder.changes.some((change) => change.origin === "reset"));
  });

  it("reports a refused handshake and sends nothing", async () => {
    const daemon = new FakeDaemon();
    const recorder = new Recorder();
    const session = new Session(daemon, recorder);
    daemon.control({ type: "error", code: "bad_notebook", message: "not a notebook" });
    assert.deepEqual(recorder.states, ["failed"]);
    await assert.rejects(session.request("save", {}), { code: "not_connected" });
  });
});
