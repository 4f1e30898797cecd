/**
 * The notebook as a file: its path and dirty flag as the window shows them (status line,
 * window title, the shell's dirty marker, relative URLs in markdown), saving, and closing
 * the window. It does not decide when the notebook becomes dirty; edits and runs say so.
 */

import type { Host } from "../host.ts";
import { setNotebookPath } from "../render/location.ts";
import type { Session } from "../session.ts";
import type { StatusBar } from "./status.ts";

export function basename(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

export class NotebookFile {
  readonly #session: Session;
  readonly #host: Host;
  readonly #status: StatusBar;
  /** Where the notebook is saved; null while it is untitled. Shown by `show`. */
  path: string | null = null;
  #dirty = false;

  constructor(session: Session, host: Host, status: StatusBar) {
    this.#session = session;
    this.#host = host;
    this.#status = status;
  }

  setDirty(dirty: boolean): void {
    if (dirty !== this.#dirty) {
      this.#dirty = dirty;
      this.show();
    }
  }

  /** The daemon saved the notebook (from this window or another). */
  saved(path: string): void {
    this.path = path;
    this.setDirty(false);
    this.#status.setSaved(new Date());
  }

  /** Save where it is, or ask the shell for a path (untitled, or `saveAs`). */
  save(saveAs: boolean): void {
    if (saveAs || this.path === null) {
      this.#host.saveAsDialog();
    } else {
      this.saveTo(null);
    }
  }

  /** Save to `path` (chosen in the shell's dialog), or where it is when null. */
  saveTo(path: string | null): void {
    this.#session
      .request("save", path === null ? {} : { path })
      .then(({ path: saved }) => {
        this.path = saved;
        this.setDirty(false);
        this.#status.setSaved(new Date());
        this.#status.showMessage(`Saved ${basename(saved)}`);
      })
      .catch((error: unknown) => this.#status.showFailure("Save", error));
  }

  /** Close the window once the daemon holds every edit (or it is unreachable for 2 s). */
  close(): void {
    const durable = this.#session.request("sync_barrier", {}).catch(() => undefined);
    const patience = new Promise((resolve) => setTimeout(resolve, 2000));
    void Promise.race([durable, patience]).then(() => this.#host.close());
  }

  show(): void {
    setNotebookPath(this.path);
    this.#status.setPath(this.path, this.#dirty);
    this.#host.setTitle(this.path === null ? "Untitled" : basename(this.path));
    this.#host.setDirty(this.#dirty);
  }
}
