/**
 * The window's two notebook-wide panels, find and replace and the outline, with the
 * collapsible sections they share (a match or heading in a collapsed section expands it).
 * Built once by the app; actions reach them through `perform`.
 */

import type { Action } from "../actions.ts";
import type { CellId } from "../doc/ids.ts";
import type { NotebookDoc } from "../doc/notebook.ts";
import type { CellFocus } from "./cell-focus.ts";
import type { DocEdits } from "./doc-edits.ts";
import { FindTexts } from "./find-texts.ts";
import type { BlobClient } from "./manifests.ts";
import { NotebookFind } from "./notebook-find.ts";
import type { NotebookView } from "./notebook-view.ts";
import { OutlinePanel } from "./outline-panel.ts";
import { expandTo, toggleSection } from "./section-edits.ts";
import type { StatusBar } from "./status.ts";

export interface PanelParts {
  doc(): NotebookDoc;
  readonly view: NotebookView;
  readonly edits: () => DocEdits;
  readonly focus: () => CellFocus;
  readonly status: StatusBar;
  blobs(): BlobClient;
  /** The outline was shown or hidden (the toolbar's button shows it). */
  outlineShown(open: boolean): void;
}

/** The actions these panels answer. */
export type PanelAction = Extract<
  Action,
  "find" | "find-replace" | "find-next" | "find-previous" | "undo-replace" | "outline"
>;

export class NotebookPanels {
  readonly find: NotebookFind;
  readonly outline: OutlinePanel;
  readonly #parts: PanelParts;

  constructor(parts: PanelParts) {
    this.#parts = parts;
    const commandMode = (): void => parts.focus().commandMode();
    this.find = new NotebookFind({
      doc: () => parts.doc(),
      view: parts.view,
      texts: new FindTexts(() => parts.blobs()),
      edit: (edit) => parts.edits().edit(edit),
      select: (cellId) => parts.focus().select(cellId),
      expand: (cellId) => this.#expand(cellId),
      commandMode,
      message: (text, kind) => parts.status.showMessage(text, kind),
    });
    this.outline = new OutlinePanel({
      doc: () => parts.doc(),
      view: parts.view,
      jump: (cellId) => this.#jump(cellId),
      commandMode,
      shown: (open) => parts.outlineShown(open),
    });
  }

  perform(action: PanelAction): void {
    switch (action) {
      case "find":
        this.find.open(false);
        return;
      case "find-replace":
        this.find.open(true);
        return;
      case "find-next":
        this.find.step(1);
        return;
      case "find-previous":
        this.find.step(-1);
        return;
      case "undo-replace":
        this.find.undoReplace();
        return;
      case "outline":
        this.outline.toggle();
        return;
    }
  }

  docChanged(): void {
    this.find.docChanged();
    this.outline.docChanged();
  }

  /** The toggle in a heading cell's margin; the selection leaves a section it hides. */
  toggleSection(cellId: CellId): void {
    const { view } = this.#parts;
    if (this.#parts.edits().edit((doc) => toggleSection(doc, cellId))) {
      const selected = view.selected;
      if (selected !== null && view.hidden.has(selected)) {
        this.#parts.focus().select(cellId);
      }
    }
  }

  #expand(cellId: CellId): void {
    this.#parts.edits().edit((doc) => expandTo(doc, cellId));
  }

  #jump(cellId: CellId): void {
    const { view } = this.#parts;
    if (view.hidden.has(cellId)) {
      this.#expand(cellId);
    }
    this.#parts.focus().select(cellId);
    view.view(cellId)?.element.scrollIntoView({ block: "start" });
  }
}
