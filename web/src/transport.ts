/**
 * The page's link to its relay: binary frames (one complete frame per WebSocket message)
 * and text control messages, over one WebSocket.
 *
 * `Transport` is the seam the sync engine sits on; it knows nothing of Automerge,
 * requests or the UI. Tests can hand the session any object with this shape.
 */

import { type Frame, FrameDecoder } from "./protocol/framing.ts";

export type TransportState = "connecting" | "open" | "closed";

export interface Transport {
  /** Send one encoded frame (header included). Dropped when the socket is not open. */
  sendFrame(frame: Uint8Array): void;
  /** Send one text control message (JSON). */
  sendText(text: string): void;
  onFrame(listener: (frame: Frame) => void): void;
  onText(listener: (text: string) => void): void;
  onClose(listener: (reason: string) => void): void;
  readonly state: TransportState;
}

/** The relay's WebSocket URL for a page URL: same host, path `/relay`, same query. */
export function relayUrl(page: URL): string {
  const scheme = page.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${page.host}/relay${page.search}`;
}

export class WebSocketTransport implements Transport {
  readonly #socket: WebSocket | null;
  readonly #frameListeners: ((frame: Frame) => void)[] = [];
  readonly #textListeners: ((text: string) => void)[] = [];
  readonly #closeListeners: ((reason: string) => void)[] = [];
  /** Text sent before the socket opened, flushed on open (the shell may be told things early). */
  readonly #pendingText: string[] = [];
  /** Arrivals held until `release()`, so the socket can open while the page still starts. */
  #held: (() => void)[] | null = [];

  constructor(url: string) {
    let socket: WebSocket;
    try {
      socket = new WebSocket(url);
    } catch (error) {
      // A page not served by the shell (file://, no host) has no relay to reach.
      this.#socket = null;
      const reason = `cannot open ${url}: ${error instanceof Error ? error.message : String(error)}`;
      setTimeout(() => this.#deliver(() => this.#closed(reason)), 0);
      return;
    }
    this.#socket = socket;
    socket.binaryType = "arraybuffer";
    socket.addEventListener("open", () => {
      for (const text of this.#pendingText.splice(0)) {
        socket.send(text);
      }
    });
    socket.addEventListener("message", (event: MessageEvent<unknown>) => {
      this.#deliver(() => this.#receive(event.data));
    });
    socket.addEventListener("close", (event: CloseEvent) => {
      this.#deliver(() => this.#closed(event.reason || `closed with code ${event.code}`));
    });
  }

  /** Deliver what arrived so far, and from now on everything as it arrives. */
  release(): void {
    const held = this.#held ?? [];
    this.#held = null;
    for (const event of held) {
      event();
    }
  }

  #deliver(event: () => void): void {
    if (this.#held === null) {
      event();
    } else {
      this.#held.push(event);
    }
  }

  get state(): TransportState {
    switch (this.#socket?.readyState) {
      case WebSocket.CONNECTING:
        return "connecting";
      case WebSocket.OPEN:
        return "open";
      default:
        return "closed";
    }
  }

  sendFrame(frame: Uint8Array): void {
    if (this.#socket?.readyState === WebSocket.OPEN) {
      this.#socket.send(frame);
    }
  }

  sendText(text: string): void {
    if (this.#socket?.readyState === WebSocket.CONNECTING) {
      this.#pendingText.push(text);
    } else if (this.#socket?.readyState === WebSocket.OPEN) {
      this.#socket.send(text);
    }
  }

  onFrame(listener: (frame: Frame) => void): void {
    this.#frameListeners.push(listener);
  }

  onText(listener: (text: string) => void): void {
    this.#textListeners.push(listener);
  }

  onClose(listener: (reason: string) => void): void {
    this.#closeListeners.push(listener);
  }

  #closed(reason: string): void {
    for (const listener of this.#closeListeners) {
      listener(reason);
    }
  }

  #receive(data: unknown): void {
    if (typeof data === "string") {
      for (const listener of this.#textListeners) {
        listener(data);
      }
      return;
    }
    if (!(data instanceof ArrayBuffer)) {
      return;
    }
    let frames: Frame[];
    try {
      // Each message is one whole frame; a fresh decoder keeps one bad message from
      // poisoning the next.
      const decoder = new FrameDecoder();
      frames = decoder.push(new Uint8Array(data));
      if (!decoder.idle) {
        throw new Error("a WebSocket message held a partial frame");
      }
    } catch (error) {
      console.error("nbdesk: dropping a malformed frame", error);
      return;
    }
    for (const frame of frames) {
      for (const listener of this.#frameListeners) {
        listener(frame);
      }
    }
  }
}
