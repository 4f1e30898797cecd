/**
 * The widget manager of one page: @jupyter-widgets/base-manager's ManagerBase whose
 * models live in the document's `comms` map instead of behind a kernel connection.
 *
 * Every comm in the document becomes a model (all registered in one tick, so
 * `IPY_MODEL_` references resolve in any order); document changes become `update`
 * messages to the models, minus the keys this page sent and has not seen back yet
 * (LocalEdits); comms that leave the document close their models. `$blob` references
 * are fetched and handed to the models as DataViews, as kernel buffers would be.
 * Only ipywidgets 8 modules load (base 2.x, controls 2.x and output 1.x), and anywidget's
 * (anywidget.ts), whose widgets bring their own code.
 */

import * as base from "@jupyter-widgets/base";
import { ManagerBase } from "@jupyter-widgets/base-manager";
import * as controls from "@jupyter-widgets/controls";
import { MessageLoop } from "@lumino/messaging";
import { Widget } from "@lumino/widgets";

import {
  type CommDiff,
  findBlobRefs,
  OUTPUT_MODEL,
  replaceAtPaths,
  type StateUpdate,
  type WidgetComm,
} from "../comm-state.ts";
import type { WidgetHost, WidgetRuntime } from "../contract.ts";
import { LocalEdits } from "../local-edits.ts";
import * as anywidget from "./anywidget.ts";
import { DocComm } from "./doc-comm.ts";
import * as output from "./output-widget.ts";

type WidgetClass = typeof base.WidgetModel | typeof base.WidgetView;

/** Each module by name, with the major version it implements ("*": any version). */
const MODULES: Readonly<Record<string, { readonly major: string; readonly exports: object }>> = {
  "@jupyter-widgets/base": { major: "2", exports: base },
  "@jupyter-widgets/controls": { major: "2", exports: controls },
  [output.OUTPUT_MODULE]: { major: "1", exports: output },
  // anywidget's Python side asks for its own version ("~0.11.*"); the protocol is the same
  [anywidget.ANYWIDGET_MODULE]: { major: "*", exports: { AnyModel: anywidget.AnyModel, AnyView: anywidget.AnyView } },
};

function isWidgetClass(value: unknown): value is WidgetClass {
  return (
    typeof value === "function" &&
    [base.WidgetModel, base.WidgetView].some((root) => value === root || value.prototype instanceof root)
  );
}

function classFrom(exports: object, name: string): WidgetClass | undefined {
  const value: unknown = Reflect.get(exports, name); // bundled namespaces export by getters
  return isWidgetClass(value) ? value : undefined;
}

export class DocWidgetManager extends ManagerBase implements WidgetRuntime {
  readonly #host: WidgetHost;
  readonly #comms = new Map<string, DocComm>();
  readonly #edits = new LocalEdits();
  /** Per model, the chain of pending deliveries, so updates apply in document order. */
  readonly #queues = new Map<string, Promise<void>>();
  #expiryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Views on the page, told when the window resizes (as Lumino layouts expect). */
  readonly #shown = new Set<base.DOMWidgetView>();
  /** Outputs naming a model the document does not have, shown as soon as it appears. */
  readonly #waiting = new Map<string, HTMLElement[]>();

  constructor(host: WidgetHost) {
    super();
    this.#host = host;
    output.useOutputHost(host);
    host.onChange((diff) => this.#apply(diff));
    host.onCustom((commId, content, buffers) => this.#custom(commId, content, buffers));
    for (const comm of host.comms().values()) {
      this.#open(comm);
    }
    window.addEventListener("resize", () => this.#resized());
  }

  // -- WidgetRuntime ------------------------------------------------------------------

  async render(modelId: string, element: HTMLElement): Promise<void> {
    let model: base.WidgetModel;
    try {
      model = await this.get_model(modelId); // waits a little for a model still syncing
    } catch {
      // Not in the document (yet): a page still syncing may get it later.
      this.#waiting.set(modelId, [...(this.#waiting.get(modelId) ?? []), element]);
      element.dataset["widget"] = "missing";
      element.replaceChildren(
        Object.assign(document.createElement("div"), {
          className: "widget-problem",
          textContent: "This widget is gone (its kernel restarted or it was closed).",
        }),
      );
      return;
    }
    // Only DOM widget models have views to show (a Layout or Style model has none).
    const view = model instanceof base.DOMWidgetModel ? await this.create_view(model) : null;
    if (!(view instanceof base.DOMWidgetView)) {
      element.dataset["widget"] = "headless";
      return;
    }
    element.replaceChildren();
    Widget.attach(view.luminoWidget, element);
    element.dataset["widget"] = "shown";
    this.#shown.add(view);
    view.once("remove", () => {
      this.#shown.delete(view);
      element.dataset["widget"] = "closed";
    });
  }

  // -- ManagerBase --------------------------------------------------------------------

  protected loadClass(className: string, moduleName: string, moduleVersion: string): Promise<WidgetClass> {
    const module = MODULES[moduleName];
    if (module === undefined || (module.major !== "*" && moduleVersion.split(".")[0] !== module.major)) {
      return Promise.reject(
        new Error(`widget module ${moduleName}@${moduleVersion} is not available in nbdesk`),
      );
    }
    const found = classFrom(module.exports, className);
    return found === undefined
      ? Promise.reject(new Error(`no class ${className} in ${moduleName}@${moduleVersion}`))
      : Promise.resolve(found);
  }

  protected _create_comm(): Promise<base.IClassicComm> {
    return Promise.reject(new Error("widgets are created by the kernel, not by the page"));
  }

  protected _get_comm_info(): Promise<object> {
    return Promise.resolve({});
  }

  // -- document to models -------------------------------------------------------------

  #apply(diff: CommDiff): void {
    for (const commId of diff.closed) {
      this.#close(commId);
    }
    for (const comm of diff.opened) {
      this.#open(comm);
    }
    const now = performance.now();
    for (const update of diff.updated) {
      this.#update(update, now);
    }
  }

  #open(comm: WidgetComm): void {
    if (comm.problem !== null) {
      console.warn(`nbdesk: widget ${comm.commId}: ${comm.problem}`);
    }
    const docComm = new DocComm(comm.commId, this.#host, this.#edits);
    this.#comms.set(comm.commId, docComm);
    const state = comm.modelName === OUTPUT_MODEL ? { ...comm.state, outputs: comm.outputs } : comm.state;
    const model = this.#withBuffers(state).then((resolved) =>
      this._make_model(
        {
          model_id: comm.commId,
          model_name: comm.modelName,
          model_module: comm.modelModule,
          model_module_version: comm.modelModuleVersion,
          comm: docComm,
        },
        resolved,
      ),
    );
    this.register_model(comm.commId, model); // before any await: references resolve by id
    for (const element of this.#waiting.get(comm.commId) ?? []) {
      if (element.isConnected) {
        void this.render(comm.commId, element);
      }
    }
    this.#waiting.delete(comm.commId);
    this.#queues.set(
      comm.commId,
      model.then(
        () => undefined,
        () => undefined,
      ),
    );
  }

  #update(update: StateUpdate, now: number): void {
    const { comm } = update;
    const delta = this.#edits.filter(comm.commId, update.delta, now);
    if (update.outputsChanged) {
      delta["outputs"] = comm.outputs;
    }
    if (Object.keys(delta).length > 0) {
      this.#deliverState(comm.commId, delta);
    }
    this.#scheduleExpiry();
  }

  #deliverState(commId: string, delta: Readonly<Record<string, unknown>>): void {
    this.#enqueue(commId, async (docComm) => {
      const state = await this.#withBuffers(delta);
      docComm.deliver({ method: "update", state, buffer_paths: [] });
    });
  }

  #close(commId: string): void {
    const docComm = this.#comms.get(commId);
    this.#comms.delete(commId);
    this.#edits.forget(commId);
    if (docComm !== undefined) {
      const queued = this.#queues.get(commId) ?? Promise.resolve();
      this.#queues.delete(commId);
      void queued.then(() => docComm.closed());
    }
  }

  #custom(commId: string, content: unknown, bufferRefs: readonly unknown[]): void {
    this.#enqueue(commId, async (docComm) => {
      const refs = findBlobRefs(bufferRefs);
      const buffers = await Promise.all(refs.map((ref) => this.#bytes(ref.hash)));
      docComm.deliver({ method: "custom", content }, buffers);
    });
  }

  #enqueue(commId: string, step: (comm: DocComm) => Promise<void>): void {
    const docComm = this.#comms.get(commId);
    const queued = this.#queues.get(commId);
    if (docComm === undefined || queued === undefined) {
      return; // not (or no longer) a model of this page
    }
    const next = queued
      .then(() => step(docComm))
      .catch((error: unknown) => console.error(`nbdesk: widget ${commId} update failed`, error));
    this.#queues.set(commId, next);
  }

  /** The state with each `$blob` reference replaced by its bytes. */
  async #withBuffers(state: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>> {
    const refs = findBlobRefs(state);
    if (refs.length === 0) {
      return { ...state };
    }
    const views = await Promise.all(refs.map((ref) => this.#bytes(ref.hash)));
    return replaceAtPaths(
      state,
      refs.map((ref) => ref.path),
      views,
    );
  }

  async #bytes(hash: string): Promise<DataView> {
    return new DataView(await this.#host.fetchBlob(hash));
  }

  /** Held keys whose echo never came: show the document's value after all. */
  #scheduleExpiry(): void {
    const next = this.#edits.nextExpiry();
    if (next === null || this.#expiryTimer !== null) {
      return;
    }
    this.#expiryTimer = setTimeout(
      () => {
        this.#expiryTimer = null;
        const comms = this.#host.comms();
        for (const [commId, keys] of this.#edits.expire(performance.now())) {
          const state = comms.get(commId)?.state;
          if (state !== undefined) {
            const current = keys.filter((key) => key in state).map((key): [string, unknown] => [key, state[key]]);
            this.#deliverState(commId, Object.fromEntries(current));
          }
        }
        this.#scheduleExpiry();
      },
      Math.max(0, next - performance.now()) + 10,
    );
  }

  #resized(): void {
    for (const view of this.#shown) {
      MessageLoop.postMessage(view.luminoWidget, Widget.ResizeMessage.UnknownSize);
    }
  }
}
