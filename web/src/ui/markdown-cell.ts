/**
 * The rendered side of a markdown cell: a focusable `.markdown-preview` that shows the
 * cell's source as markdown (with its attachments and files next to the notebook) and
 * turns keys and double-clicks into cell commands. The cell view swaps it with the editor.
 *
 * Keys while the preview has focus: Enter or double-click edits, Shift-Enter renders and
 * moves on, Ctrl/Cmd-Enter renders in place, Up/Down go to the neighbouring cell.
 *
 * KaTeX and sanitising cost a few milliseconds a cell, too much for hundreds of cells at
 * load: a preview on screen renders at once, the others when they scroll into view or in
 * idle time, whichever is first. Until then the source stands in as plain text, so the
 * page keeps roughly its final height.
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

/** Renders of previews not yet shown, run when they scroll into view or in idle time. */
const pending = new Map<Element, () => void>();

function runPending(element: Element): void {
  const render = pending.get(element);
  pending.delete(element);
  nearViewport?.unobserve(element);
  render?.();
}

const nearViewport =
  typeof IntersectionObserver === "function"
    ? new IntersectionObserver((entries) => {
        for (const entry of entries) {
          if (entry.isIntersecting) {
            runPending(entry.target);
          }
        }
      })
    : null;

let idleScheduled = false;

/** Render pending previews in idle slices, in document order, a few milliseconds at a time. */
function renderWhenIdle(): void {
  if (idleScheduled) {
    return;
  }
  idleScheduled = true;
  const slice = (): void => {
    const until = performance.now() + 8;
    for (const element of pending.keys()) {
      if (performance.now() > until) {
        break;
      }
      runPending(element);
    }
    idleScheduled = false;
    if (pending.size > 0) {
      renderWhenIdle();
    }
  };
  if (typeof requestIdleCallback === "function") {
    requestIdleCallback(slice, { timeout: 1000 });
  } else {
    setTimeout(slice, 50);
  }
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
        this.#schedule();
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
      this.#schedule();
    }
  }

  /** Render now if the preview is on screen, else show the source until it comes near. */
  #schedule(): void {
    if (nearViewport === null || (this.element.isConnected && this.#onScreen())) {
      this.#render();
      return;
    }
    this.element.replaceChildren(h("div", { class: "markdown-source" }, this.#source));
    pending.set(this.element, () => this.#render());
    nearViewport.observe(this.element);
    renderWhenIdle();
  }

  #onScreen(): boolean {
    const box = this.element.getBoundingClientRect();
    return box.bottom >= 0 && box.top <= window.innerHeight;
  }

  hide(): void {
    this.element.hidden = true;
  }

  destroy(): void {
    this.#unsubscribe();
    pending.delete(this.element);
    nearViewport?.unobserve(this.element);
  }

  #render(): void {
    pending.delete(this.element);
    nearViewport?.unobserve(this.element);
    this.#rendered = true;
    if (this.#source.trim() === "") {
      const empty = "Empty markdown cell: double-click to edit";
      this.element.replaceChildren(h("div", { class: "markdown-empty" }, empty));
      return;
    }
    this.element.replaceChildren(renderMarkdown(this.#source, parseAttachments(this.#attachments)));
  }
}
