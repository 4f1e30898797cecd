/**
 * Loads the widget runtime (dist/widgets.js and dist/widgets.css) the first time a
 * widget is shown, so notebooks without widgets never pay for it.
 */

import type { StartWidgetRuntime } from "./contract.ts";

let loading: Promise<StartWidgetRuntime> | null = null;

function loadElement(element: HTMLLinkElement | HTMLScriptElement, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    element.addEventListener("load", () => resolve(), { once: true });
    element.addEventListener("error", () => reject(new Error(`could not load ${what}`)), { once: true });
    document.head.append(element);
  });
}

async function load(): Promise<StartWidgetRuntime> {
  const css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = new URL("widgets.css", document.baseURI).href;
  const script = document.createElement("script");
  script.src = new URL("widgets.js", document.baseURI).href;
  await Promise.all([loadElement(css, "widgets.css"), loadElement(script, "widgets.js")]);
  const start = globalThis.nbdeskWidgets;
  if (start === undefined) {
    throw new Error("widgets.js loaded but did not register the widget runtime");
  }
  return start;
}

/** The runtime's start function; a failed load is retried on the next call. */
export function loadWidgetRuntime(): Promise<StartWidgetRuntime> {
  if (loading === null) {
    loading = load();
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}
