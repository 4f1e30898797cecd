/**
 * The relay's text control messages (JSON), checked against the generated
 * `RelayMessage` union (daemon/wire/control.py).
 *
 * `status` may come first while the shell is still starting (or replacing) the daemon;
 * `connected` comes once the relay's handshake with the daemon succeeded;
 * `daemon_lost` and `reconnected` bracket a daemon restart; `error` reports a handshake
 * the daemon refused (a corrupt file, an unknown notebook id). Messages of other types
 * belong to the shell (see host.ts) and yield null here.
 */

import { check } from "./validate.ts";
import { checkRelayMessage, type RelayMessage } from "./wire.gen.ts";

/** Parse a JSON text message; null when it is not valid JSON or not a relay message. */
export function parseRelayMessage(text: string): RelayMessage | null {
  const checked = check(checkRelayMessage, parseJson(text));
  return checked.ok ? checked.value : null;
}

export function parseJson(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return value;
  } catch {
    return null;
  }
}
