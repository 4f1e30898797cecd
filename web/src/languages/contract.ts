/**
 * The seam between the page and languages.js, the bundle of editor languages other than
 * Python (loaded the first time a notebook needs one, so Python notebooks never fetch it).
 *
 * CodeMirror breaks when two copies of its state, view or highlighting modules meet, so
 * languages.js bundles none of the modules in shared-modules.json: the page puts its own
 * on `globalThis.nbdeskShared` (shared.ts) and the build points the bundle's imports of
 * them there (build.mjs). languages.js then assigns `globalThis.nbdeskLanguages`. Only
 * types live here, so neither bundle pulls in the other's code.
 */

import type { Extension } from "@codemirror/state";

import type { EditorLanguage } from "./choice.ts";

/** The languages languages.js provides: all but the built-in Python and plain text. */
export type LoadableLanguage = Exclude<EditorLanguage, "python" | "plain">;

export type LanguageExtension = (language: LoadableLanguage) => Extension;

declare global {
  var nbdeskLanguages: LanguageExtension | undefined;
  var nbdeskShared: Readonly<Record<string, unknown>> | undefined;
}
