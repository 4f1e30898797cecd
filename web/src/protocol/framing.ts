/**
 * Bytes-only framing of the daemon socket, mirroring daemon/framing.py.
 *
 * A frame is a 4-byte big-endian length (counting the type byte), one type byte and the
 * payload. Headers are validated before any payload is buffered, so a hostile length never
 * allocates; frames of unknown type are skipped without being buffered.
 */

import { FRAME_CAPS, FrameType, HEADER_LEN, MAX_FRAME } from "./wire.gen.ts";

export interface Frame {
  readonly type: FrameType;
  readonly payload: Uint8Array;
}

export type FrameErrorCode = "bad_frame" | "frame_too_large";

export class FrameError extends Error {
  readonly code: FrameErrorCode;

  constructor(message: string, code: FrameErrorCode) {
    super(message);
    this.name = "FrameError";
    this.code = code;
  }
}

const KNOWN_TYPES: ReadonlySet<number> = new Set<number>(Object.values(FrameType));

export function isFrameType(typeByte: number): typeByte is FrameType {
  return KNOWN_TYPES.has(typeByte);
}

/** Largest payload + type byte a frame of this type may declare. */
export function capFor(typeByte: number): number {
  return isFrameType(typeByte) ? FRAME_CAPS[typeByte] : MAX_FRAME;
}

function typeName(typeByte: number): string {
  return `0x${typeByte.toString(16).padStart(2, "0")}`;
}

export function encodeFrame(type: FrameType, payload: Uint8Array): Uint8Array {
  const length = payload.length + 1;
  if (length > capFor(type)) {
    throw new FrameError(
      `frame of type ${typeName(type)} of ${length} bytes exceeds its cap of ${capFor(type)}`,
      "frame_too_large",
    );
  }
  const frame = new Uint8Array(HEADER_LEN + length);
  new DataView(frame.buffer).setUint32(0, length, false);
  frame[HEADER_LEN] = type;
  frame.set(payload, HEADER_LEN + 1);
  return frame;
}

/** Validate a frame header before its payload is read (same rules as check_header). */
export function checkHeader(length: number, typeByte: number): void {
  if (length === 0) {
    throw new FrameError("zero-length frame", "bad_frame");
  }
  if (length > capFor(typeByte)) {
    throw new FrameError(
      `frame of type ${typeName(typeByte)} declares ${length} bytes, over its cap of ${capFor(typeByte)}`,
      "frame_too_large",
    );
  }
}

type Phase =
  | { readonly kind: "length" }
  | { readonly kind: "type"; readonly length: number }
  | { readonly kind: "payload"; readonly type: FrameType; readonly payload: Uint8Array; filled: number }
  | { readonly kind: "skip"; remaining: number };

/**
 * Incremental decoder for a byte stream of frames.
 *
 * After an error the stream cannot be resynchronised: every later push rethrows it.
 */
export class FrameDecoder {
  #phase: Phase = { kind: "length" };
  readonly #lengthBytes = new Uint8Array(HEADER_LEN);
  #lengthFilled = 0;
  #error: FrameError | null = null;

  /** True when no partial frame is buffered (a clean place for the stream to end). */
  get idle(): boolean {
    return this.#phase.kind === "length" && this.#lengthFilled === 0;
  }

  push(chunk: Uint8Array): Frame[] {
    if (this.#error !== null) {
      throw this.#error;
    }
    const frames: Frame[] = [];
    let offset = 0;
    try {
      while (offset < chunk.length) {
        offset = this.#consume(chunk, offset, frames);
      }
    } catch (error) {
      if (error instanceof FrameError) {
        this.#error = error;
      }
      throw error;
    }
    return frames;
  }

  /** Consume bytes for the current phase; returns the new offset. */
  #consume(chunk: Uint8Array, offset: number, frames: Frame[]): number {
    const phase = this.#phase;
    switch (phase.kind) {
      case "length":
        return this.#readLength(chunk, offset);
      case "type":
        this.#startFrame(phase.length, chunk[offset] ?? 0, frames);
        return offset + 1;
      case "payload": {
        const take = Math.min(phase.payload.length - phase.filled, chunk.length - offset);
        phase.payload.set(chunk.subarray(offset, offset + take), phase.filled);
        phase.filled += take;
        if (phase.filled === phase.payload.length) {
          frames.push({ type: phase.type, payload: phase.payload });
          this.#phase = { kind: "length" };
        }
        return offset + take;
      }
      case "skip": {
        const take = Math.min(phase.remaining, chunk.length - offset);
        phase.remaining -= take;
        if (phase.remaining === 0) {
          this.#phase = { kind: "length" };
        }
        return offset + take;
      }
    }
  }

  #readLength(chunk: Uint8Array, offset: number): number {
    const take = Math.min(HEADER_LEN - this.#lengthFilled, chunk.length - offset);
    this.#lengthBytes.set(chunk.subarray(offset, offset + take), this.#lengthFilled);
    this.#lengthFilled += take;
    if (this.#lengthFilled === HEADER_LEN) {
      const length = new DataView(this.#lengthBytes.buffer).getUint32(0, false);
      this.#lengthFilled = 0;
      if (length === 0) {
        checkHeader(length, 0);
      }
      this.#phase = { kind: "type", length };
    }
    return offset + take;
  }

  #startFrame(length: number, typeByte: number, frames: Frame[]): void {
    checkHeader(length, typeByte);
    const payloadLength = length - 1;
    if (!isFrameType(typeByte)) {
      this.#phase = payloadLength > 0 ? { kind: "skip", remaining: payloadLength } : { kind: "length" };
      return;
    }
    if (payloadLength === 0) {
      frames.push({ type: typeByte, payload: new Uint8Array(0) });
      this.#phase = { kind: "length" };
      return;
    }
    this.#phase = { kind: "payload", type: typeByte, payload: new Uint8Array(payloadLength), filled: 0 };
  }
}
