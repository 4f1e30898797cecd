/**
 * Untrusted output in iframes sandboxed with `allow-scripts` only: no `allow-same-origin`,
 * so the frame's code runs in an opaque origin and cannot reach the page, its token or
 * the relay. Each frame reports its content height by postMessage, the only thing read
 * from it, and is sized to that.
 */

import { h } from "../ui/dom.ts";
import OUTPUT_FRAME_CSS from "./output-frame.css" with { type: "text" };

const FRAME_HEIGHT_SCRIPT = `<script>(function(){
function post(){parent.postMessage({nbdeskFrameHeight:document.documentElement.getBoundingClientRect().height},"*");}
addEventListener("load",post);
if(typeof ResizeObserver==="function"){new ResizeObserver(post).observe(document.documentElement);}
post();})();</script>`;

/**
 * Standards mode, so the root element's height is the content's height, not the frame's;
 * then the output's own styles, which come after and so win over these.
 */
const FRAME_HEAD = `<!doctype html><meta charset="utf-8"><style>${OUTPUT_FRAME_CSS}</style>`;

const MIN_HEIGHT = 16;
const MAX_HEIGHT = 20000;

let frameListenerInstalled = false;

function installFrameListener(): void {
  if (frameListenerInstalled) {
    return;
  }
  frameListenerInstalled = true;
  window.addEventListener("message", (event: MessageEvent<unknown>) => {
    const data = event.data;
    if (typeof data !== "object" || data === null || !("nbdeskFrameHeight" in data)) {
      return;
    }
    const height = data.nbdeskFrameHeight;
    if (typeof height !== "number" || !Number.isFinite(height)) {
      return;
    }
    for (const frame of document.getElementsByTagName("iframe")) {
      if (frame.contentWindow === event.source) {
        frame.style.height = `${Math.min(Math.max(Math.ceil(height), MIN_HEIGHT), MAX_HEIGHT)}px`;
      }
    }
  });
}

/** A sandboxed frame showing `body` (HTML) with the height reporter appended. */
export function sandboxedFrame(body: string, className: string, title: string): HTMLIFrameElement {
  installFrameListener();
  const frame = h("iframe", { class: className, sandbox: "allow-scripts", title });
  frame.srcdoc = FRAME_HEAD + body + FRAME_HEIGHT_SCRIPT;
  return frame;
}

export function htmlFrame(html: string): HTMLIFrameElement {
  return sandboxedFrame(html, "html-output", "HTML output");
}

/** SVG is a document that may hold scripts, so it is framed like HTML, not put in an <img>. */
export function svgFrame(svg: string): HTMLIFrameElement {
  return sandboxedFrame(svg, "svg-output", "SVG output");
}

/** `code` as a JS string literal that cannot end the <script> element it sits in. */
function scriptString(code: string): string {
  return JSON.stringify(code).replace(/<\//g, "<\\/").replace(/<!--/g, "<\\!--");
}

/**
 * application/javascript: the code runs in the frame with `element` bound to a div it may
 * fill (as IPython's Javascript display expects); an exception is shown in the frame.
 */
export function javascriptFrame(code: string): HTMLIFrameElement {
  const body = `<div id="output"></div><script>(function(){
var element = document.getElementById("output");
try { (new Function("element", ${scriptString(code)}))(element); }
catch (error) { var pre = document.createElement("pre"); pre.style.color = "#c33";
pre.textContent = "Javascript error: " + error; element.appendChild(pre); }
})();</script>`;
  return sandboxedFrame(body, "javascript-output", "Javascript output");
}
