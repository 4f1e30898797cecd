/**
 * Cell ids as the document holds them. The branded `CellId` type itself is generated
 * from daemon/wire/ids.py (protocol/wire.gen.ts), so the document and the wire share it.
 */

import type { CellId } from "../protocol/wire.gen.ts";

export type { CellId };

/** A cell id in the document is never empty. */
export function isCellId(value: string): value is CellId {
  return value.length > 0;
}

/** Eight hex digits, the form nbformat (and the daemon) mint; `taken` ids are avoided. */
export function newCellId(taken: (id: CellId) => boolean = () => false): CellId {
  for (;;) {
    const bytes = crypto.getRandomValues(new Uint8Array(4));
    const id = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
    if (isCellId(id) && !taken(id)) {
      return id;
    }
  }
}
