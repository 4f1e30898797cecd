/**
 * One cell on screen: the prompt (`[n]`, `[*]` while running), the editor and the outputs.
 *
 * DOM hooks: `.cell[data-cell-id][data-cell-type][data-state=idle|queued|running]`,
 * `[data-selected]` on the selected cell, `.execution-count`, the editor's `.cm-content`,
 * `.outputs`, a per-cell run button `[data-cell-action=run]`, and `.input-slot` below the
 * outputs, where a prompt for the kernel's `input()` appears (stdin-prompt.ts).
 */

import type { Extension } from "@codemirror/state";

import type { Action } from "../actions.ts";
import type { Cell, Splice } from "../doc/notebook.ts";
import type { CellId } from "../doc/ids.ts";
import { h } from "./dom.ts";
import type { CompletionFetcher } from "./completion.ts";
import { CellEditor, type EditorCommands } from "./editor.ts";
import type { CellRunState } from "./executions.ts";
import { showEditorMatches } from "./find-highlight.ts";
import type { MatchPlace } from "./find-matches.ts";
import type { TextRange } from "./find-query.ts";
import { headingOf, isCollapsed } from "./headings.ts";
import type { BlobClient } from "./manifests.ts";
import { MarkdownPreview } from "./markdown-cell.ts";
import { OutputList } from "./outputs.ts";
import type { SourceUpdate } from "./text-changes.ts";

export interface CellCallbacks {
  edit(cellId: CellId, splices: Splice[], text: string): void;
  select(cellId: CellId): void;
  run(cellId: CellId, advance: boolean): void;
  leave(cellId: CellId, direction: "up" | "down"): void;
  /** A shortcut pressed in this cell's editor. */
  perform(cellId: CellId, action: Action): void;
  complete: CompletionFetcher;
  /** Collapse or expand the section under this markdown cell's heading. */
  toggleHeading(cellId: CellId): void;
}

function prompt(cellType: string, count: number | null, state: CellRunState): string {
  if (cellType !== "code") {
    return "";
  }
  if (state === "running") {
    return "[*]";
  }
  if (state === "queued") {
    return "[ ]";
  }
  return count === null ? "[ ]" : `[${count}]`;
}

export class CellView {
  readonly id: CellId;
  readonly element: HTMLElement;
  readonly #editor: CellEditor;
  readonly #outputs: OutputList;
  readonly #count: HTMLElement;
  readonly #editorHost: HTMLElement;
  readonly #preview: MarkdownPreview;
  readonly #headingToggle: HTMLButtonElement;
  readonly #inputSlot: HTMLElement;
  /** A markdown cell shows its editor only while being edited, else its rendering. */
  #editingMarkdown = false;
  #cell: Cell;
  #state: CellRunState = "idle";

  constructor(cell: Cell, blobs: () => BlobClient, callbacks: CellCallbacks, language: Extension) {
    this.id = cell.id;
    this.#cell = cell;
    this.#count = h("span", { class: "execution-count" });
    const runButton = h(
      "button",
      { class: "run-cell", type: "button", title: "Run cell", "data-cell-action": "run" },
      "▶",
    );
    runButton.addEventListener("click", () => {
      callbacks.select(this.id);
      callbacks.run(this.id, false);
    });
    this.#headingToggle = h("button", { class: "heading-toggle", type: "button", "data-heading-toggle": "" });
    this.#headingToggle.addEventListener("click", () => callbacks.toggleHeading(this.id));
    const editorHost = h("div", { class: "editor" });
    this.#editorHost = editorHost;
    this.#preview = new MarkdownPreview({
      edit: () => this.#editMarkdown(),
      run: (advance) => callbacks.run(this.id, advance),
      leave: (direction) => callbacks.leave(this.id, direction),
      focused: () => callbacks.select(this.id),
    });
    this.#outputs = new OutputList(blobs);
    this.#inputSlot = h("div", { class: "input-slot" });
    this.element = h(
      "section",
      { class: "cell", "data-cell-id": cell.id },
      h("div", { class: "cell-gutter" }, this.#count, runButton, this.#headingToggle),
      h(
        "div",
        { class: "cell-body" },
        this.#preview.element,
        editorHost,
        this.#outputs.element,
        this.#inputSlot,
      ),
    );
    this.element.addEventListener("mousedown", () => callbacks.select(this.id));
    const commands: EditorCommands = {
      perform: (action) => {
        if (action === "run" || action === "run-next" || action === "run-insert") {
          this.showRendered(); // running a markdown cell renders it
        }
        callbacks.perform(this.id, action);
      },
      leave: (direction) => callbacks.leave(this.id, direction),
      complete: callbacks.complete,
    };
    this.#editor = new CellEditor(editorHost, {
      text: cell.source,
      cellType: cell.cellType,
      language,
      commands,
      onEdit: (splices, text) => callbacks.edit(this.id, splices, text),
      onFocus: () => callbacks.select(this.id),
    });
    this.#render();
  }

  get cell(): Cell {
    return this.#cell;
  }

  /** Show the cell as the document now holds it; `update` says how its source changed. */
  update(cell: Cell, update: SourceUpdate | undefined): void {
    if (cell.cellType === "markdown" && this.#cell.cellType !== "markdown") {
      this.#editingMarkdown = true; // just converted: keep writing
    }
    this.#cell = cell;
    this.#editor.setCellType(cell.cellType);
    this.#editor.applyRemote(cell.source, update);
    this.#render();
  }

  setRunState(state: CellRunState): void {
    if (state !== this.#state) {
      this.#state = state;
      this.#render();
    }
  }

  setSelected(selected: boolean): void {
    this.element.toggleAttribute("data-selected", selected);
  }

  /** The editor's cursor (UTF-16 offset), where a split cuts the cell. */
  get cursor(): number {
    return this.#editor.cursor;
  }

  focus(where: "start" | "end" | "keep" = "keep"): void {
    if (this.#showsPreview()) {
      this.#preview.element.focus();
      return;
    }
    this.#editor.focus(where);
  }

  setLanguage(language: Extension): void {
    this.#editor.setLanguage(language);
  }

  /** Show a prompt for the kernel's input (below the outputs), or none. */
  showInput(prompt: HTMLElement | null): void {
    if (prompt === null) {
      this.#inputSlot.replaceChildren();
    } else if (prompt.parentElement !== this.#inputSlot) {
      this.#inputSlot.replaceChildren(prompt);
    }
  }

  resetOutputs(): void {
    this.#outputs.reset();
    this.#outputs.update(this.#cell.cellType === "code" ? this.#cell.outputs : []);
  }

  destroy(): void {
    this.#editor.destroy();
    this.#preview.destroy();
    this.element.remove();
  }

  #render(): void {
    const { cellType, executionCount, outputs } = this.#cell;
    this.element.dataset["cellType"] = cellType;
    this.element.dataset["state"] = this.#state;
    this.#count.textContent = prompt(cellType, executionCount, this.#state);
    this.#outputs.update(outputs);
    this.#renderMarkdown();
    this.#renderHeadingToggle();
  }

  #renderHeadingToggle(): void {
    const heading = headingOf(this.#cell);
    this.#headingToggle.hidden = heading === null;
    if (heading !== null) {
      const collapsed = isCollapsed(this.#cell);
      const name = heading.text === "" ? "this heading" : `“${heading.text}”`;
      this.#headingToggle.setAttribute("aria-expanded", String(!collapsed));
      this.#headingToggle.setAttribute(
        "aria-label",
        `${collapsed ? "Expand" : "Collapse"} the section under ${name}`,
      );
      this.#headingToggle.title = collapsed ? "Expand section" : "Collapse section";
      this.#headingToggle.textContent = collapsed ? "▸" : "▾";
    }
  }

  // -- find: its matches in this cell ----------------------------------------------------

  /** Mark `ranges` in the editor, `current` (an index in them, or -1) stronger. */
  showMatches(ranges: readonly TextRange[], current: number, scroll: boolean): void {
    showEditorMatches(this.#editor.view, ranges, current, scroll);
  }

  /** Show a markdown cell's source (not its rendering) without taking the focus. */
  showSource(): void {
    if (this.#showsPreview()) {
      this.#editingMarkdown = true;
      this.#renderMarkdown();
    }
  }

  /** The element whose text holds a rendered or output match. */
  placeElement(place: MatchPlace, output: number): HTMLElement | null {
    if (place === "rendered") {
      return this.#showsPreview() ? this.#preview.element : null;
    }
    const element = place === "output" ? this.#outputs.element.children[output] : undefined;
    return element instanceof HTMLElement ? element : null;
  }

  // -- markdown: the preview and the editor take turns ----------------------------------

  #showsPreview(): boolean {
    return this.#cell.cellType === "markdown" && !this.#editingMarkdown;
  }

  #renderMarkdown(): void {
    const preview = this.#showsPreview();
    this.#editorHost.hidden = preview;
    if (preview) {
      // The editor, not #cell: local typing does not re-render the view.
      this.#preview.show(this.#editor.text, this.#cell.attachments);
    } else {
      this.#preview.hide();
    }
  }

  #editMarkdown(): void {
    this.#editingMarkdown = true;
    this.#renderMarkdown();
    this.#editor.focus("end");
  }

  /** Running a markdown cell renders it (the app then advances as for code). */
  /** Leave a markdown cell's editor for its rendering (what running a markdown cell does). */
  showRendered(): void {
    if (this.#cell.cellType === "markdown" && this.#editingMarkdown) {
      const focused = this.#editor.view.hasFocus;
      this.#editingMarkdown = false;
      this.#renderMarkdown();
      if (focused) {
        this.#preview.element.focus();
      }
    }
  }
}
