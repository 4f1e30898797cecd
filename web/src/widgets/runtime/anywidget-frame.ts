/**
 * The document of an anywidget sandbox frame: a root element and a bootstrap script that
 * waits for its MessagePort, loads the widget's `_css` and `_esm`, and runs the module's
 * `initialize` and `render` against a model that mirrors the page's over that port.
 *
 * The bootstrap is `frameMain` below, serialised into the frame: it must stay
 * self-contained (no imports, no outer names). The messages both ways are listed in
 * `FrameMessage` / `PageMessage` (anywidget.ts owns the page's side).
 */

import type { JSONValue } from "@lumino/coreutils";

/** Page -> frame, after the first `init` (which travels with the port). */
export type PageMessage =
  | { readonly op: "change"; readonly changes: Readonly<Record<string, unknown>> }
  | { readonly op: "custom"; readonly content: unknown; readonly buffers: readonly unknown[] };

/** Frame -> page. */
export type FrameMessage =
  | { readonly op: "set"; readonly changes: Readonly<Record<string, unknown>> }
  | { readonly op: "save" }
  | { readonly op: "send"; readonly content: JSONValue; readonly buffers: readonly unknown[] }
  | { readonly op: "height"; readonly value: number }
  | { readonly op: "rendered" }
  | { readonly op: "error"; readonly message: string };

/** The key of the one window message the page sends, which carries the port. */
export const INIT_KEY = "nbdeskAnywidget";

type Callback = (...args: unknown[]) => unknown;

function frameMain(initKey: string): void {
  const root = document.getElementById("root");
  let port: MessagePort | null = null;
  let state: Record<string, unknown> = {};
  const listeners = new Map<string, Set<Callback>>();
  const post = (message: unknown, transfer: Transferable[] = []): void => port?.postMessage(message, transfer);

  const emit = (name: string, ...args: unknown[]): void => {
    for (const callback of [...(listeners.get(name) ?? [])]) {
      try {
        void callback(...args);
      } catch (error) {
        console.error(`anywidget: a "${name}" listener failed`, error);
      }
    }
  };
  const same = (a: unknown, b: unknown): boolean => {
    if (a === b) {
      return true;
    }
    if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
      return false;
    }
    if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
      return false;
    }
    return JSON.stringify(a) === JSON.stringify(b);
  };
  const model = {
    get: (key: string): unknown => state[key],
    set(key: string | Record<string, unknown>, value?: unknown): void {
      const changes: Record<string, unknown> = typeof key === "string" ? { [key]: value } : { ...key };
      apply(changes);
      post({ op: "set", changes });
    },
    save_changes(): void {
      post({ op: "save" });
    },
    send(content: unknown, _callbacks?: unknown, buffers?: readonly unknown[]): void {
      post({ op: "send", content, buffers: [...(buffers ?? [])] });
    },
    on(names: string, callback: Callback): void {
      for (const name of names.split(/\s+/).filter(Boolean)) {
        const set = listeners.get(name) ?? new Set<Callback>();
        set.add(callback);
        listeners.set(name, set);
      }
    },
    off(names?: string | null, callback?: Callback | null): void {
      if (!names) {
        listeners.clear();
        return;
      }
      for (const name of names.split(/\s+/).filter(Boolean)) {
        if (callback) {
          listeners.get(name)?.delete(callback);
        } else {
          listeners.delete(name);
        }
      }
    },
    widget_manager: {
      get_model(): Promise<never> {
        return Promise.reject(new Error("nbdesk runs each anywidget in its own sandbox: other models are out of reach"));
      },
    },
  };
  function apply(changes: Record<string, unknown>): void {
    const changed = Object.keys(changes).filter((key) => !same(state[key], changes[key]));
    state = { ...state, ...changes };
    for (const key of changed) {
      emit(`change:${key}`, model, state[key]);
    }
    if (changed.length > 0) {
      emit("change", model);
    }
  }
  let invocations = 0;
  const invoke = (name: string, msg: unknown, options: { buffers?: unknown[]; signal?: AbortSignal } = {}) =>
    new Promise((resolve, reject) => {
      invocations += 1;
      const id = `nbdesk-${Date.now().toString(36)}-${invocations}`;
      const signal = options.signal ?? AbortSignal.timeout(3000);
      const handler: Callback = (reply, buffers) => {
        if (typeof reply === "object" && reply !== null && "id" in reply && reply.id === id) {
          model.off("msg:custom", handler);
          resolve(["response" in reply ? reply.response : undefined, buffers]);
        }
      };
      signal.addEventListener("abort", () => {
        model.off("msg:custom", handler);
        reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
      });
      model.on("msg:custom", handler);
      model.send({ id, kind: "anywidget-command", name, msg }, undefined, options.buffers ?? []);
    });

  const fail = (error: unknown): void => {
    const message = error instanceof Error ? error.message : String(error);
    const pre = document.createElement("pre");
    pre.className = "anywidget-error";
    pre.textContent = `This widget failed: ${message}`;
    document.body.append(pre);
    post({ op: "error", message });
  };
  const isHref = (text: string): boolean => /^https?:\/\//.test(text);

  async function start(esm: string, css: string): Promise<void> {
    if (css) {
      const style = isHref(css)
        ? Object.assign(document.createElement("link"), { rel: "stylesheet", href: css })
        : Object.assign(document.createElement("style"), { textContent: css });
      document.head.append(style);
    }
    let url = esm;
    if (!isHref(esm)) {
      url = URL.createObjectURL(new Blob([esm], { type: "text/javascript" }));
    }
    const module: unknown = await import(url);
    const named: unknown = Reflect.get(Object(module), "render");
    const chosen: unknown = typeof named === "function" ? { render: named } : Reflect.get(Object(module), "default");
    const widget: unknown = typeof chosen === "function" ? await Reflect.apply(chosen, undefined, []) : chosen;
    if (typeof widget !== "object" || widget === null) {
      throw new Error("the widget's module exports no default object or function (anywidget's format)");
    }
    const experimental = { invoke };
    const initialize: unknown = Reflect.get(widget, "initialize");
    const render: unknown = Reflect.get(widget, "render");
    if (typeof initialize === "function") {
      await Reflect.apply(initialize, widget, [{ model, experimental }]);
    }
    if (typeof render === "function") {
      await Reflect.apply(render, widget, [{ model, el: root, experimental }]);
    }
    post({ op: "rendered" });
  }

  addEventListener("message", (event: MessageEvent<unknown>) => {
    const data = event.data;
    if (event.source !== parent || port !== null || typeof data !== "object" || data === null) {
      return;
    }
    const init: unknown = Reflect.get(data, initKey);
    const received = event.ports[0];
    if (typeof init !== "object" || init === null || received === undefined) {
      return;
    }
    port = received;
    port.onmessage = (message: MessageEvent<unknown>) => {
      const body = message.data;
      if (typeof body !== "object" || body === null) {
        return;
      }
      const op: unknown = Reflect.get(body, "op");
      if (op === "change") {
        const changes: unknown = Reflect.get(body, "changes");
        if (typeof changes === "object" && changes !== null) {
          apply({ ...changes });
        }
      } else if (op === "custom") {
        const buffers: unknown = Reflect.get(body, "buffers");
        emit("msg:custom", Reflect.get(body, "content"), Array.isArray(buffers) ? buffers : []);
      }
    };
    const initial: unknown = Reflect.get(init, "state");
    state = typeof initial === "object" && initial !== null ? { ...initial } : {};
    const report = (): void => post({ op: "height", value: document.documentElement.getBoundingClientRect().height });
    new ResizeObserver(report).observe(document.documentElement);
    report();
    const esm = state["_esm"];
    const css = state["_css"];
    start(typeof esm === "string" ? esm : "", typeof css === "string" ? css : "").catch(fail);
  });
}

const HEAD =
  "<!doctype html><meta charset=\"utf-8\"><style>:root{color-scheme:light dark}" +
  "body{margin:0;display:flow-root;font:14px system-ui,sans-serif}" +
  ".anywidget-error{color:#c33;white-space:pre-wrap;margin:4px 0}</style>";

/** The frame's srcdoc: the widget's code arrives later, over the port, never in here. */
export function anywidgetFrameDocument(): string {
  return `${HEAD}<div id="root"></div><script>(${frameMain.toString()})(${JSON.stringify(INIT_KEY)});</script>`;
}
