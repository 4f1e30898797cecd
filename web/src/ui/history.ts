/**
 * Time travel in the window: joins the history panel (the timeline the daemon reports),
 * the viewer (a past point drawn read only from the page's own document), the compare
 * dialog (the daemon's cell-aware diff) and restores (a new local change on top, which
 * syncs to every window; the last one can be undone).
 *
 * Viewing uses the page's Automerge (`A.view(doc, heads)`), never the daemon, so
 * scrubbing costs no round trip; the daemon gives the points, their authors and marks,
 * and every comparison.
 */

import * as A from "@automerge/automerge/slim";

import type { CellId } from "../doc/ids.ts";
import type { NotebookDoc } from "../doc/notebook.ts";
import { allCellIds, restoreCells, type RestoreResult } from "../doc/restore.ts";
import type { Comparison, CompareSide, HistoryPoint, ResultOf } from "../protocol/wire.gen.ts";
import type { RequestFields } from "../protocol/requests.ts";
import { errorMessage } from "../util/guards.ts";
import { CompareView } from "./compare-view.ts";
import { HistoryPanel } from "./history-panel.ts";
import { dateTime } from "./history-timeline.ts";
import { HistoryViewer, type ViewerAction } from "./history-viewer.ts";
import type { BlobClient } from "./manifests.ts";

export interface HistoryHost {
  doc(): NotebookDoc;
  history(): Promise<ResultOf<"history">>;
  compare(fields: RequestFields<"compare">): Promise<Comparison>;
  blobs(): BlobClient;
  /** Apply a local edit (reported, not thrown, when refused); false when refused. */
  edit(edit: (doc: NotebookDoc) => NotebookDoc): boolean;
  /** The live notebook's element, hidden while a past point is shown. */
  readonly live: HTMLElement;
  /** Select a live cell (after a restore brought it back). */
  select(cellId: CellId): void;
  /** Back to the live notebook in command mode. */
  commandMode(): void;
  message(text: string, kind?: "info" | "error"): void;
  /** The panel was shown or hidden (the toolbar shows it). */
  shown(open: boolean): void;
}

/** The last restore, to undo it: the heads before it and the cells it touched. */
interface RestoreRecord {
  readonly before: readonly string[];
  readonly cellIds: readonly CellId[];
  readonly when: string;
}

/** Waiting this long after the last change before asking for the timeline again. */
const REFRESH_DELAY_MS = 1500;

export class History {
  readonly panel: HistoryPanel;
  readonly viewer: HistoryViewer;
  readonly compareView: CompareView;
  readonly #host: HistoryHost;
  #points: readonly HistoryPoint[] = [];
  #viewed = -1;
  #picked = -1;
  #undo: RestoreRecord | null = null;
  #refresh: ReturnType<typeof setTimeout> | null = null;
  #loading: Promise<void> | null = null;

  constructor(host: HistoryHost) {
    this.#host = host;
    this.panel = new HistoryPanel({
      view: (index) => this.view(index),
      compareWith: (kind) => void this.compare({ kind }, { kind: "now" }),
      undoRestore: () => this.undoRestore(),
      // Escape: first back to now (staying on the timeline), then back to the notebook.
      leave: () => (this.viewer.isShown ? this.back() : host.commandMode()),
    });
    this.viewer = new HistoryViewer({ blobs: () => host.blobs(), act: (action) => this.#act(action) });
    this.compareView = new CompareView(() => this.#afterCompare());
  }

  get viewing(): boolean {
    return this.viewer.isShown;
  }

  perform(action: "history" | "undo-restore"): void {
    if (action === "history") {
      this.toggle();
    } else {
      this.undoRestore();
    }
  }

  /** Show the panel (reading the timeline, focus on it) or hide it (back to now). */
  toggle(): void {
    if (this.panel.isOpen) {
      this.back();
      this.panel.setOpen(false);
      this.#host.shown(false);
      this.#host.commandMode();
      return;
    }
    this.panel.setOpen(true);
    this.#host.shown(true);
    this.panel.showStatus("Reading the history…");
    void this.#load().then(() => this.panel.focus());
  }

  /** The document changed: the timeline grows (read again once changes pause). */
  docChanged(): void {
    if (!this.panel.isOpen) {
      return;
    }
    if (this.#refresh !== null) {
      clearTimeout(this.#refresh);
    }
    this.#refresh = setTimeout(() => {
      this.#refresh = null;
      void this.#load();
    }, REFRESH_DELAY_MS);
  }

  /** Draw point `index` read only in place of the notebook. */
  view(index: number): void {
    const point = this.#points[index];
    if (point === undefined) {
      return;
    }
    try {
      this.viewer.show(this.#host.doc(), point.heads, dateTime(point.time));
    } catch (error: unknown) {
      this.#host.message(`This point cannot be shown yet (${errorMessage(error)}); try again in a moment`, "error");
      return;
    }
    this.#viewed = index;
    this.#host.live.hidden = true;
    this.#marks();
  }

  /** Leave the past point for the notebook as it is now. */
  back(): void {
    if (!this.viewer.isShown) {
      return;
    }
    this.viewer.hide();
    this.#host.live.hidden = false;
    this.#viewed = -1;
    this.#marks();
  }

  /** Take back the last restore (one change again, like the restore). */
  undoRestore(): void {
    const record = this.#undo;
    if (record === null) {
      this.#host.message("No restore to undo");
      return;
    }
    const past = A.view(this.#host.doc(), [...record.before]);
    if (this.#apply(past, record.cellIds) !== null) {
      this.#undo = null;
      this.panel.setUndo(null);
      this.#host.message(`Undid the restore from ${record.when}`);
    }
  }

  /** Ask the daemon for the cell-aware diff of two sides and show it. */
  async compare(left: CompareSide, right: CompareSide): Promise<void> {
    try {
      const comparison = await this.#host.compare({ left, right });
      this.compareView.show(comparison, this.#host.blobs());
    } catch (error: unknown) {
      this.#host.message(`Comparing failed: ${errorMessage(error)}`, "error");
    }
  }

  #act(action: ViewerAction): void {
    const point = this.#points[this.#viewed];
    switch (action) {
      case "back":
        this.back();
        this.panel.focus();
        return;
      case "compare-now":
        if (point !== undefined) void this.compare({ kind: "heads", heads: point.heads }, { kind: "now" });
        return;
      case "pick":
        this.#picked = this.#viewed;
        this.#marks();
        this.#host.message("Picked: now view another point and choose “Compare with picked”");
        return;
      case "compare-picked": {
        const picked = this.#points[this.#picked];
        if (picked !== undefined && point !== undefined) {
          const [older, newer] = this.#picked < this.#viewed ? [picked, point] : [point, picked];
          void this.compare({ kind: "heads", heads: older.heads }, { kind: "heads", heads: newer.heads });
        }
        return;
      }
      case "restore-cell":
      case "restore-selected":
      case "restore-all":
        this.#restore(action);
        return;
    }
  }

  #restore(action: "restore-cell" | "restore-selected" | "restore-all"): void {
    const past = this.viewer.doc;
    const point = this.#points[this.#viewed];
    if (past === null || point === undefined) {
      return;
    }
    const selection = this.viewer.selection;
    const cellIds =
      action === "restore-all"
        ? allCellIds(this.#host.doc(), past)
        : action === "restore-cell"
          ? selection.slice(-1)
          : selection;
    if (cellIds.length === 0) {
      this.#host.message("Select a cell of this point first");
      return;
    }
    const before = A.getHeads(this.#host.doc());
    const when = dateTime(point.time);
    const result = this.#apply(past, cellIds);
    if (result === null) {
      return;
    }
    const touched = [...result.restored, ...result.added, ...result.removed];
    if (touched.length === 0) {
      this.#host.message(`Nothing to restore: ${cellIds.length === 1 ? "the cell is" : "the cells are"} as at ${when}`);
      return;
    }
    this.#undo = { before, cellIds: touched, when };
    this.panel.setUndo(`Undo restore from ${when}`);
    this.back();
    const first = [...result.added, ...result.restored][0];
    if (first !== undefined) {
      this.#host.select(first);
    }
    const count = touched.length === 1 ? "1 cell" : `${touched.length} cells`;
    this.#host.message(`Restored ${count} from ${when} (Undo restore in the history panel)`);
  }

  /** One restore change; null when the document refused it (the host said why). */
  #apply(past: NotebookDoc, cellIds: readonly CellId[]): RestoreResult | null {
    let result: RestoreResult | null = null;
    const applied = this.#host.edit((doc) => {
      result = restoreCells(doc, past, cellIds);
      return result.doc;
    });
    return applied ? result : null;
  }

  #marks(): void {
    this.panel.setViewed(this.#viewed, this.#picked);
    this.viewer.setPicked(this.#picked >= 0, this.#picked === this.#viewed);
  }

  #afterCompare(): void {
    if (this.viewer.isShown) {
      this.viewer.focus();
    } else if (this.panel.isOpen) {
      this.panel.focus();
    } else {
      this.#host.commandMode();
    }
  }

  #load(): Promise<void> {
    this.#loading ??= this.#host
      .history()
      .then(
        (history) => {
          const viewedHeads = this.#points[this.#viewed]?.heads.join(",");
          const pickedHeads = this.#points[this.#picked]?.heads.join(",");
          this.#points = history.points;
          const own = A.getActorId(this.#host.doc());
          this.#viewed = viewedHeads === undefined ? -1 : this.#points.findIndex((p) => p.heads.join(",") === viewedHeads);
          this.#picked = pickedHeads === undefined ? -1 : this.#points.findIndex((p) => p.heads.join(",") === pickedHeads);
          this.panel.show(this.#points, own, history.retention_days);
          this.#marks();
        },
        (error: unknown) => this.panel.showStatus(`Reading the history failed: ${errorMessage(error)}`),
      )
      .finally(() => {
        this.#loading = null;
      });
    return this.#loading;
  }
}
