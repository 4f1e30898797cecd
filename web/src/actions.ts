/**
 * Every user action the notebook window knows, by the name that toolbar buttons carry in
 * `data-action` and that the shell may send from its native menus. The set is declared
 * once, in daemon/wire/control.py, and generated.
 */

import { type Action, ActionValues, isAction } from "./protocol/wire.gen.ts";

export type { Action };
export { isAction };

export const ACTIONS: readonly Action[] = ActionValues;
