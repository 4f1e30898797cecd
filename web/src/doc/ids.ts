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
