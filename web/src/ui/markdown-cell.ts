/**
 * The rendered side of a markdown cell: a focusable `.markdown-preview` that shows the
 * cell's source as markdown (with its attachments and files next to the notebook) and
 * turns keys and double-clicks into cell commands. The cell view swaps it with the editor.
 *
 * Keys while the preview has focus: Enter or double-click edits, Shift-Enter renders and
 * moves on, Ctrl/Cmd-Enter renders in place, Up/Down go to the neighbouring cell.
 */

import { onFileLocationChange } from "../render/location.ts";
import { renderMarkdown } from "../render/markdown.ts";
import { parseAttachments } from "../render/resources.ts";
import { h } from "./dom.ts";

export interface MarkdownPreviewCommands {
  edit(): void;
  run(advance: boolean): void;
  leave(direction: "up" | "down"): void;
  focused(): void;
}

export class MarkdownPreview {
  readonly element: HTMLElement;
  readonly #unsubscribe: () => void;
  #source = "";
  #attachments: string | null = null;
  #rendered = false;

  constructor(commands: MarkdownPreviewCommands) {
    this.element = h("div", { class: "markdown-preview", tabindex: "0", hidden: true });
    this.element.addEventListener("dblclick", (event) => {
      event.preventDefault();
      commands.edit();
    });
    this.element.addEventListener("focus", () => commands.focused());
    this.element.addEventListener("keydown", (event) => {
      if (event.target !== this.element || event.altKey) {
        return;
      }
      if (event.key === "Enter") {
        if (event.shiftKey) {
          commands.run(true);
        } else if (event.ctrlKey || event.metaKey) {
          commands.run(false);
        } else {
          commands.edit();
        }
      } else if (event.key === "ArrowUp" || event.key === "ArrowDown") {
        commands.leave(event.key === "ArrowUp" ? "up" : "down");
      } else {
        return;
      }
      event.preventDefault();
    });
    this.#unsubscribe = onFileLocationChange(() => {
      this.#rendered = false;
      if (!this.element.hidden) {
        this.#render();
      }
    });
  }

  /** Show `source` (re-rendered only when it or the attachments changed). */
  show(source: string, attachments: string | null): void {
    if (source !== this.#source || attachments !== this.#attachments) {
      this.#source = source;
      this.#attachments = attachments;
      this.#rendered = false;
    }
    this.element.hidden = false;
    if (!this.#rendered) {
      this.#render();
    }
  }

  hide(): void {
    this.element.hidden = true;
  }

  destroy(): void {
    this.#unsubscribe();
  }

  #render(): void {
    this.#rendered = true;
    if (this.#source.trim() === "") {
      this.element.replaceChildren(h("div", { class: "markdown-empty" }, "Empty markdown cell: double-click to edit"));
      return;
    }
    this.element.replaceChildren(renderMarkdown(this.#source, parseAttachments(this.#attachments)));
  }
}
