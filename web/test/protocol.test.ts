import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { parseShellMessage } from "../src/host.ts";
import { parseBroadcast } from "../src/protocol/broadcasts.ts";
import { parseRelayMessage } from "../src/protocol/control.ts";
import { decodeResult, parseResponse } from "../src/protocol/requests.ts";
import { check } from "../src/protocol/validate.ts";
import { checkAnyBroadcast, checkHostRequest, isErrorCode, RESULT_CHECKERS } from "../src/protocol/wire.gen.ts";
import { chooseMime } from "../src/ui/outputs.ts";
import { parseContentRef, parseManifest } from "../src/ui/manifests.ts";

const HASH = "a".repeat(64);

describe("wire messages", () => {
  const broadcast = (value: unknown): unknown => {
    const checked = parseBroadcast(value);
    return checked.ok ? checked.value : null;
  };

  it("checks broadcasts into the generated union", () => {
    assert.deepEqual(broadcast({ event: "queue_changed", running: null, queued: ["x"] }), {
      event: "queue_changed",
      running: null,
      queued: ["x"],
    });
    assert.equal(broadcast({ event: "queue_changed", running: null }), null);
    assert.equal(broadcast({ event: "from_the_future" }), null);
    const progress = { event: "env_progress", kind: "deps", phase: "ready", message: "done" };
    assert.deepEqual(broadcast(progress), progress);
    assert.equal(broadcast({ ...progress, phase: "dancing" }), null);
    const stale = { event: "env_sync_state", in_sync: false, added: ["six"], removed: [] };
    assert.deepEqual(broadcast(stale), stale);
    assert.equal(broadcast({ event: "env_sync_state", in_sync: "no", added: [], removed: [] }), null);
    assert.equal(broadcast([1, 2]), null);
  });

  it("says which field of a broadcast is wrong", () => {
    const checked = parseBroadcast({ event: "execution_done", cell_id: "a", execution_id: "e", status: "ok",
      execution_count: "1", heads: [] });
    assert.ok(!checked.ok);
    assert.match(checked.error.message, /AnyBroadcast\.execution_count: expected an integer/);
    const nested = check(checkAnyBroadcast, { event: "queue_changed", running: null, queued: ["a", 2] });
    assert.ok(!nested.ok);
    assert.match(nested.error.message, /queued\[1\]: expected CellId/);
  });

  it("fills defaults and drops fields the schema does not name", () => {
    const custom = check(checkAnyBroadcast, { event: "comm_custom", comm_id: "c", content: {}, extra: 1 });
    assert.deepEqual(custom, { ok: true, value: { event: "comm_custom", comm_id: "c", content: {}, buffers: [] } });
  });

  it("checks responses by op", () => {
    const response = parseResponse({ id: 3, ok: true, execution_id: "e1" });
    assert.ok(response?.ok === true);
    assert.deepEqual(decodeResult("execute_cell", response.body), { execution_id: "e1" });
    assert.throws(() => decodeResult("save", response.body), {
      name: "ResponseError",
      message: /SavedTo\.path: expected a string/,
    });
    const bytes = parseResponse({ id: 5, ok: true, bytes: new Uint8Array([1]), heads: ["h"] });
    assert.ok(bytes?.ok === true);
    assert.deepEqual(decodeResult("get_doc_bytes", bytes.body), { bytes: new Uint8Array([1]), heads: ["h"] });
    assert.throws(() => decodeResult("get_doc_bytes", { bytes: "AQ==", heads: [] }), { name: "ResponseError" });
    assert.deepEqual(decodeResult("interrupt", {}), {});
    assert.deepEqual(parseResponse({ id: 4, ok: false, error: { code: "no_such_cell", message: "m" } }), {
      id: 4,
      ok: false,
      error: { code: "no_such_cell", message: "m" },
    });
    assert.deepEqual(parseResponse({ id: 6, ok: false, error: { code: "from_the_future", message: "m" } }), {
      id: 6,
      ok: false,
      error: { code: "error", message: "m" },
    });
    assert.equal(parseResponse({ ok: true }), null);
    assert.equal(parseResponse({ id: 1.5, ok: true }), null);
  });

  it("lists every result type by op", () => {
    assert.ok(isErrorCode("no_such_cell"));
    assert.ok(!isErrorCode("no_such_thing"));
    assert.ok(Object.keys(RESULT_CHECKERS).includes("execute_cell"));
    assert.deepEqual(check(RESULT_CHECKERS.open, { notebook_id: null, path: null, daemon_version: "1", blob_url: null }), {
      ok: true,
      value: { notebook_id: null, path: null, daemon_version: "1", blob_url: null },
    });
  });

  it("parses relay and shell control messages", () => {
    assert.deepEqual(
      parseRelayMessage(
        JSON.stringify({ type: "connected", notebook_id: "n", path: null, daemon_version: "1", blob_url: "u" }),
      ),
      { type: "connected", notebook_id: "n", path: null, daemon_version: "1", blob_url: "u" },
    );
    assert.deepEqual(parseRelayMessage('{"type":"daemon_lost"}'), { type: "daemon_lost", reason: "" });
    assert.deepEqual(parseRelayMessage('{"type":"error","code":"no_such_notebook","message":"m"}'), {
      type: "error",
      code: "no_such_notebook",
      message: "m",
    });
    assert.equal(parseRelayMessage('{"type":"connected","notebook_id":"n"}'), null);
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

  it("checks what the page sends the shell", () => {
    assert.deepEqual(check(checkHostRequest, { type: "ready", page_ms: 12 }), {
      ok: true,
      value: { type: "ready", page_ms: 12 },
    });
    assert.ok(!check(checkHostRequest, { type: "dirty", dirty: "yes" }).ok);
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
