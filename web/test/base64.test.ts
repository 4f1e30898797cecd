import assert from "node:assert/strict";
import { test } from "node:test";

import { decodeBase64, encodeBase64 } from "../src/util/base64.ts";

test("decodeBase64 gives the bytes Buffer decodes, for every length mod 3", () => {
  for (const length of [0, 1, 2, 3, 4, 5, 255, 256, 1000]) {
    const bytes = new Uint8Array(length).map((_, i) => (i * 37 + length) % 256);
    const text = Buffer.from(bytes).toString("base64");
    assert.deepEqual(decodeBase64(text), bytes);
  }
});

test("decodeBase64 refuses text that is not base64", () => {
  assert.throws(() => decodeBase64("not base64!"));
});

test("encodeBase64 matches Buffer, including past one 32 KiB chunk", () => {
  const bytes = new Uint8Array(100_000).map((_, i) => (i * 7) % 256);
  assert.equal(encodeBase64(bytes), Buffer.from(bytes).toString("base64"));
  assert.deepEqual(decodeBase64(encodeBase64(bytes)), bytes);
});
