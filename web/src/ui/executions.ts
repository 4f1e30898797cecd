/**
 * Which cells are queued or running, from the daemon's broadcasts (pure, no DOM).
 *
 * `queue_changed` is authoritative; `execution_started` / `execution_done` adjust it in
 * between, and a request the page just sent shows as queued until the daemon says more.
 */

import type { ExecutionDone, ExecutionStarted, QueueChanged } from "../protocol/wire.gen.ts";
import { assertNever } from "../util/guards.ts";

export type CellRunState = "idle" | "queued" | "running";

export type ExecutionEvent = QueueChanged | ExecutionStarted | ExecutionDone;

export class ExecutionTracker {
  #running: string | null = null;
  #queued = new Set<string>();

  stateOf(cellId: string): CellRunState {
    if (this.#running === cellId) {
      return "running";
    }
    return this.#queued.has(cellId) ? "queued" : "idle";
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
        return;
      default:
        assertNever(event);
    }
  }

  /** Forget everything (the daemon went away; it resends the queue after reconnecting). */
  reset(): void {
    this.#running = null;
    this.#queued.clear();
  }
}
