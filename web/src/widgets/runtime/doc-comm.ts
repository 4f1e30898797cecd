/**
 * A widget model's comm when the kernel is reached through the daemon's document.
 *
 * Outgoing: `send` becomes a `send_comm` request. The daemon coalesces updates itself,
 * so the model's own throttle is released (an `idle` status) as soon as the daemon has
 * the message. Incoming: the manager turns document changes and `comm_custom` broadcasts
 * into comm messages with `deliver`, which the model handles exactly as kernel messages.
 */

import type { ICallbacks, IClassicComm } from "@jupyter-widgets/base";
import type { KernelMessage } from "@jupyterlab/services";

import { isRecord } from "../../util/guards.ts";
import { WIDGET_TARGET } from "../comm-state.ts";
import type { WidgetHost } from "../contract.ts";
import type { LocalEdits } from "../local-edits.ts";

type MessageHandler = (msg: unknown) => void;

let sent = 0;

function newMsgId(): string {
  sent += 1;
  return `nbdesk-${Date.now().toString(36)}-${sent}`;
}

/** The `idle` status the model waits for before it sends its next buffered update. */
function idleStatus(parentId: string): KernelMessage.IStatusMsg {
  const header = (msgId: string): KernelMessage.IHeader<"status"> => ({
    date: new Date().toISOString(),
    msg_id: msgId,
    msg_type: "status",
    session: "nbdesk",
    username: "",
    version: "5.3",
  });
  return {
    channel: "iopub",
    header: header(newMsgId()),
    parent_header: header(parentId),
    metadata: {},
    content: { execution_state: "idle" },
  };
}

function toBytes(buffer: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (buffer instanceof ArrayBuffer) {
    return new Uint8Array(buffer);
  }
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength).slice();
}

export class DocComm implements IClassicComm {
  readonly comm_id: string;
  readonly target_name = WIDGET_TARGET;
  readonly #host: WidgetHost;
  readonly #edits: LocalEdits;
  #onMessage: MessageHandler | null = null;
  #onClose: MessageHandler | null = null;

  constructor(commId: string, host: WidgetHost, edits: LocalEdits) {
    this.comm_id = commId;
    this.#host = host;
    this.#edits = edits;
  }

  /** Models are opened by the kernel; a page never opens a comm. */
  open(): string {
    return "";
  }

  send(
    data: unknown,
    callbacks?: ICallbacks,
    _metadata?: unknown,
    buffers?: ArrayBuffer[] | ArrayBufferView[],
  ): string {
    const msgId = newMsgId();
    const message = isRecord(data) ? data : {};
    const state = message["state"];
    if (message["method"] === "update" && isRecord(state)) {
      this.#edits.sent(this.comm_id, state, performance.now());
    }
    const bytes = (buffers ?? []).map(toBytes);
    this.#host
      .send(this.comm_id, message, bytes)
      .catch((error: unknown) => console.error(`nbdesk: widget message to ${this.comm_id} failed`, error))
      .finally(() => callbacks?.iopub?.["status"]?.(idleStatus(msgId)));
    return msgId;
  }

  /** Closing from the page is not part of the daemon's protocol: the kernel owns the comm. */
  close(): string {
    return "";
  }

  on_msg(callback: MessageHandler): void {
    this.#onMessage = callback;
  }

  on_close(callback: MessageHandler): void {
    this.#onClose = callback;
  }

  /** Hand the model a message as if the kernel had sent it. */
  deliver(data: Readonly<Record<string, unknown>>, buffers: readonly DataView[] = []): void {
    this.#onMessage?.({
      channel: "iopub",
      header: { msg_id: newMsgId(), msg_type: "comm_msg" },
      parent_header: {},
      metadata: {},
      content: { comm_id: this.comm_id, data },
      buffers: [...buffers],
    });
  }

  /** The comm left the document (comm_close or a kernel restart). */
  closed(): void {
    this.#onClose?.({ content: { comm_id: this.comm_id, data: {} } });
  }
}
