import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { parseShellMessage } from "../src/host.ts";
import { parseBroadcast } from "../src/protocol/broadcasts.ts";
import { parseRelayMessage } from "../src/protocol/control.ts";
import { decodeResult, parseResponse } from "../src/protocol/requests.ts";
import { chooseMime } from "../src/ui/outputs.ts";
import { parseContentRef, parseManifest } from "../src/ui/manifests.ts";

const HASH = "a".repeat(64);

describe("wire messages", () => {
  it("checks broadcasts into the generated union", () => {
    assert.deepEqual(parseBroadcast({ event: "queue_changed", running: null, queued: ["x"] }), {
      event: "queue_changed",
      running: null,
      queued: ["x"],
    });
    assert.equal(parseBroadcast({ event: "queue_changed", running: null }), null);
    assert.equal(parseBroadcast({ event: "from_the_future" }), null);
    const progress = { event: "env_progress", kind: "deps", phase: "ready", message: "done" };
    assert.deepEqual(parseBroadcast(progress), progress);
    const stale = { event: "env_sync_state", in_sync: false, added: ["six"], removed: [] };
    assert.deepEqual(parseBroadcast(stale), stale);
    assert.equal(parseBroadcast({ event: "env_sync_state", in_sync: "no", added: [], removed: [] }), null);
    assert.equal(parseBroadcast([1, 2]), null);
  });

  it("checks responses by op", () => {
    const response = parseResponse({ id: 3, ok: true, execution_id: "e1" });
    assert.ok(response?.ok === true);
    assert.deepEqual(decodeResult("execute_cell", response.body), { execution_id: "e1" });
    assert.throws(() => decodeResult("save", response.body), { name: "ResponseError" });
    assert.deepEqual(parseResponse({ id: 4, ok: false, error: { code: "no_such_cell", message: "m" } }), {
      id: 4,
      ok: false,
      error: { code: "no_such_cell", message: "m" },
    });
    assert.equal(parseResponse({ ok: true }), null);
  });

  it("parses relay and shell control messages", () => {
    assert.deepEqual(
      parseRelayMessage(
        JSON.stringify({ type: "connected", notebook_id: "n", path: null, daemon_version: "1", blob_url: "u" }),
      ),
      { type: "connected", notebook_id: "n", path: null, daemon_version: "1", blob_url: "u" },
    );
    assert.deepEqual(parseRelayMessage('{"type":"daemon_lost"}'), { type: "daemon_lost" });
    assert.equal(parseRelayMessage("not json"), null);
    assert.equal(parseRelayMessage('{"type":"save_as_path","path":"/x"}'), null);
    assert.deepEqual(parseShellMessage('{"type":"save_as_path","path":"/x.ipynb"}'), {
      type: "save_as_path",
      path: "/x.ipynb",
    });
    assert.deepEqual(parseShellMessage('{"type":"action","action":"run-all"}'), {
      type: "action",
      action: "run-all",
    });
    assert.equal(parseShellMessage('{"type":"action","action":"format-disk"}'), null);
  });
});

describe("output manifests", () => {
  it("reads content references", () => {
    assert.deepEqual(parseContentRef("hi"), { kind: "inline", text: "hi" });
    assert.deepEqual(parseContentRef({ json: { a: 1 } }), { kind: "inline-json", value: { a: 1 } });
    assert.deepEqual(parseContentRef({ blob: HASH, size: 5, kind: "binary" }), {
      kind: "blob",
      hash: HASH,
      size: 5,
      blobKind: "binary",
    });
    assert.equal(parseContentRef({ blob: "../etc/passwd" }), null);
  });

  it("reads manifests of every output type", () => {
    const display = parseManifest({
      output_type: "display_data",
      data: { "text/plain": "x", "image/png": { blob: HASH, size: 3, kind: "binary" } },
      metadata: {},
    });
    assert.equal(display.outputType, "display_data");
    assert.equal(chooseMime(display.data.keys()), "image/png");
    const error = parseManifest({ output_type: "error", ename: "E", evalue: "v", traceback: { json: ["t"] } });
    assert.deepEqual(error, {
      outputType: "error",
      ename: "E",
      evalue: "v",
      traceback: { kind: "inline-json", value: ["t"] },
    });
    assert.deepEqual(parseManifest({ output_type: "weird" }), { outputType: "unknown", rawType: "weird" });
  });

  it("prefers rich MIME types and lists nothing it cannot show", () => {
    assert.equal(chooseMime(["text/plain", "text/html"]), "text/html");
    assert.equal(chooseMime(["application/vnd.custom+json"]), null);
  });
});
