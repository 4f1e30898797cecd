/**
 * One cell on screen: the prompt (`[n]`, `[*]` while running), the editor and the outputs.
 *
 * DOM hooks: `.cell[data-cell-id][data-cell-type][data-state=idle|queued|running]`,
 * `[data-selected]` on the active cell and `[data-in-selection]` on each of several
 * selected, `.execution-count`, the editor's `.cm-content`, `.outputs`, a per-cell run
 * button `[data-cell-action=run]`, the margin's fold toggles `button[data-fold=input|outputs|scrolled]`
 * and the notes that stand for folded parts `button[data-folded=input|outputs]`
 * (`[data-input-hidden]`, `[data-outputs-hidden]` on the cell, `.outputs[data-scrolled]`),
 * the drag handle `[data-drag-handle]` (the margin), and `.input-slot` below the outputs,
 * where a prompt for the kernel's `input()` appears (stdin-prompt.ts).
 */

import type { Extension } from "@codemirror/state";

import type { Action } from "../actions.ts";
import type { Cell, Splice } from "../doc/notebook.ts";
import type { CellId } from "../doc/ids.ts";
import { h } from "./dom.ts";
import type { CompletionFetcher } from "./completion.ts";
import type { InspectFetcher } from "./inspect-tooltip.ts";
import { CellEditor, type EditorCommands } from "./editor.ts";
import type { CellRunState } from "./executions.ts";
import { showEditorMatches } from "./find-highlight.ts";
import type { MatchPlace } from "./find-matches.ts";
import type { TextRange } from "./find-query.ts";
import { type DisplayPart, isFolded } from "./cell-display.ts";
import { headingOf, isCollapsed } from "./headings.ts";
import type { BlobClient } from "./manifests.ts";
import { MarkdownPreview } from "./markdown-cell.ts";
import { OutputList } from "./outputs.ts";
import type { SourceUpdate } from "./text-changes.ts";

export interface CellCallbacks {
  edit(cellId: CellId, splices: Splice[], text: string): void;
  select(cellId: CellId): void;
  /** A mouse button went down on the cell (Shift extends the selection). */
  press(cellId: CellId, event: MouseEvent): void;
  /** Fold or unfold the cell's input, outputs or their scrolling (cell-display.ts). */
  fold(cellId: CellId, part: DisplayPart): void;
  run(cellId: CellId, advance: boolean): void;
  leave(cellId: CellId, direction: "up" | "down"): void;
  /** A shortcut pressed in this cell's editor. */
  perform(cellId: CellId, action: Action): void;
  complete: CompletionFetcher;
  inspect: InspectFetcher;
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
  readonly #input: HTMLElement;
  readonly #outputArea: HTMLElement;
  readonly #folds: Record<DisplayPart, HTMLButtonElement>;
  readonly #inputNote: HTMLButtonElement;
  readonly #outputsNote: HTMLButtonElement;
  /** A markdown cell shows its editor only while being edited, else its rendering. */
  #editingMarkdown = false;
  #cell: Cell;
  #state: CellRunState = "idle";

  constructor(
    cell: Cell,
    blobs: () => BlobClient,
    callbacks: CellCallbacks,
    language: Extension,
    readOnly = false,
  ) {
    this.id = cell.id;
    this.#cell = cell;
    this.#count = h("span", { class: "execution-count" });
    const runButton = h(
      "button",
      { class: "run-cell", type: "button", title: "Run cell", "aria-label": "Run the cell", "data-cell-action": "run" },
      "▶",
    );
    runButton.hidden = readOnly;
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
    const fold = (part: DisplayPart): HTMLButtonElement => {
      const button = h("button", { type: "button", class: `fold fold-${part}`, "data-fold": part });
      button.addEventListener("click", () => callbacks.fold(this.id, part));
      button.addEventListener("mousedown", (event) => event.preventDefault()); // keep the focus where it is
      return button;
    };
    this.#folds = { input: fold("input"), outputs: fold("outputs"), scrolled: fold("scrolled") };
    this.#inputNote = h("button", { type: "button", class: "folded-note", "data-folded": "input" });
    this.#inputNote.addEventListener("click", () => callbacks.fold(this.id, "input"));
    this.#outputsNote = h("button", { type: "button", class: "folded-note", "data-folded": "outputs" });
    this.#outputsNote.addEventListener("click", () => callbacks.fold(this.id, "outputs"));
    for (const note of [this.#inputNote, this.#outputsNote]) {
      note.addEventListener("mousedown", (event) => event.preventDefault());
    }
    this.#input = h(
      "div",
      { class: "cell-input" },
      this.#folds.input,
      h("div", { class: "input-content" }, this.#preview.element, editorHost),
      this.#inputNote,
    );
    this.#outputArea = h(
      "div",
      { class: "cell-output-area" },
      this.#folds.outputs,
      this.#outputs.element,
      this.#outputsNote,
      this.#folds.scrolled,
    );
    this.element = h(
      "section",
      { class: "cell", "data-cell-id": cell.id },
      h(
        "div",
        { class: "cell-gutter", "data-drag-handle": "", title: "Drag to move the cell (or the selected cells)" },
        this.#count,
        runButton,
        this.#headingToggle,
      ),
      h("div", { class: "cell-body" }, this.#input, this.#outputArea, this.#inputSlot),
    );
    this.element.addEventListener("mousedown", (event) => callbacks.press(this.id, event));
    const commands: EditorCommands = {
      perform: (action) => {
        if (action === "run" || action === "run-next" || action === "run-insert") {
          this.showRendered(); // running a markdown cell renders it
        }
        callbacks.perform(this.id, action);
      },
      leave: (direction) => callbacks.leave(this.id, direction),
      complete: callbacks.complete,
      inspect: callbacks.inspect,
    };
    this.#editor = new CellEditor(editorHost, {
      text: cell.source,
      cellType: cell.cellType,
      language,
      commands,
      onEdit: (splices, text) => callbacks.edit(this.id, splices, text),
      onFocus: () => callbacks.select(this.id),
      readOnly,
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

  /** `selected`: the active cell; `inSelection`: one of several selected cells. */
  setSelected(selected: boolean, inSelection = false): void {
    this.element.toggleAttribute("data-selected", selected);
    this.element.toggleAttribute("data-in-selection", inSelection);
  }

  /** The editor's cursor (UTF-16 offset), where a split cuts the cell. */
  get cursor(): number {
    return this.#editor.cursor;
  }

  focus(where: "start" | "end" | "keep" = "keep"): void {
    if (isFolded(this.#cell, "input")) {
      this.#inputNote.focus(); // Enter on it shows the input
      return;
    }
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
    this.#renderFolds();
  }

  /** The input and the outputs, shown, folded away or (outputs) scrolled, with their toggles. */
  #renderFolds(): void {
    const cell = this.#cell;
    const inputHidden = isFolded(cell, "input");
    const outputsHidden = isFolded(cell, "outputs");
    const scrolled = isFolded(cell, "scrolled");
    const count = cell.outputs.length;
    this.element.toggleAttribute("data-input-hidden", inputHidden);
    this.element.toggleAttribute("data-outputs-hidden", outputsHidden);
    this.#input.classList.toggle("folded", inputHidden);
    this.#inputNote.hidden = !inputHidden;
    this.#inputNote.replaceChildren(h("span", { "aria-hidden": "true" }, "⋯ "), "Show the hidden input");
    this.#folds.input.setAttribute("aria-expanded", String(!inputHidden));
    this.#folds.input.setAttribute("aria-label", inputHidden ? "Show the input" : "Hide the input");
    this.#folds.input.title = inputHidden ? "Show the input" : "Hide the input";

    this.#outputArea.hidden = count === 0;
    this.#outputs.element.hidden = outputsHidden;
    this.#outputsNote.hidden = !outputsHidden;
    const noun = count === 1 ? "output" : "outputs";
    this.#outputsNote.replaceChildren(h("span", { "aria-hidden": "true" }, "⋯ "), `Show the ${count} hidden ${noun}`);
    this.#folds.outputs.setAttribute("aria-expanded", String(!outputsHidden));
    this.#folds.outputs.setAttribute("aria-label", outputsHidden ? "Show the outputs" : "Hide the outputs");
    this.#folds.outputs.title = outputsHidden ? "Show the outputs" : "Hide the outputs";

    this.#folds.scrolled.hidden = outputsHidden;
    this.#folds.scrolled.textContent = scrolled ? "⤢" : "⇕";
    this.#folds.scrolled.setAttribute("aria-pressed", String(scrolled));
    this.#folds.scrolled.setAttribute("aria-label", "Scroll long outputs in a box");
    this.#folds.scrolled.title = scrolled ? "Show the outputs in full" : "Scroll long outputs in a box";
    const box = this.#outputs.element;
    box.toggleAttribute("data-scrolled", scrolled);
    if (scrolled) {
      // A scrolled box is reachable from the keyboard and named for screen readers.
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", "Outputs (scrolled)");
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
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
