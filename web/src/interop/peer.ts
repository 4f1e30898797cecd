/**
 * One Automerge peer on stdin/stdout, for the Python interop tests to drive.
 *
 * stdin carries frames from Python: DOC_SYNC (raw sync messages) and REQUEST (msgpack
 * `{id, op, ...}`); stdout carries only frames back: DOC_SYNC and RESPONSE. Logs go to
 * stderr. The peer starts from an empty document and never creates root structure.
 */

import "@automerge/automerge";
import * as A from "@automerge/automerge/slim";
import { decode, encode } from "@msgpack/msgpack";
import { once } from "node:events";
import type { Writable } from "node:stream";

import type { NotebookSchema } from "../doc/notebook.ts";
import { SyncedDoc } from "../doc/sync.ts";
import { type Frame, FrameDecoder, encodeFrame } from "../protocol/framing.ts";
import { FrameType } from "../protocol/wire.gen.ts";
import { type Session, handleRequest, parseRequest, RequestError } from "./ops.ts";

function log(message: string): void {
  process.stderr.write(`interop-peer: ${message}\n`);
}

/** Writes frames strictly in order, waiting for `drain` whenever the stream pushes back. */
class FrameWriter {
  readonly #out: Writable;
  #tail: Promise<void> = Promise.resolve();
  #lastWrite: Promise<void> = Promise.resolve();

  constructor(out: Writable) {
    this.#out = out;
  }

  send(type: FrameType, payload: Uint8Array): Promise<void> {
    const frame = encodeFrame(type, payload);
    this.#tail = this.#tail.then(() => this.#write(frame));
    return this.#tail;
  }

  /** Resolves once every frame sent so far has been handed to the OS. */
  async flush(): Promise<void> {
    await this.#tail;
    await this.#lastWrite;
  }

  async #write(frame: Uint8Array): Promise<void> {
    const { accepted, written } = writeWithCallback(this.#out, frame);
    this.#lastWrite = written;
    if (!accepted) {
      await once(this.#out, "drain");
    }
  }
}

/** `stream.write` as a promise of the write's completion, plus whether to keep writing. */
function writeWithCallback(
  out: Writable,
  chunk: Uint8Array,
): { accepted: boolean; written: Promise<void> } {
  let settle: (error: Error | null | undefined) => void = () => undefined;
  const written = new Promise<void>((resolve, reject) => {
    settle = (error) => (error ? reject(error) : resolve());
  });
  written.catch(() => undefined);
  const accepted = out.write(chunk, (error) => settle(error));
  return { accepted, written };
}

function assertNever(value: never): never {
  throw new Error(`unexpected value ${String(value)}`);
}

function asBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) {
    return chunk;
  }
  throw new TypeError("stdin must be read as bytes");
}

/** What a frame asks of the process: keep going, or exit once output is flushed. */
type Next = "continue" | "exit";

class Peer {
  readonly #writer: FrameWriter;
  readonly #session: Session;

  constructor(out: Writable) {
    this.#writer = new FrameWriter(out);
    this.#session = new SyncedDoc<NotebookSchema>(A.init<NotebookSchema>(), (message) =>
      this.#writer.send(FrameType.DOC_SYNC, message),
    );
  }

  async handle(frame: Frame): Promise<Next> {
    switch (frame.type) {
      case FrameType.DOC_SYNC:
        await this.#session.receive(frame.payload);
        return "continue";
      case FrameType.REQUEST:
        return this.#request(frame.payload);
      case FrameType.RESPONSE:
      case FrameType.BROADCAST:
        log(`ignoring a frame of type ${frame.type}: this peer serves requests and sends none`);
        return "continue";
      default:
        return assertNever(frame.type);
    }
  }

  flush(): Promise<void> {
    return this.#writer.flush();
  }

  async #request(payload: Uint8Array): Promise<Next> {
    let id: unknown = null;
    try {
      const request = parseRequest(decode(payload));
      id = request.id;
      if (request.op === "exit") {
        await this.#respond({ id, ok: true });
        return "exit";
      }
      await this.#respond(await handleRequest(this.#session, request));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const code = error instanceof RequestError ? error.code : "bad_request";
      await this.#respond({ id, ok: false, error: { code, message } });
    }
    return "continue";
  }

  #respond(reply: Record<string, unknown>): Promise<void> {
    return this.#writer.send(FrameType.RESPONSE, encode(reply));
  }
}

async function run(): Promise<number> {
  const peer = new Peer(process.stdout);
  const decoder = new FrameDecoder();
  for await (const chunk of process.stdin) {
    for (const frame of decoder.push(asBytes(chunk))) {
      if ((await peer.handle(frame)) === "exit") {
        await peer.flush();
        return 0;
      }
    }
  }
  await peer.flush();
  if (!decoder.idle) {
    log("stdin closed inside a frame");
    return 1;
  }
  return 0;
}

run().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(2);
  },
);
