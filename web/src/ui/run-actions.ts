/**
 * Running cells from the page: one cell, a selection, everything above or below the
 * selection, and the kernel's restart variants (restart, restart and run all, restart and
 * clear). Cells go to the daemon as one ordered `run_all {cell_ids}` request, so they
 * queue in display order whatever else is in flight; markdown cells among them are
 * rendered. A restart asks first (confirm-dialog.ts) unless the user turned that off.
 */

import type { CellId } from "../doc/ids.ts";
import { getCell } from "../doc/notebook.ts";
import type { Session } from "../session.ts";
import type { ConfirmDialog } from "./confirm-dialog.ts";
import type { ExecutionTracker } from "./executions.ts";
import type { NotebookFile } from "./notebook-file.ts";
import type { NotebookView } from "./notebook-view.ts";
import type { StatusBar } from "./status.ts";

export interface RunParts {
  readonly session: Session;
  readonly view: NotebookView;
  readonly tracker: ExecutionTracker;
  readonly status: StatusBar;
  readonly file: NotebookFile;
  readonly confirm: ConfirmDialog;
}

/** Which cells a run variant takes, from the display order and the selection. */
export function cellsToRun(
  variant: "selected" | "above" | "below",
  order: readonly CellId[],
  selection: readonly CellId[],
): CellId[] {
  const first = selection[0];
  if (first === undefined) {
    return [];
  }
  switch (variant) {
    case "selected":
      return [...selection];
    case "above":
      return order.slice(0, order.indexOf(first));
    case "below":
      return order.slice(order.indexOf(first));
  }
}

export class RunActions {
  readonly #p: RunParts;

  constructor(parts: RunParts) {
    this.#p = parts;
  }

  /** Run these cells in this order (code cells queue; markdown cells render). */
  run(cellIds: readonly CellId[]): void {
    const { session, tracker, view, status } = this.#p;
    const code = cellIds.filter((cellId) => {
      view.view(cellId)?.showRendered();
      return getCell(session.doc, cellId)?.cellType === "code";
    });
    if (code.length === 0) {
      return;
    }
    tracker.requested(code);
    view.applyRunStates(tracker);
    session.request("run_all", { cell_ids: code }).catch((error: unknown) => {
      tracker.cancelled(code);
      view.applyRunStates(tracker);
      status.showFailure("Run", error);
    });
  }

  runAll(): void {
    this.#request("Run all", this.#p.session.request("run_all", {}));
  }

  /** Restart the kernel (after asking), then `then` (run all, clear outputs) once it is back. */
  async restart(then: "nothing" | "run-all" | "clear" = "nothing"): Promise<void> {
    const asking = {
      "nothing": { title: "Restart the kernel?", confirm: "Restart" },
      "run-all": { title: "Restart the kernel and run every cell?", confirm: "Restart and run all" },
      "clear": { title: "Restart the kernel and clear every output?", confirm: "Restart and clear" },
    }[then];
    const detail = "Every variable the kernel holds is lost.";
    if (!(await this.#p.confirm.ask("restart", { ...asking, detail }))) {
      return;
    }
    const { session, status } = this.#p;
    try {
      if (then === "clear") {
        await this.clearOutputs(null);
      }
      await session.request("restart_kernel", {});
      status.showMessage("Kernel restarted");
      if (then === "run-all") {
        await session.request("run_all", {});
      }
    } catch (error: unknown) {
      status.showFailure("Restart", error);
    }
  }

  /** Clear the outputs of these cells, or of every cell (null). */
  clearOutputs(cellIds: readonly CellId[] | null): Promise<unknown> {
    const { session, tracker, view, file } = this.#p;
    tracker.forgetOutcomes(cellIds ?? "all");
    view.applyRunStates(tracker);
    file.setDirty(true);
    const requests =
      cellIds === null
        ? [session.request("clear_outputs", {})]
        : cellIds.map((cellId) => session.request("clear_outputs", { cell_id: cellId }));
    const all = Promise.all(requests);
    this.#request("Clear outputs", all);
    return all;
  }

  #request(what: string, request: Promise<unknown>): void {
    request.catch((error: unknown) => this.#p.status.showFailure(what, error));
  }
}
