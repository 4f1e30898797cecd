/**
 * One Automerge document synced with exactly one remote replica (automerge-notes §4.2).
 *
 * After every received message and every local edit it generates the next message and
 * hands it to `send`, awaiting the send so callers know the message has gone out.
 * Drop the instance when the connection ends; a new connection needs a fresh one.
 */

import * as A from "@automerge/automerge/slim";

export type SendMessage = (message: Uint8Array) => Promise<void>;

export class SyncedDoc<T> {
  #doc: A.Doc<T>;
  #state: A.SyncState = A.initSyncState();
  readonly #send: SendMessage;

  constructor(doc: A.Doc<T>, send: SendMessage) {
    this.#doc = doc;
    this.#send = send;
  }

  get doc(): A.Doc<T> {
    return this.#doc;
  }

  /** Sorted hex change hashes, comparable with the daemon's heads_hex(). */
  heads(): string[] {
    return [...A.getHeads(this.#doc)].sort();
  }

  async receive(message: Uint8Array): Promise<void> {
    const [doc, state] = A.receiveSyncMessage(this.#doc, this.#state, message);
    this.#doc = doc;
    this.#state = state;
    await this.flush();
  }

  /** Apply a local edit (a pure doc -> doc function) and send what it produced. */
  async update(edit: (doc: A.Doc<T>) => A.Doc<T>): Promise<void> {
    this.#doc = edit(this.#doc);
    await this.flush();
  }

  /** Send the next sync message, if the protocol has one. */
  async flush(): Promise<void> {
    const [state, message] = A.generateSyncMessage(this.#doc, this.#state);
    this.#state = state;
    if (message !== null) {
      await this.#send(message);
    }
  }
}
