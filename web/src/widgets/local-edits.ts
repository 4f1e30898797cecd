/**
 * Values this page sent to the kernel and is still waiting to see in the document.
 *
 * While a slider is dragged the page is ahead of the document: the kernel echoes older
 * values (10, 12, …) after the page already shows 15. Applying those echoes would make
 * the slider jump back, so a key the page sent is held until the document shows the sent
 * value, or until `holdMs` after the last send (the kernel may have rejected or changed
 * it; then the document's value wins). Other windows have no held keys and follow the
 * document as it comes.
 */

import { jsonText } from "../util/guards.ts";

interface Held {
  readonly json: string;
  readonly at: number;
}

export class LocalEdits {
  readonly holdMs: number;
  readonly #held = new Map<string, Map<string, Held>>();

  constructor(holdMs = 2000) {
    this.holdMs = holdMs;
  }

  /** The page sent these keys of a model's state at time `now`. */
  sent(commId: string, state: Readonly<Record<string, unknown>>, now: number): void {
    let keys = this.#held.get(commId);
    for (const [key, value] of Object.entries(state)) {
      const json = jsonText(value);
      if (json === undefined) {
        continue;
      }
      if (keys === undefined) {
        keys = new Map();
        this.#held.set(commId, keys);
      }
      keys.set(key, { json, at: now });
    }
  }

  /** The part of a document change to apply to the model now. */
  filter(commId: string, delta: Readonly<Record<string, unknown>>, now: number): Record<string, unknown> {
    const keys = this.#held.get(commId);
    if (keys === undefined) {
      return { ...delta };
    }
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(delta)) {
      const held = keys.get(key);
      if (held === undefined || now - held.at > this.holdMs) {
        keys.delete(key);
        result[key] = value;
      } else if (JSON.stringify(value) === held.json) {
        keys.delete(key); // our value arrived: the model shows it already
      }
    }
    if (keys.size === 0) {
      this.#held.delete(commId);
    }
    return result;
  }

  /** Keys whose hold ran out by `now` (forgotten here); apply their document value. */
  expire(now: number): Map<string, string[]> {
    const expired = new Map<string, string[]>();
    for (const [commId, keys] of this.#held) {
      for (const [key, held] of keys) {
        if (now - held.at > this.holdMs) {
          keys.delete(key);
          expired.set(commId, [...(expired.get(commId) ?? []), key]);
        }
      }
      if (keys.size === 0) {
        this.#held.delete(commId);
      }
    }
    return expired;
  }

  /** When the next hold runs out, or null when nothing is held. */
  nextExpiry(): number | null {
    let next: number | null = null;
    for (const keys of this.#held.values()) {
      for (const held of keys.values()) {
        const at = held.at + this.holdMs;
        next = next === null ? at : Math.min(next, at);
      }
    }
    return next;
  }

  forget(commId: string): void {
    this.#held.delete(commId);
  }
}
