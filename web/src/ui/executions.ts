/**
 * Which cells are queued or running, from the daemon's broadcasts (pure, no DOM).
 *
 * `queue_changed` is authoritative; `execution_started` / `execution_done` adjust it in
 * between, and a request the page just sent shows as queued until the daemon says more.
 * A cell that finished shows `done` or `error` (its last run's outcome) until it runs
 * again or its outputs are cleared; an aborted run (dropped from the queue) leaves `idle`.
 */

import type { ExecutionDone, ExecutionStarted, QueueChanged } from "../protocol/wire.gen.ts";
import { assertNever } from "../util/guards.ts";

export type CellRunState = "idle" | "queued" | "running" | "done" | "error";

export type ExecutionEvent = QueueChanged | ExecutionStarted | ExecutionDone;

export class ExecutionTracker {
  #running: string | null = null;
  #queued = new Set<string>();
  readonly #finished = new Map<string, "done" | "error">();

  stateOf(cellId: string): CellRunState {
    if (this.#running === cellId) {
      return "running";
    }
    if (this.#queued.has(cellId)) {
      return "queued";
    }
    return this.#finished.get(cellId) ?? "idle";
  }

  /** Every cell that is not idle. */
  busyCells(): string[] {
    const cells = [...this.#queued];
    if (this.#running !== null) {
      cells.push(this.#running);
    }
    return cells;
  }

  /** The page asked for these cells to run. */
  requested(cellIds: readonly string[]): void {
    for (const cellId of cellIds) {
      if (cellId !== this.#running) {
        this.#queued.add(cellId);
      }
    }
  }

  /** A request failed or was refused: these cells are not going to run. */
  cancelled(cellIds: readonly string[]): void {
    for (const cellId of cellIds) {
      this.#queued.delete(cellId);
    }
  }

  apply(event: ExecutionEvent): void {
    switch (event.event) {
      case "queue_changed":
        this.#running = event.running;
        this.#queued = new Set(event.queued.filter((cellId) => cellId !== event.running));
        return;
      case "execution_started":
        this.#running = event.cell_id;
        this.#queued.delete(event.cell_id);
        return;
      case "execution_done":
        if (this.#running === event.cell_id) {
          this.#running = null;
        }
        this.#queued.delete(event.cell_id);
        if (event.status === "aborted") {
          this.#finished.delete(event.cell_id);
        } else {
          this.#finished.set(event.cell_id, event.status === "ok" ? "done" : "error");
        }
        return;
      default:
        assertNever(event);
    }
  }

  /** Forget how these cells' last runs ended (their outputs were cleared). */
  forgetOutcomes(cellIds: Iterable<string> | "all"): void {
    if (cellIds === "all") {
      this.#finished.clear();
      return;
    }
    for (const cellId of cellIds) {
      this.#finished.delete(cellId);
    }
  }

  /**
   * Forget the queue (the daemon went away; it resends the queue after reconnecting).
   * Outcomes stay: the outputs they describe are still in the document.
   */
  reset(): void {
    this.#running = null;
    this.#queued.clear();
  }
}
