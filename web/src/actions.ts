/**
 * Every user action the notebook window knows, by the name that toolbar buttons carry in
 * `data-action` and that the shell may send from its native menus.
 */

export const ACTIONS = [
  "add-above",
  "add-below",
  "delete",
  "move-up",
  "move-down",
  "to-code",
  "to-markdown",
  "to-raw",
  "run",
  "run-next",
  "run-all",
  "interrupt",
  "restart",
  "save",
  "save-as",
  "new-window",
  "open",
  "close",
  "select-up",
  "select-down",
  "edit-mode",
  "command-mode",
  "undo-delete",
  "copy",
  "cut",
  "paste",
  "split",
  "run-insert",
  "clear-outputs",
  "clear-all-outputs",
  "shortcuts",
] as const;

export type Action = (typeof ACTIONS)[number];

export function isAction(value: unknown): value is Action {
  return ACTIONS.some((action) => action === value);
}
