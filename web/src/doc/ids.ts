/**
 * Branded id strings, the TypeScript side of daemon/ids.py's NewTypes: a function that
 * wants a CellId cannot be handed an arbitrary string by mistake.
 */

declare const brand: unique symbol;
type Branded<Name extends string> = string & { readonly [brand]: Name };

export type CellId = Branded<"CellId">;

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
