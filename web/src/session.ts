/**
 * The page's sync engine and request channel to the daemon, over a `Transport`.
 *
 * One Automerge document, one sync state for the daemon. After every received sync
 * message the next one is generated and sent at once; local edits are sent after a few
 * milliseconds (so a burst of keystrokes makes one message) and flushed before any request
 * that carries `required_heads`. Requests are matched to responses by id; broadcasts are
 * checked and handed on. A daemon restart (relay `daemon_lost` / `reconnected`) keeps the
 * document and starts a fresh sync state, so nothing typed in the meantime is lost.
 *
 * The session never touches the DOM and never creates document structure.
 */

import type { DraftStore } from "./drafts.ts";
import * as A from "@automerge/automerge/slim";
import { decode, encode } from "@msgpack/msgpack";

import type { NotebookDoc, NotebookSchema } from "./doc/notebook.ts";
import { parseBroadcast } from "./protocol/broadcasts.ts";
import { parseRelayMessage } from "./protocol/control.ts";
import { encodeFrame, type Frame } from "./protocol/framing.ts";
import {
  decodeResult,
  NEEDS_HEADS,
  parseResponse,
  type RequestFields,
  ResponseError,
  type RoomOp,
} from "./protocol/requests.ts";
import {
  type AnyBroadcast,
  type ErrorCode,
  FrameType,
  type HandshakeReply,
  type RelayMessage,
  type ResultOf,
} from "./protocol/wire.gen.ts";
import type { Transport } from "./transport.ts";
import { assertNever } from "./util/guards.ts";

export type ConnectionState =
  | "connecting"
  | "connected"
  | "daemon_lost"
  | "reconnected"
  | "disconnected"
  | "failed";

/** Where a document change came from: the daemon, this page, or a switch to a new document. */
export type ChangeOrigin = "remote" | "local" | "reset";

export interface DocChange {
  readonly doc: NotebookDoc;
  /** Patches from the previous document to this one (remote changes only). */
  readonly patches: readonly A.Patch[];
  readonly origin: ChangeOrigin;
}

export interface SessionListener {
  docChanged(change: DocChange): void;
  broadcast(event: AnyBroadcast): void;
  connection(state: ConnectionState, info: HandshakeReply | null, detail: string): void;
}

interface Pending {
  readonly op: RoomOp;
  resolve(body: Readonly<Record<string, unknown>>): void;
  reject(error: Error): void;
}

export interface SessionOptions {
  /** How long local edits wait before their sync message goes out. */
  readonly flushDelayMs?: number;
  /** Where this tab keeps its copy of the document across reloads. */
  readonly drafts?: DraftStore;
}

export class Session {
  readonly #transport: Transport;
  readonly #listener: SessionListener;
  readonly #flushDelayMs: number;
  readonly #drafts: DraftStore | null;
  #doc: NotebookDoc = A.init<NotebookSchema>();
  #syncState: A.SyncState = A.initSyncState();
  /** True while the relay holds a live daemon connection; nothing is sent otherwise. */
  #live = false;
  #info: HandshakeReply | null = null;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  #flushTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(transport: Transport, listener: SessionListener, options: SessionOptions = {}) {
    this.#transport = transport;
    this.#listener = listener;
    this.#flushDelayMs = options.flushDelayMs ?? 5;
    this.#drafts = options.drafts ?? null;
    transport.onFrame((frame) => this.#onFrame(frame));
    transport.onText((text) => {
      const message = parseRelayMessage(text);
      if (message !== null) {
        this.#onRelay(message);
      }
    });
    transport.onClose((reason) => this.#onClose(reason));
  }

  get doc(): NotebookDoc {
    return this.#doc;
  }

  /** The handshake reply of the current daemon connection (notebook id, path, blob URL). */
  get info(): HandshakeReply | null {
    return this.#info;
  }

  get live(): boolean {
    return this.#live;
  }

  /**
   * Apply a local edit (a pure doc -> doc function, see doc/notebook.ts) and schedule its
   * sync message. `notify: false` is for edits the caller has already shown (typing).
   */
  change(edit: (doc: NotebookDoc) => NotebookDoc, options: { notify?: boolean } = {}): void {
    const before = this.#doc;
    this.#doc = edit(before);
    if (this.#doc === before) {
      return;
    }
    this.#scheduleFlush();
    if (options.notify ?? true) {
      this.#listener.docChanged({ doc: this.#doc, patches: [], origin: "local" });
    }
  }

  /** Send the pending sync message now (if the protocol has one to send). */
  flush(): void {
    if (this.#flushTimer !== null) {
      clearTimeout(this.#flushTimer);
      this.#flushTimer = null;
    }
    if (!this.#live) {
      return;
    }
    const [state, message] = A.generateSyncMessage(this.#doc, this.#syncState);
    this.#syncState = state;
    if (message !== null) {
      this.#transport.sendFrame(encodeFrame(FrameType.DOC_SYNC, message));
    }
  }

  /** The heads of the page's document now (what a request can say it was based on). */
  heads(): string[] {
    return A.getHeads(this.#doc);
  }

  /**
   * Send a room request; resolves with its checked result or rejects with a ResponseError.
   * `requiredHeads` names the document the request was based on (an approval of a list
   * drawn a while ago); ops in NEEDS_HEADS otherwise send the current heads.
   */
  request<Op extends RoomOp>(
    op: Op,
    fields: RequestFields<Op>,
    options: { readonly requiredHeads?: readonly string[] } = {},
  ): Promise<ResultOf<Op>> {
    if (!this.#live) {
      return Promise.reject(new ResponseError("the daemon is not connected", "not_connected"));
    }
    const id = this.#nextId;
    this.#nextId += 1;
    const message: Record<string, unknown> = { ...fields, op, id };
    if (options.requiredHeads !== undefined) {
      this.flush();
      message["required_heads"] = [...options.requiredHeads];
    } else if (NEEDS_HEADS.has(op)) {
      this.flush();
      message["required_heads"] = A.getHeads(this.#doc);
    }
    return new Promise<ResultOf<Op>>((resolve, reject) => {
      this.#pending.set(id, {
        op,
        resolve: (body) => {
          try {
            resolve(decodeResult(op, body));
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        },
        reject,
      });
      this.#transport.sendFrame(encodeFrame(FrameType.REQUEST, encode(message)));
    });
  }

  #scheduleFlush(): void {
    if (this.#flushTimer === null) {
      this.#flushTimer = setTimeout(() => this.flush(), this.#flushDelayMs);
    }
  }

  #onFrame(frame: Frame): void {
    switch (frame.type) {
      case FrameType.DOC_SYNC:
        this.#receiveSync(frame.payload);
        return;
      case FrameType.RESPONSE:
        this.#onResponse(frame.payload);
        return;
      case FrameType.BROADCAST:
        this.#onBroadcast(frame.payload);
        return;
      case FrameType.REQUEST:
        console.warn("nbdesk: ignoring a request frame (the page serves none)");
        return;
      default:
        assertNever(frame.type);
    }
  }

  #receiveSync(message: Uint8Array): void {
    const patches: A.Patch[] = [];
    try {
      const [doc, state] = A.receiveSyncMessage(this.#doc, this.#syncState, message, {
        patchCallback: (batch) => {
          patches.push(...batch);
        },
      });
      this.#doc = doc;
      this.#syncState = state;
    } catch (error) {
      console.error("nbdesk: a sync message could not be applied", error);
      return;
    }
    this.flush();
    if (patches.length > 0) {
      this.#listener.docChanged({ doc: this.#doc, patches, origin: "remote" });
    }
  }

  #onResponse(payload: Uint8Array): void {
    let response;
    try {
      response = parseResponse(decode(payload));
    } catch (error) {
      console.error("nbdesk: undecodable response", error);
      return;
    }
    if (response === null) {
      console.warn("nbdesk: a response without a request id");
      return;
    }
    const pending = this.#pending.get(response.id);
    if (pending === undefined) {
      return;
    }
    this.#pending.delete(response.id);
    if (response.ok) {
      pending.resolve(response.body);
    } else {
      pending.reject(new ResponseError(response.error.message, response.error.code));
    }
  }

  #onBroadcast(payload: Uint8Array): void {
    let value: unknown;
    try {
      value = decode(payload);
    } catch (error) {
      console.error("nbdesk: undecodable broadcast", error);
      return;
    }
    const event = parseBroadcast(value);
    if (!event.ok) {
      console.warn(`nbdesk: ignoring an unknown or malformed broadcast (${event.error.message})`, value);
      return;
    }
    this.#listener.broadcast(event.value);
  }

  #onRelay(message: RelayMessage): void {
    switch (message.type) {
      case "connected":
      case "reconnected": {
        const { type, ...info } = message;
        this.#online(type, info);
        return;
      }
      case "daemon_lost":
        this.#goOffline("the daemon connection was lost", "daemon_lost");
        this.#listener.connection("daemon_lost", this.#info, "");
        return;
      case "status":
        this.#listener.connection("connecting", this.#info, message.message);
        return;
      case "error":
        this.#goOffline(message.message, message.code);
        this.#listener.connection("failed", this.#info, message.message);
        return;
      default:
        assertNever(message);
    }
  }

  /**
   * A (new) daemon connection: always a fresh sync state, since the daemon's side of the
   * old one is gone. The document is kept unless the relay joined a different notebook,
   * whose root maps would clash with ours.
   */
  #online(state: "connected" | "reconnected", info: HandshakeReply): void {
    if (this.#live) {
      // No `daemon_lost` came first: whatever was in flight went to the old connection.
      this.#goOffline("the daemon connection was replaced", "daemon_lost");
    }
    const previous = this.#info;
    this.#info = info;
    this.#syncState = A.initSyncState();
    if (previous !== null && previous.notebook_id !== info.notebook_id) {
      this.#doc = A.init<NotebookSchema>();
      this.#listener.docChanged({ doc: this.#doc, patches: [], origin: "reset" });
    }
    if (previous === null && A.getHeads(this.#doc).length === 0) {
      this.#restoreDraft(info);
    }
    this.#live = true;
    this.#listener.connection(state, info, "");
    this.flush();
  }

  /** Keep the document in this tab's drafts now (the page is about to go away). */
  saveDraft(): void {
    this.flush();
    const notebookId = this.#info?.notebook_id;
    if (this.#drafts !== null && notebookId) {
      this.#drafts.save(notebookId, A.save(this.#doc));
    }
  }

  #restoreDraft(info: HandshakeReply): void {
    const draft = info.notebook_id ? this.#drafts?.load(info.notebook_id) : null;
    if (!draft) {
      return;
    }
    try {
      this.#doc = A.load<NotebookSchema>(draft);
    } catch (error: unknown) {
      console.warn("nbdesk: ignoring an unreadable draft", error);
      return;
    }
    this.#listener.docChanged({ doc: this.#doc, patches: [], origin: "reset" });
  }

  #onClose(reason: string): void {
    this.#goOffline(`the relay closed: ${reason}`, "disconnected");
    this.#listener.connection("disconnected", this.#info, reason);
  }

  #goOffline(reason: string, code: ErrorCode): void {
    this.#live = false;
    if (this.#flushTimer !== null) {
      clearTimeout(this.#flushTimer);
      this.#flushTimer = null;
    }
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const request of pending) {
      request.reject(new ResponseError(`${request.op}: ${reason}`, code));
    }
  }
}
