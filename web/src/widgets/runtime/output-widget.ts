/**
 * The Output widget (`@jupyter-widgets/output` 1.0.0) drawn from the document.
 *
 * The daemon routes captured outputs into `comms[id].outputs` as manifest hashes; the
 * manager puts those hashes in the model's `outputs`, and the view shows them with the
 * page's own output renderers, exactly as cell outputs (widgets inside included).
 */

import { DOMWidgetModel, DOMWidgetView } from "@jupyter-widgets/base";

import type { OutputListLike, WidgetHost } from "../contract.ts";

export const OUTPUT_MODULE = "@jupyter-widgets/output";
export const OUTPUT_MODULE_VERSION = "1.0.0";

let host: WidgetHost | null = null;

/** Views get their output lists from the page; set once when the runtime starts. */
export function useOutputHost(value: WidgetHost): void {
  host = value;
}

export class OutputModel extends DOMWidgetModel {
  override defaults(): Backbone.ObjectHash {
    return {
      ...super.defaults(),
      _model_name: "OutputModel",
      _model_module: OUTPUT_MODULE,
      _model_module_version: OUTPUT_MODULE_VERSION,
      _view_name: "OutputView",
      _view_module: OUTPUT_MODULE,
      _view_module_version: OUTPUT_MODULE_VERSION,
      outputs: [],
    };
  }
}

function hashes(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

export class OutputView extends DOMWidgetView {
  #list: OutputListLike | null = null;

  override render(): void {
    this.el.classList.add("jupyter-widgets-output-area", "widget-output");
    if (host === null) {
      this.el.textContent = "Output widget unavailable";
      return;
    }
    this.#list = host.outputList();
    this.el.append(this.#list.element);
    this.#show();
    this.listenTo(this.model, "change:outputs", () => this.#show());
  }

  #show(): void {
    this.#list?.update(hashes(this.model.get("outputs")));
  }
}
