// Builds every bundle under dist/ and copies the page's static files there.
// `node build.mjs --tests` also bundles test/*.test.ts into dist-test/ for `node --test`
// (outside dist/, so what ships stays the app alone).
// Add a target to TARGETS to ship a new entry point.
import { copyFile, cp, mkdir, readdir, rm } from "node:fs/promises";
import { build } from "esbuild";
import sharedModules from "./src/languages/shared-modules.json" with { type: "json" };

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

/**
 * The webview app: Automerge's slim build with the wasm inlined as base64 (no .wasm fetch),
 * as a classic script so the page also loads from file:// (headless smoke tests).
 */
const browserApp = {
  ...COMMON,
  format: "iife",
  minify: true,
  entryPoints: ["src/main.ts"],
  outfile: "dist/app.js",
  platform: "browser",
};

/**
 * The widget runtime (ipywidgets 8 models and views), loaded by the page only when a
 * notebook shows its first widget; its CSS lands next to it as dist/widgets.css.
 */
const widgetRuntime = {
  ...COMMON,
  format: "iife",
  entryPoints: { widgets: "src/widgets/runtime/entry.ts" },
  outdir: "dist",
  platform: "browser",
  minify: true,
  define: { "process.env.NODE_ENV": '"production"', global: "globalThis" },
  loader: { ".woff": "file", ".woff2": "file", ".ttf": "file", ".eot": "file", ".svg": "file" },
  assetNames: "widget-assets/[name]-[hash]", // icon fonts; a browser fetches only the woff2 it needs
};

/**
 * Resolves the modules the page shares (src/languages/contract.ts) to the page's own
 * instances on `globalThis.nbdeskShared` instead of bundling a second copy.
 */
const fromPage = {
  name: "from-page",
  setup(pluginBuild) {
    const names = new Set(sharedModules);
    pluginBuild.onResolve({ filter: /^@(codemirror|lezer)\// }, (args) =>
      names.has(args.path) ? { path: args.path, namespace: "from-page" } : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: "from-page" }, (args) => ({
      contents: `const shared = globalThis.nbdeskShared?.[${JSON.stringify(args.path)}];
if (shared === undefined) throw new Error("languages.js needs the page's ${args.path}");
module.exports = shared;`,
      loader: "js",
    }));
  },
};

/**
 * The editor languages beyond Python (R, Julia, shell, JavaScript/TypeScript, SQL),
 * loaded by the page the first time a notebook needs one.
 */
const languages = {
  ...COMMON,
  format: "iife",
  minify: true,
  entryPoints: { languages: "src/languages/entry.ts" },
  outdir: "dist",
  platform: "browser",
  plugins: [fromPage],
};

/**
 * The chart renderers (src/charts/): one bundle per library, loaded only by the sandboxed
 * frame of an output that needs it (and inlined into exported HTML), never by the page.
 */
const charts = {
  ...COMMON,
  format: "iife",
  minify: true,
  sourcemap: false, // plotly.js ships minified without one; a map would double the bytes read
  entryPoints: { "charts-plotly": "src/charts/plotly-entry.ts", "charts-vega": "src/charts/vega-entry.ts" },
  outdir: "dist",
  platform: "browser",
  define: { "process.env.NODE_ENV": '"production"' },
};

/** Unit tests for Node's test runner; like the interop peer, packages stay external. */
async function testTarget() {
  // The tests, and readme-keys.ts (`npm run readme-keys`), which shares their setup.
  const tests = (await readdir("test")).filter((name) => name.endsWith(".test.ts") || name === "readme-keys.ts");
  return {
    ...COMMON,
    entryPoints: tests.map((name) => `test/${name}`),
    outdir: "dist-test",
    outExtension: { ".js": ".mjs" },
    platform: "node",
    packages: "external",
  };
}

const STATIC_FILES = ["index.html", "style.css", "render.css"];

/** KaTeX's stylesheet and the fonts it loads (by relative URL), for math in markdown. */
async function copyKatex() {
  await rm("dist/katex", { recursive: true, force: true });
  await mkdir("dist/katex", { recursive: true });
  await Promise.all([
    copyFile("node_modules/katex/dist/katex.min.css", "dist/katex/katex.min.css"),
    cp("node_modules/katex/dist/fonts", "dist/katex/fonts", { recursive: true }),
  ]);
}

const TARGETS = { interopPeer, browserApp, widgetRuntime, languages, charts };
if (process.argv.includes("--tests")) {
  await rm("dist-test", { recursive: true, force: true });
  TARGETS.tests = await testTarget();
}

const started = performance.now();
await mkdir("dist", { recursive: true });
const [results] = await Promise.all([
  Promise.all(Object.values(TARGETS).map((options) => build(options))),
  ...STATIC_FILES.map((name) => copyFile(name, `dist/${name}`)),
  copyKatex(),
]);
const warnings = results.reduce((sum, result) => sum + result.warnings.length, 0);
const elapsed = Math.round(performance.now() - started);
console.log(`built ${Object.keys(TARGETS).join(", ")} in ${elapsed} ms (${warnings} warnings)`);
