/** ANSI-coloured text as escaped HTML (ansi_up), the one converter every text output uses. */

import { AnsiUp } from "ansi_up";

import { h } from "../ui/dom.ts";

/** A converter keeps colour state across calls, so one text may be converted in pieces. */
export function ansiConverter(): AnsiUp {
  const converter = new AnsiUp();
  converter.escape_html = true;
  converter.url_allowlist = {};
  return converter;
}

/** ANSI-coloured, HTML-escaped text; links in escape sequences are not made clickable. */
export function ansiToHtml(text: string): string {
  return ansiConverter().ansi_to_html(text);
}

export function ansiPre(
  text: string,
  className: string,
  converter: AnsiUp = ansiConverter(),
): HTMLPreElement {
  const pre = h("pre", { class: className });
  pre.innerHTML = converter.ansi_to_html(text);
  return pre;
}
