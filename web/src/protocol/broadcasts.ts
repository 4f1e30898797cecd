/**
 * Broadcast payloads checked into the generated `AnyBroadcast` union.
 *
 * A broadcast with an unknown event or a missing field yields null (and is logged by the
 * caller): a newer daemon may send events this page does not know yet.
 */

import { isInteger, isRecord, isString, isStringArray, optionalString } from "../util/guards.ts";
import type { AnyBroadcast, ExecutionDone } from "./wire.gen.ts";

const STATUSES: readonly ExecutionDone["status"][] = ["ok", "error", "aborted"];

function executionStatus(value: unknown): ExecutionDone["status"] | null {
  return STATUSES.find((status) => status === value) ?? null;
}

export function parseBroadcast(value: unknown): AnyBroadcast | null {
  if (!isRecord(value)) {
    return null;
  }
  const v = value;
  switch (v["event"]) {
    case "path_changed": {
      const path = v["path"];
      return path === null || isString(path) ? { event: "path_changed", path } : null;
    }
    case "file_changed": {
      const path = v["path"];
      const cells = v["cells_changed"];
      return isString(path) && isInteger(cells)
        ? { event: "file_changed", path, cells_changed: cells }
        : null;
    }
    case "saved": {
      const path = v["path"];
      return isString(path) ? { event: "saved", path } : null;
    }
    case "execution_started": {
      const cellId = v["cell_id"];
      const executionId = v["execution_id"];
      return isString(cellId) && isString(executionId)
        ? { event: "execution_started", cell_id: cellId, execution_id: executionId }
        : null;
    }
    case "execution_done": {
      const cellId = v["cell_id"];
      const executionId = v["execution_id"];
      const status = executionStatus(v["status"]);
      const count = v["execution_count"];
      const heads = v["heads"];
      if (!isString(cellId) || !isString(executionId) || status === null || !isStringArray(heads)) {
        return null;
      }
      return {
        event: "execution_done",
        cell_id: cellId,
        execution_id: executionId,
        status,
        execution_count: isInteger(count) ? count : null,
        heads,
      };
    }
    case "queue_changed": {
      const queued = v["queued"];
      return isStringArray(queued)
        ? { event: "queue_changed", running: optionalString(v["running"]), queued }
        : null;
    }
    case "kernel_status": {
      const status = v["status"];
      return isString(status) ? { event: "kernel_status", status } : null;
    }
    case "kernel_error": {
      const message = v["message"];
      return isString(message) ? { event: "kernel_error", message } : null;
    }
    case "comm_custom": {
      const commId = v["comm_id"];
      const buffers = v["buffers"];
      return isString(commId)
        ? {
            event: "comm_custom",
            comm_id: commId,
            content: v["content"],
            buffers: Array.isArray(buffers) ? buffers : [],
          }
        : null;
    }
    case "env_progress": {
      const { kind, phase, message } = v;
      return isString(kind) && isString(phase) && isString(message)
        ? { event: "env_progress", kind, phase, message }
        : null;
    }
    case "env_sync_state": {
      const { in_sync: inSync, added, removed } = v;
      return typeof inSync === "boolean" && isStringArray(added) && isStringArray(removed)
        ? { event: "env_sync_state", in_sync: inSync, added, removed }
        : null;
    }
    default:
      return null;
  }
}
