/**
 * Markdown and LaTeX to sanitised DOM: markdown-it (CommonMark + GFM tables and
 * strikethrough), KaTeX for `$…$` and `$$…$$` (VS Code's markdown-it plugin), highlight.js
 * for fenced code, and DOMPurify over the result.
 *
 * Raw HTML is enabled because notebooks use it (`<img width>`, `<details>`, `<br>`, coloured
 * spans) and then sanitised with DOMPurify, which drops scripts, event handlers and
 * `javascript:` URLs; `<style>` and forms are refused too, since the markdown shares the
 * page with the app. URLs are resolved during sanitising (see resources.ts): attachments
 * become data URLs and relative paths the shell server's `/files/` URLs.
 */

import markdownItKatexExport from "@vscode/markdown-it-katex";
import DOMPurify, { type UponSanitizeAttributeHookEvent } from "dompurify";
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import python from "highlight.js/lib/languages/python";
import katex from "katex";
import MarkdownIt from "markdown-it";

import { latexSource } from "./latex.ts";
import { fileLocation } from "./location.ts";
import { type Attachments, NO_ATTACHMENTS, resolveUrl } from "./resources.ts";

hljs.registerLanguage("python", python);
hljs.registerLanguage("javascript", javascript);
hljs.registerLanguage("bash", bash);
hljs.registerLanguage("json", json);
hljs.registerAliases(["py", "ipython", "python3"], { languageName: "python" });
hljs.registerAliases(["js"], { languageName: "javascript" });
hljs.registerAliases(["sh", "shell", "console"], { languageName: "bash" });

function highlight(code: string, language: string): string {
  const name = language.trim().toLowerCase();
  if (name === "" || hljs.getLanguage(name) === undefined) {
    return ""; // markdown-it escapes it
  }
  return hljs.highlight(code, { language: name, ignoreIllegals: true }).value;
}

function isKatexPlugin(value: unknown): value is typeof markdownItKatexExport {
  return typeof value === "function";
}

/** The CommonJS plugin's function, whether the bundler (esbuild) or Node unwrapped `default`. */
function katexPlugin(): typeof markdownItKatexExport {
  const unwrapped: unknown = "default" in markdownItKatexExport ? markdownItKatexExport.default : null;
  return isKatexPlugin(unwrapped) ? unwrapped : markdownItKatexExport;
}

const markdown = new MarkdownIt({ html: true, linkify: true, highlight });
markdown.use(katexPlugin(), { throwOnError: false, enableBareBlocks: true });

/** The cell being rendered, read by the sanitiser's URL hook (sanitising is synchronous). */
let attachmentsInUse: Attachments = NO_ATTACHMENTS;

const URL_ATTRIBUTES = new Set(["src", "href"]);

let hooksInstalled = false;

/** Installed on first use: DOMPurify has no hooks API until there is a DOM (not so in Node). */
function installHooks(): void {
  if (hooksInstalled) {
    return;
  }
  hooksInstalled = true;
  DOMPurify.addHook("uponSanitizeAttribute", resolveAttribute);
  DOMPurify.addHook("afterSanitizeAttributes", openLinksElsewhere);
}

function resolveAttribute(node: Element, event: UponSanitizeAttributeHookEvent): void {
  if (!URL_ATTRIBUTES.has(event.attrName)) {
    return;
  }
  const resolved = resolveUrl(event.attrValue, attachmentsInUse, fileLocation());
  switch (resolved.kind) {
    case "keep":
      return;
    case "url":
      event.attrValue = resolved.url;
      return;
    case "missing":
      event.attrValue = "";
      node.setAttribute("title", resolved.reason);
      node.setAttribute("data-missing", resolved.reason);
      return;
  }
}

/** A followed link must not replace the notebook page. */
function openLinksElsewhere(node: Element): void {
  if (node.tagName === "A" && !(node.getAttribute("href") ?? "#").startsWith("#")) {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
  }
}

function sanitize(html: string, attachments: Attachments): DocumentFragment {
  installHooks();
  attachmentsInUse = attachments;
  try {
    return DOMPurify.sanitize(html, {
      RETURN_DOM_FRAGMENT: true,
      FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select"],
      ADD_ATTR: ["target", "data-missing"],
    });
  } finally {
    attachmentsInUse = NO_ATTACHMENTS;
  }
}

/** `source` rendered into a `.markdown-body` element. */
export function renderMarkdown(source: string, attachments: Attachments = NO_ATTACHMENTS): HTMLElement {
  const element = document.createElement("div");
  element.className = "markdown-body";
  element.append(sanitize(markdown.render(source), attachments));
  return element;
}

/** A text/latex output as KaTeX display math (errors shown in red by KaTeX, not thrown). */
export function renderLatex(text: string): HTMLElement {
  const source = latexSource(text);
  if ("markdown" in source) {
    return renderMarkdown(source.markdown);
  }
  const element = document.createElement("div");
  element.className = "latex-output";
  const html = katex.renderToString(source.tex, { displayMode: true, throwOnError: false });
  element.append(sanitize(html, NO_ATTACHMENTS));
  return element;
}
