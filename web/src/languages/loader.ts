/**
 * The editor extension for a language: Python is built in, the others come from
 * languages.js, fetched the first time a notebook needs one (a failed load is retried on
 * the next call).
 */

import { python } from "@codemirror/lang-python";
import type { Extension } from "@codemirror/state";

import type { EditorLanguage } from "./choice.ts";
import type { LanguageExtension } from "./contract.ts";
import { shareModules } from "./shared.ts";

let loading: Promise<LanguageExtension> | null = null;

function load(): Promise<LanguageExtension> {
  shareModules();
  const script = document.createElement("script");
  script.src = new URL("languages.js", document.baseURI).href;
  return new Promise((resolve, reject) => {
    script.addEventListener(
      "load",
      () => {
        const extension = globalThis.nbdeskLanguages;
        if (extension === undefined) {
          reject(new Error("languages.js loaded but did not register its languages"));
        } else {
          resolve(extension);
        }
      },
      { once: true },
    );
    script.addEventListener("error", () => reject(new Error("could not load languages.js")), { once: true });
    document.head.append(script);
  });
}

function loadLanguages(): Promise<LanguageExtension> {
  if (loading === null) {
    loading = load();
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

export async function languageExtension(language: EditorLanguage): Promise<Extension> {
  if (language === "python") {
    return python();
  }
  if (language === "plain") {
    return [];
  }
  return (await loadLanguages())(language);
}
