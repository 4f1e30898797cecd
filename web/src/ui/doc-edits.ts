/**
 * Local edits to the document: structural ones (the view re-renders; a refused edit is
 * reported, not thrown) and keystrokes (the editor already shows them). Both make the
 * notebook dirty.
 */

import type { CellId } from "../doc/ids.ts";
import { type NotebookDoc, NotebookError, replaceSource, type Splice, spliceSourceMany } from "../doc/notebook.ts";
import type { Session } from "../session.ts";
import type { NotebookFile } from "./notebook-file.ts";
import type { StatusBar } from "./status.ts";

export class DocEdits {
  readonly #session: Session;
  readonly #file: NotebookFile;
  readonly #status: StatusBar;

  constructor(session: Session, file: NotebookFile, status: StatusBar) {
    this.#session = session;
    this.#file = file;
    this.#status = status;
  }

  /** Apply a structural edit; false when the document refused it (the message says why). */
  edit(edit: (doc: NotebookDoc) => NotebookDoc): boolean {
    try {
      this.#session.change(edit);
    } catch (error) {
      if (error instanceof NotebookError) {
        this.#status.showMessage(error.message, "error");
        return false;
      }
      throw error;
    }
    this.#file.setDirty(true);
    return true;
  }

  /** Keystrokes: the editor already shows them, so the view is not re-rendered. */
  typed(cellId: CellId, splices: Splice[], text: string): void {
    try {
      this.#session.change((doc) => spliceSourceMany(doc, cellId, splices), { notify: false });
    } catch (error) {
      if (!(error instanceof NotebookError)) {
        throw error;
      }
      if (error.code !== "bad_splice") {
        return; // the cell went away under the editor; the next render removes it
      }
      this.#session.change((doc) => replaceSource(doc, cellId, text), { notify: false });
    }
    this.#file.setDirty(true);
  }
}
