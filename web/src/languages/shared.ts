/**
 * The page's CodeMirror and Lezer modules, handed to languages.js (see contract.ts) so
 * that its languages run on the same instances as the page's editors.
 */

import * as autocomplete from "@codemirror/autocomplete";
import * as language from "@codemirror/language";
import * as state from "@codemirror/state";
import * as view from "@codemirror/view";
import * as common from "@lezer/common";
import * as highlight from "@lezer/highlight";
import * as lr from "@lezer/lr";

/** Keyed as shared-modules.json lists them (a unit test holds the two equal). */
export const SHARED_MODULES: Readonly<Record<string, unknown>> = {
  "@codemirror/autocomplete": autocomplete,
  "@codemirror/language": language,
  "@codemirror/state": state,
  "@codemirror/view": view,
  "@lezer/common": common,
  "@lezer/highlight": highlight,
  "@lezer/lr": lr,
};

export function shareModules(): void {
  globalThis.nbdeskShared ??= SHARED_MODULES;
}
