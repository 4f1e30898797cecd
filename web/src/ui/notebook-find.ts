/**
 * Find and replace across the notebook: one bar for the whole window (Ctrl/Cmd-F from
 * command mode or an editor), searching the document's cells, so the cells the virtual
 * list has not drawn are found too. Going to a match draws its cell, expands a collapsed
 * section that hides it, scrolls to it and marks it; a replace is one document change,
 * and "undo replace" takes it back as one change.
 *
 * It owns the search state (matches, the current one, the last replace); the bar's DOM is
 * find-panel.ts, the search find-matches.ts, edits find-replace.ts, marks find-highlight.ts.
 */

import type { CellId } from "../doc/ids.ts";
import { type NotebookDoc, orderedCells } from "../doc/notebook.ts";
import type { CellView } from "./cell-view.ts";
import { clearDomMatch, showDomMatch } from "./find-highlight.ts";
import { findInCells, nearestMatch, type NotebookMatch, sourceRangesOf } from "./find-matches.ts";
import { FindPanel } from "./find-panel.ts";
import { type CompiledQuery, compileQuery } from "./find-query.ts";
import { applyReplace, applyUndo, planReplace, planUndo, type ReplaceRecord } from "./find-replace.ts";
import type { FindTexts } from "./find-texts.ts";
import type { NotebookView } from "./notebook-view.ts";

export interface FindHost {
  doc(): NotebookDoc;
  readonly view: NotebookView;
  readonly texts: FindTexts;
  /** Apply a document edit; false when it was refused (the host said why). */
  edit(edit: (doc: NotebookDoc) => NotebookDoc): boolean;
  select(cellId: CellId): void;
  /** Expand the collapsed sections that hide a cell. */
  expand(cellId: CellId): void;
  /** Command mode: where the focus goes when the bar closes and nothing else wants it. */
  commandMode(): void;
  message(text: string, kind?: "info" | "error"): void;
}

/** How long a match in an output waits for that output to be drawn (ms). */
const OUTPUT_WAIT_MS = 3000;

export class NotebookFind {
  readonly panel: FindPanel;
  readonly #host: FindHost;
  #compiled: CompiledQuery = { kind: "empty" };
  #matches: NotebookMatch[] = [];
  #current = -1;
  /** Drawn cells whose editors show marks, to clear them when they have none. */
  readonly #marked = new Set<CellId>();
  /** Markdown cells opened to show a source match: rendered again on close. */
  readonly #opened = new Set<CellId>();
  #record: ReplaceRecord | null = null;
  #returnFocus: Element | null = null;
  #pending = 0;
  #domWait = 0;

  constructor(host: FindHost) {
    this.#host = host;
    this.panel = new FindPanel({
      changed: () => this.#queryChanged(),
      next: () => this.step(1),
      previous: () => this.step(-1),
      replace: () => this.#replaceCurrent(),
      replaceAll: () => this.#replaceAll(),
      undoReplace: () => this.undoReplace(),
      close: () => this.close(),
    });
    host.view.onDrawn = (view) => {
      if (this.panel.isOpen) {
        this.#mark(view, false);
      }
    };
  }

  get element(): HTMLElement {
    return this.panel.element;
  }

  /** Open the bar (`replace`: with the replace row), keeping where the focus was. */
  open(replace: boolean): void {
    const active = document.activeElement;
    if (!this.panel.isOpen || !(active instanceof Element && this.panel.element.contains(active))) {
      this.#returnFocus = active;
    }
    this.panel.open(null);
    if (replace) {
      this.panel.showReplace(true);
    }
    this.#search("nearest", true);
  }

  close(): void {
    if (!this.panel.isOpen) {
      return;
    }
    this.panel.hide();
    window.clearTimeout(this.#domWait);
    clearDomMatch();
    for (const cellId of this.#marked) {
      this.#host.view.drawn.get(cellId)?.showMatches([], -1, false);
    }
    this.#marked.clear();
    for (const cellId of this.#opened) {
      const view = this.#host.view.drawn.get(cellId);
      if (view !== undefined && !view.element.contains(document.activeElement)) {
        view.showRendered();
      }
    }
    this.#opened.clear();
    const back = this.#returnFocus;
    this.#returnFocus = null;
    if (back instanceof HTMLElement && back.isConnected && back !== document.body) {
      back.focus({ preventScroll: true });
    } else {
      this.#host.commandMode();
    }
  }

  /** Go to the next (1) or previous (-1) match, opening the bar if it is closed. */
  step(direction: 1 | -1): void {
    if (!this.panel.isOpen) {
      this.open(false);
      return;
    }
    const count = this.#matches.length;
    if (count === 0) {
      return;
    }
    this.#current = this.#current < 0 ? (direction > 0 ? 0 : count - 1) : (this.#current + direction + count) % count;
    this.#showCount();
    this.#reveal();
  }

  /** The document changed (typing, another window, outputs): search again, not scrolling. */
  docChanged(): void {
    if (this.panel.isOpen && this.#pending === 0) {
      this.#pending = requestAnimationFrame(() => {
        this.#pending = 0;
        this.#search("keep", false);
      });
    }
  }

  undoReplace(): void {
    const record = this.#record;
    if (record === null) {
      this.#host.message("No replace to undo");
      return;
    }
    const { restore, changedSince } = planUndo(this.#host.doc(), record);
    if (restore.length > 0 && !this.#host.edit((doc) => applyUndo(doc, restore))) {
      return;
    }
    this.#record = null;
    this.panel.offerUndo(0);
    const kept = changedSince > 0 ? `; ${changedSince} cells edited since were left as they are` : "";
    this.#host.message(`Undid the replace in ${restore.length} cells${kept}`);
    this.#search("keep", false);
  }

  // -- searching -------------------------------------------------------------------

  /** Output texts arrived: search again, and go to the first match if there was none. */
  #outputsArrived(): void {
    if (this.panel.isOpen) {
      this.#search("keep", this.#current < 0);
    }
  }

  #queryChanged(): void {
    this.#search("nearest", true);
  }

  /**
   * Search the document again. `nearest`: the current match becomes the first one from
   * the selected cell on; `keep`: the one where the current match was.
   */
  #search(current: "nearest" | "keep", reveal: boolean): void {
    const previous = this.#matches[this.#current];
    this.#compiled = compileQuery(this.panel.query);
    const cells = orderedCells(this.#host.doc());
    const scope = this.panel.scope;
    if (scope.outputs && this.#compiled.kind === "ready") {
      const hashes = cells.flatMap((cell) => cell.outputs);
      if (!this.#host.texts.has(hashes)) {
        this.#host.texts.load(hashes, () => this.#outputsArrived());
      }
    }
    this.#matches = findInCells(cells, this.#compiled, scope, this.#host.texts);
    if (current === "keep" && previous !== undefined) {
      const at = this.#matches.findIndex(
        (m) =>
          m.cellId === previous.cellId && m.place === previous.place && m.output === previous.output && m.to > previous.from,
      );
      this.#current = at >= 0 ? at : Math.min(this.#current, this.#matches.length - 1);
    } else {
      this.#current = nearestMatch(this.#matches, this.#host.view.order, this.#host.view.selected);
    }
    this.#showCount();
    if (reveal && this.#current >= 0) {
      this.#reveal();
    } else {
      this.#markDrawn();
    }
  }

  #showCount(): void {
    const compiled = this.#compiled;
    const count = this.#matches.length;
    if (compiled.kind === "invalid") {
      this.panel.showCount(compiled.message, true);
    } else if (compiled.kind === "empty") {
      this.panel.showCount("", false);
    } else if (count === 0) {
      this.panel.showCount("No matches", false);
    } else {
      this.panel.showCount(this.#current < 0 ? `${count} matches` : `${this.#current + 1} of ${count}`, false);
    }
  }

  // -- showing ---------------------------------------------------------------------

  #reveal(): void {
    const match = this.#matches[this.#current];
    if (match === undefined) {
      return;
    }
    const { view } = this.#host;
    if (view.hidden.has(match.cellId)) {
      this.#host.expand(match.cellId);
    }
    this.#host.select(match.cellId);
    const cellView = view.view(match.cellId);
    if (cellView === undefined) {
      return;
    }
    if (match.place === "source" && cellView.cell.cellType === "markdown") {
      cellView.showSource();
      this.#opened.add(match.cellId);
    }
    this.#markDrawn();
    window.clearTimeout(this.#domWait);
    clearDomMatch();
    if (match.place === "source") {
      this.#mark(cellView, true);
    } else {
      this.#showInDom(match, performance.now() + OUTPUT_WAIT_MS);
    }
  }

  /** Mark a rendered or output match once its element shows the text (outputs load late). */
  #showInDom(match: NotebookMatch, until: number): void {
    if (this.#compiled.kind !== "ready" || this.#matches[this.#current] !== match) {
      return;
    }
    const element = this.#host.view.drawn.get(match.cellId)?.placeElement(match.place, match.output) ?? null;
    const pattern = this.#compiled.pattern;
    if (element !== null && !element.classList.contains("pending") && showDomMatch(element, pattern, match.nth)) {
      return;
    }
    if (performance.now() < until) {
      this.#domWait = window.setTimeout(() => this.#showInDom(match, until), 50);
    } else if (element !== null) {
      element.scrollIntoView({ block: "center" });
    }
  }

  #markDrawn(): void {
    for (const view of this.#host.view.drawn.values()) {
      this.#mark(view, false);
    }
  }

  /** Mark a drawn cell's source matches; `scroll`: bring the current one into view. */
  #mark(view: CellView, scroll: boolean): void {
    const ranges = sourceRangesOf(this.#matches, view.id);
    if (ranges.length === 0 && !this.#marked.has(view.id)) {
      return;
    }
    const current = this.#matches[this.#current];
    const index = current?.cellId === view.id ? ranges.indexOf(current) : -1;
    view.showMatches(ranges, index, scroll);
    if (ranges.length > 0) {
      this.#marked.add(view.id);
    } else {
      this.#marked.delete(view.id);
    }
  }

  // -- replacing -------------------------------------------------------------------

  #replaceCurrent(): void {
    const match = this.#matches[this.#current];
    if (match === undefined) {
      this.#search("nearest", true);
      return;
    }
    if (match.place !== "source") {
      this.#host.message("Matches in outputs and rendered markdown are found, not replaced");
      this.step(1);
      return;
    }
    this.#replace([match]);
  }

  #replaceAll(): void {
    if (!this.#replace(this.#matches)) {
      this.#host.message(this.#matches.length === 0 ? "Nothing to replace" : "Only cell sources can be replaced");
    }
  }

  /** Replace `matches` as one change and remember it for "undo replace". */
  #replace(matches: readonly NotebookMatch[]): boolean {
    const record = planReplace(this.#host.doc(), matches, this.#compiled, this.panel.replacement);
    if (record.count === 0 || !this.#host.edit((doc) => applyReplace(doc, record))) {
      return false;
    }
    this.#record = record;
    this.panel.offerUndo(record.count);
    const cells = record.cells.length;
    this.#host.message(`Replaced ${record.count} ${record.count === 1 ? "match" : "matches"} in ${cells} ${cells === 1 ? "cell" : "cells"}`);
    this.#search("keep", matches.length === 1);
    return true;
  }
}
