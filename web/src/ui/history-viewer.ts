/**
 * A past version of the notebook, read only, in place of the live one: a bar saying
 * "Viewing <time> — read only" with its actions (back to now, compare, restore) above a
 * second, read-only NotebookView drawn from `A.view(doc, heads)`. The live document and
 * its view are never touched; scrubbing only redraws this view (its cell window draws
 * just the cells near the viewport, so a 1,000-cell notebook redraws like a short one).
 *
 * Keys inside it (it owns them: the notebook's command keys must not edit the live
 * document while a past one is shown): Up/Down or K/J select cells, Escape goes back to
 * now. Hooks: `[data-history-view]`, `[data-history-bar]`, `button[data-history-action]`.
 */

import * as A from "@automerge/automerge/slim";

import type { CellId } from "../doc/ids.ts";
import type { NotebookDoc } from "../doc/notebook.ts";
import type { CellCallbacks } from "./cell-view.ts";
import { h } from "./dom.ts";
import type { BlobClient } from "./manifests.ts";
import { NotebookView } from "./notebook-view.ts";

/** What the bar's buttons ask for. */
export type ViewerAction =
  | "back"
  | "compare-now"
  | "pick"
  | "compare-picked"
  | "restore-cell"
  | "restore-selected"
  | "restore-all";

const BUTTONS: readonly { readonly action: ViewerAction; readonly label: string; readonly title: string }[] = [
  { action: "back", label: "Back to now", title: "Show the notebook as it is now (Escape)" },
  { action: "compare-now", label: "Compare with now", title: "Cell by cell: this point against now" },
  { action: "pick", label: "Pick for comparing", title: "Remember this point, then view another and compare them" },
  { action: "compare-picked", label: "Compare with picked", title: "Cell by cell: the picked point against this one" },
  { action: "restore-cell", label: "Restore this cell", title: "Bring the selected cell back as it was here" },
  { action: "restore-selected", label: "Restore selected cells", title: "Bring the selected cells back as they were here" },
  { action: "restore-all", label: "Restore whole notebook", title: "Make the whole notebook as it was here" },
];

export interface ViewerHost {
  blobs(): BlobClient;
  act(action: ViewerAction): void;
}

/** Callbacks of a view nobody edits, runs or folds: only selection moves. */
function readOnlyCallbacks(select: (cellId: CellId) => void): CellCallbacks {
  const refuse = (): Promise<never> => Promise.reject(new Error("a past version is read only"));
  return {
    edit: () => undefined,
    select,
    press: (cellId) => select(cellId),
    fold: () => undefined,
    run: () => undefined,
    leave: () => undefined,
    perform: () => undefined,
    complete: refuse,
    inspect: refuse,
    toggleHeading: () => undefined,
  };
}

export class HistoryViewer {
  readonly element: HTMLElement;
  readonly #view: NotebookView;
  readonly #title: HTMLElement;
  readonly #buttons = new Map<ViewerAction, HTMLButtonElement>();
  #heads: readonly string[] | null = null;
  #doc: NotebookDoc | null = null;

  constructor(host: ViewerHost) {
    this.#view = new NotebookView(() => host.blobs(), readOnlyCallbacks((cellId) => this.#view.select(cellId)), true);
    this.#view.element.setAttribute("aria-label", "The notebook at this point (read only)");
    this.#title = h("strong", { class: "history-bar-title", "data-history-title": "" });
    const buttons = BUTTONS.map(({ action, label, title }) => {
      const button = h("button", { type: "button", title, "data-history-action": action }, label);
      button.addEventListener("click", () => host.act(action));
      this.#buttons.set(action, button);
      return button;
    });
    this.element = h(
      "div",
      { class: "history-view", "data-history-view": "", "data-owns-keys": "", hidden: true },
      h(
        "div",
        { class: "history-bar", role: "region", "aria-label": "Viewing a past point", "data-history-bar": "" },
        this.#title,
        h("div", { class: "history-bar-actions", role: "group", "aria-label": "This point" }, ...buttons),
      ),
      this.#view.element,
    );
    this.#view.element.addEventListener("keydown", (event) => this.#onKey(event, host));
    this.setPicked(false, false);
  }

  get isShown(): boolean {
    return !this.element.hidden;
  }

  /** The heads shown, or null when not viewing. */
  get heads(): readonly string[] | null {
    return this.isShown ? this.#heads : null;
  }

  /** The past document shown (a read-only Automerge view), or null. */
  get doc(): NotebookDoc | null {
    return this.isShown ? this.#doc : null;
  }

  /** The selected cells of the past version, in its order. */
  get selection(): CellId[] {
    return this.#view.selection;
  }

  /** Draw `live` as it was at `heads`; returns the past document drawn. */
  show(live: NotebookDoc, heads: readonly string[], title: string): NotebookDoc {
    const past = A.view(live, [...heads]);
    this.#heads = heads;
    this.#doc = past;
    this.#title.textContent = `Viewing ${title} — read only`;
    this.element.hidden = false;
    this.#view.render(past, []);
    return past;
  }

  hide(): void {
    this.element.hidden = true;
    this.#heads = null;
    this.#doc = null;
  }

  /** Whether a point is picked for comparing, and whether it is the one shown. */
  setPicked(picked: boolean, isThis: boolean): void {
    const pickedButton = this.#buttons.get("compare-picked");
    if (pickedButton !== undefined) {
      pickedButton.hidden = !picked || isThis;
    }
    this.#buttons.get("pick")?.setAttribute("aria-pressed", String(picked && isThis));
  }

  /** Put the focus in the past notebook (on its selected cell, else the list). */
  focus(): void {
    const selected = this.#view.selected;
    const view = selected === null ? undefined : this.#view.view(selected);
    if (view !== undefined) {
      view.focus();
    } else {
      this.#view.element.focus();
    }
  }

  #onKey(event: KeyboardEvent, host: ViewerHost): void {
    if (event.target instanceof Element && event.target.closest(".cm-editor") !== null && event.key !== "Escape") {
      return; // arrows move the cursor in a read-only editor, as in any text
    }
    const order = this.#view.order;
    const at = this.#view.selectedIndex;
    const moves: Record<string, number> = { ArrowDown: at + 1, j: at + 1, ArrowUp: at - 1, k: at - 1 };
    const target = moves[event.key];
    if (target !== undefined && !event.ctrlKey && !event.metaKey && !event.altKey) {
      const cellId = order[Math.max(0, Math.min(target, order.length - 1))];
      if (cellId !== undefined) {
        this.#view.select(cellId);
        this.#view.view(cellId)?.element.scrollIntoView({ block: "nearest" });
      }
    } else if (event.key === "Escape") {
      host.act("back");
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }
}
