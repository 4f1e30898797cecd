/**
 * The keyboard shortcuts panel (H in command mode): a modal `<dialog>` listing
 * keymap.ts's tables, so it cannot drift from what the keys do. Escape or H closes it
 * and the focus returns where it was. Hook: `dialog.shortcuts-help[data-shortcuts-help]`.
 */

import { h } from "./dom.ts";
import { FIND_PANEL_KEYS } from "./find-panel.ts";
import { COMMAND_SHORTCUTS, describeKeys, EDIT_SHORTCUTS, GLOBAL_SHORTCUTS, type Shortcut } from "./keymap.ts";

/** Editor keys CodeMirror handles itself, listed for completeness. */
const EDITOR_KEYS: readonly Pick<Shortcut, "keys" | "description">[] = [
  { keys: "Tab", description: "Complete from the kernel (indent at the start of a line)" },
  { keys: "Shift-Tab", description: "Dedent" },
  { keys: "Mod-z", description: "Undo typing" },
  { keys: "Mod-Shift-z", description: "Redo typing" },
];

function table(title: string, rows: readonly Pick<Shortcut, "keys" | "description">[]): HTMLElement {
  return h(
    "section",
    {},
    h("h3", {}, title),
    h(
      "table",
      {},
      h(
        "tbody",
        {},
        ...rows.map((row) =>
          h("tr", {}, h("td", {}, h("kbd", {}, describeKeys(row.keys))), h("td", {}, row.description)),
        ),
      ),
    ),
  );
}

export class ShortcutsHelp {
  readonly element: HTMLDialogElement;

  constructor() {
    const close = h("button", { type: "button", class: "close", "data-help-close": "" }, "Close");
    close.addEventListener("click", () => this.close());
    this.element = h(
      "dialog",
      { class: "shortcuts-help", "data-shortcuts-help": "", "aria-label": "Keyboard shortcuts" },
      h("header", {}, h("h2", {}, "Keyboard shortcuts"), close),
      h(
        "div",
        { class: "columns" },
        table("Command mode (Esc)", COMMAND_SHORTCUTS),
        h(
          "div",
          {},
          table("Edit mode (Enter)", [...EDIT_SHORTCUTS, ...EDITOR_KEYS]),
          table("Anywhere", GLOBAL_SHORTCUTS),
          table("Find bar", FIND_PANEL_KEYS),
        ),
      ),
    );
    this.element.addEventListener("keydown", (event) => {
      if (event.key === "h" || event.key === "H") {
        event.preventDefault();
        this.close();
      }
    });
  }

  get isOpen(): boolean {
    return this.element.open;
  }

  toggle(): void {
    if (this.isOpen) {
      this.close();
    } else {
      this.element.showModal();
    }
  }

  close(): void {
    this.element.close();
  }
}
