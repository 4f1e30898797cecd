/**
 * languages.js: the editor languages beyond Python, built as a bundle of its own and
 * loaded on first need (loader.ts). CodeMirror's own packages for JavaScript, TypeScript
 * and SQL; its legacy stream modes for R, Julia and shell.
 */

import { javascript } from "@codemirror/lang-javascript";
import { sql } from "@codemirror/lang-sql";
import { LanguageSupport, StreamLanguage } from "@codemirror/language";
import { julia } from "@codemirror/legacy-modes/mode/julia";
import { r } from "@codemirror/legacy-modes/mode/r";
import { shell } from "@codemirror/legacy-modes/mode/shell";
import type { Extension } from "@codemirror/state";

import { assertNever } from "../util/guards.ts";
import type { LoadableLanguage } from "./contract.ts";

const streams = {
  r: StreamLanguage.define(r),
  julia: StreamLanguage.define(julia),
  shell: StreamLanguage.define(shell),
};

function languageExtension(language: LoadableLanguage): Extension {
  switch (language) {
    case "javascript":
      return javascript();
    case "typescript":
      return javascript({ typescript: true });
    case "sql":
      return sql();
    case "r":
    case "julia":
    case "shell":
      return new LanguageSupport(streams[language]);
    default:
      return assertNever(language);
  }
}

globalThis.nbdeskLanguages = languageExtension;
