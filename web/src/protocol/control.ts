/**
 * The relay's text control messages (JSON), checked into a tagged union.
 *
 * `status` may come first while the shell is still starting (or replacing) the daemon;
 * `connected` comes once the relay's handshake with the daemon succeeded;
 * `daemon_lost` and `reconnected` bracket a daemon restart; `error` reports a handshake
 * the daemon refused (a corrupt file, an unknown notebook id). Messages of other types
 * belong to the shell (see host.ts) and yield null here.
 */

import { isRecord, isString, optionalString } from "../util/guards.ts";
import type { HandshakeReply } from "./wire.gen.ts";

export type RelayMessage =
  | ({ readonly type: "connected" } & HandshakeReply)
  | ({ readonly type: "reconnected" } & HandshakeReply)
  | { readonly type: "daemon_lost" }
  | { readonly type: "status"; readonly message: string }
  | { readonly type: "error"; readonly code: string; readonly message: string };

function handshakeReply(value: Record<string, unknown>): HandshakeReply {
  return {
    notebook_id: optionalString(value["notebook_id"]),
    path: optionalString(value["path"]),
    daemon_version: optionalString(value["daemon_version"]) ?? "",
    blob_url: optionalString(value["blob_url"]),
  };
}

/** Parse a JSON text message; null when it is not valid JSON or not a relay message. */
export function parseRelayMessage(text: string): RelayMessage | null {
  const value = parseJson(text);
  if (!isRecord(value)) {
    return null;
  }
  switch (value["type"]) {
    case "connected":
      return { type: "connected", ...handshakeReply(value) };
    case "reconnected":
      return { type: "reconnected", ...handshakeReply(value) };
    case "daemon_lost":
      return { type: "daemon_lost" };
    case "status": {
      const message = value["message"];
      return isString(message) ? { type: "status", message } : null;
    }
    case "error": {
      const message = value["message"];
      return {
        type: "error",
        code: optionalString(value["code"]) ?? "error",
        message: isString(message) ? message : "the relay reported an error",
      };
    }
    default:
      return null;
  }
}

export function parseJson(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return value;
  } catch {
    return null;
  }
}
