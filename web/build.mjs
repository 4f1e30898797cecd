// Builds every bundle under dist/. Add a target to TARGETS to ship a new entry point.
import { build } from "esbuild";

const COMMON = {
  bundle: true,
  format: "esm",
  target: "es2022",
  sourcemap: "linked",
  logLevel: "warning",
};

/** The Node interop peer: packages stay external so Automerge loads its wasm from node_modules. */
const interopPeer = {
  ...COMMON,
  entryPoints: ["src/interop/peer.ts"],
  outfile: "dist/interop-peer.mjs",
  platform: "node",
  packages: "external",
};

/** The webview app: Automerge's slim build with the wasm inlined as base64 (no .wasm fetch). */
const browserApp = {
  ...COMMON,
  entryPoints: ["src/main.ts"],
  outfile: "dist/app.js",
  platform: "browser",
};

const TARGETS = { interopPeer, browserApp };

const started = performance.now();
const results = await Promise.all(Object.values(TARGETS).map((options) => build(options)));
const warnings = results.reduce((sum, result) => sum + result.warnings.length, 0);
const elapsed = Math.round(performance.now() - started);
console.log(`built ${Object.keys(TARGETS).join(", ")} in ${elapsed} ms (${warnings} warnings)`);
