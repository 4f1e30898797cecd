/**
 * Every user action the notebook window knows, by the name that toolbar buttons carry in
 * `data-action` and that the shell may send from its native menus. The set is declared
 * in daemon/wire/control.py and generated; `PAGE_ONLY` adds the few that only the page
 * offers (no native menu sends them), until the wire lists them too.
 */

import { type Action as ShellAction, ActionValues, isAction as isShellAction } from "./protocol/wire.gen.ts";

/** The history panel and the undo of a restore from it (history.ts). */
const PAGE_ONLY = ["history", "undo-restore"] as const;

export type Action = ShellAction | (typeof PAGE_ONLY)[number];

export const ACTIONS: readonly Action[] = [...new Set<Action>([...ActionValues, ...PAGE_ONLY])];

export function isAction(value: unknown): value is Action {
  return isShellAction(value) || PAGE_ONLY.some((action) => action === value);
}
