/**
 * Broadcast payloads checked against the generated `AnyBroadcast` union.
 *
 * A broadcast with an unknown event or a field that does not match is an error the caller
 * logs and skips: a newer daemon may send events this page does not know yet.
 */

import { type Checked, check } from "./validate.ts";
import { type AnyBroadcast, checkAnyBroadcast } from "./wire.gen.ts";

export function parseBroadcast(value: unknown): Checked<AnyBroadcast> {
  return check(checkAnyBroadcast, value);
}
