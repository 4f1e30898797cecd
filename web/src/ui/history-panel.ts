/**
 * The history panel beside the notebook: the timeline of the daemon's `history` reply,
 * grouped into sessions, each point a button naming its time, its author and its marks
 * (saved, ran, edited on disk); above it, comparing the notebook now with its file or git
 * `HEAD`, and undoing the last restore. It draws and reports; history.ts decides.
 *
 * Keys: Up/Down/Home/End move along the timeline (while a point is viewed, moving views
 * the next one: scrubbing), Enter or a click views the focused point, Escape goes back
 * to the notebook. Hooks: `aside[data-history]`, `button[data-history-point]` (its index,
 * `aria-current` on the one viewed, `data-picked` on the one picked for comparing),
 * `[data-mark]`, `button[data-history-compare=file|git]`, `button[data-history-undo]`,
 * `[data-history-status]`.
 */

import type { HistoryPoint } from "../protocol/wire.gen.ts";
import { h } from "./dom.ts";
import { authorOf, clockTime, dateTime, markWords, pointName, sessionsOf, sessionTitle } from "./history-timeline.ts";

/** The timeline's and the past view's own keys (the help panel and README list them). */
export const HISTORY_KEYS: readonly { readonly keys: string; readonly description: string }[] = [
  { keys: "ArrowUp", description: "Timeline: the point before (while viewing, shows it)" },
  { keys: "ArrowDown", description: "Timeline: the point after (while viewing, shows it)" },
  { keys: "Home", description: "Timeline: the oldest point" },
  { keys: "End", description: "Timeline: the newest point" },
  { keys: "Enter", description: "Timeline: view the point read only" },
  { keys: "Escape", description: "Back to the notebook as it is now" },
];

export interface HistoryPanelEvents {
  view(index: number): void;
  compareWith(kind: "file" | "git"): void;
  undoRestore(): void;
  /** Back to the notebook (Escape). */
  leave(): void;
}

export class HistoryPanel {
  readonly element: HTMLElement;
  readonly #sessions: HTMLOListElement;
  readonly #status: HTMLElement;
  readonly #undo: HTMLButtonElement;
  readonly #events: HistoryPanelEvents;
  #buttons: HTMLButtonElement[] = [];
  #viewed = -1;
  #picked = -1;
  #scrubbing = false;

  constructor(events: HistoryPanelEvents) {
    this.#events = events;
    const compare = (kind: "file" | "git", label: string, title: string): HTMLButtonElement => {
      const button = h("button", { type: "button", title, "data-history-compare": kind }, label);
      button.addEventListener("click", () => events.compareWith(kind));
      return button;
    };
    this.#undo = h("button", { type: "button", "data-history-undo": "", hidden: true }, "Undo restore");
    this.#undo.addEventListener("click", () => events.undoRestore());
    this.#status = h("p", { class: "history-status", role: "status", "data-history-status": "" });
    this.#sessions = h("ol", { class: "history-sessions", "aria-label": "Timeline, oldest first" });
    this.element = h(
      "aside",
      { class: "history", "aria-label": "History", "data-history": "", "data-owns-keys": "", hidden: true },
      h("h2", { class: "history-title" }, "History"),
      h(
        "div",
        { class: "history-actions", role: "group", "aria-label": "Compare the notebook now" },
        compare("file", "Compare with file", "The notebook now against its file on disk"),
        compare("git", "Compare with git HEAD", "The notebook now against its last git commit"),
        this.#undo,
      ),
      this.#status,
      this.#sessions,
    );
    this.#sessions.addEventListener("keydown", (event) => this.#onKey(event));
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  setOpen(open: boolean): void {
    this.element.hidden = !open;
  }

  /** Say what the panel is doing ("Reading the history…", a failure). */
  showStatus(text: string): void {
    this.#status.textContent = text;
  }

  /** Draw the timeline (keeping the focused point focused by index). */
  show(points: readonly HistoryPoint[], ownActor: string, retentionDays: number): void {
    const focusedAt = this.#buttons.findIndex((button) => button === document.activeElement);
    const sessions = sessionsOf(points);
    this.#buttons = points.map((point, index) => this.#pointButton(point, index, ownActor));
    this.#sessions.replaceChildren(
      ...sessions.map((session, number) => {
        const title = sessionTitle(session, number + 1);
        const id = `history-session-${number}`;
        return h(
          "li",
          { class: "history-session", "data-history-session": String(session.session) },
          h("h3", { id }, title),
          h(
            "ol",
            { class: "history-points", "aria-labelledby": id },
            ...session.points.map((index) => h("li", {}, this.#buttons[index] ?? "")),
          ),
        );
      }),
    );
    const sessionWord = sessions.length === 1 ? "session" : "sessions";
    const pointWord = points.length === 1 ? "point" : "points";
    this.showStatus(
      points.length === 0
        ? "No history yet."
        : `${points.length} ${pointWord} in ${sessions.length} ${sessionWord}; outputs kept ${retentionDays} days.`,
    );
    this.#mark();
    const target = focusedAt >= 0 ? Math.min(focusedAt, points.length - 1) : this.#viewed >= 0 ? this.#viewed : points.length - 1;
    this.#rove(target, focusedAt >= 0);
  }

  /** Put the focus on the timeline (the viewed point, else the newest). */
  focus(): void {
    const at = this.#buttons.findIndex((button) => button.getAttribute("tabindex") === "0");
    (this.#buttons[at] ?? this.#buttons[this.#buttons.length - 1] ?? this.element).focus();
    this.#buttons[at]?.scrollIntoView({ block: "nearest" });
  }

  /** Which point is viewed (-1: none) and which is picked for comparing (-1: none). */
  setViewed(viewed: number, picked: number): void {
    this.#viewed = viewed;
    this.#picked = picked;
    this.#scrubbing = viewed >= 0;
    this.#mark();
  }

  setUndo(label: string | null): void {
    this.#undo.hidden = label === null;
    this.#undo.setAttribute("aria-label", label ?? "Undo restore");
  }

  /** Its name is its text: the time, author and marks shown, the rest for screen readers. */
  #pointButton(point: HistoryPoint, index: number, ownActor: string): HTMLButtonElement {
    const changes = point.changes === 1 ? "1 change" : `${point.changes} changes`;
    const button = h(
      "button",
      {
        type: "button",
        class: "history-point",
        "data-history-point": String(index),
        "data-author": point.author,
        title: pointName(point, ownActor),
        tabindex: "-1",
      },
      h("span", { class: "history-time" }, clockTime(point.time)),
      h("span", { class: "history-author" }, authorOf(point, ownActor)),
      ...point.marks.map((mark) => h("span", { class: "history-mark", "data-mark": mark }, markWords(mark))),
      h("span", { class: "visually-hidden" }, `(${changes}, ${dateTime(point.time)})`),
    );
    button.addEventListener("click", () => {
      this.#rove(index, false);
      this.#events.view(index);
    });
    return button;
  }

  #mark(): void {
    this.#buttons.forEach((button, index) => {
      if (index === this.#viewed) {
        button.setAttribute("aria-current", "true");
      } else {
        button.removeAttribute("aria-current");
      }
      button.toggleAttribute("data-picked", index === this.#picked);
    });
  }

  /** Make point `index` the one Tab reaches (roving tabindex), focusing it if asked. */
  #rove(index: number, focus: boolean): void {
    this.#buttons.forEach((button, i) => button.setAttribute("tabindex", i === index ? "0" : "-1"));
    if (focus) {
      this.#buttons[index]?.focus();
      this.#buttons[index]?.scrollIntoView({ block: "nearest" });
    }
  }

  #onKey(event: KeyboardEvent): void {
    const at = this.#buttons.findIndex((button) => button === document.activeElement);
    const last = this.#buttons.length - 1;
    const moves: Record<string, number> = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: last };
    const target = moves[event.key];
    if (target !== undefined) {
      const index = Math.max(0, Math.min(target, last));
      this.#rove(index, true);
      if (this.#scrubbing && index !== this.#viewed) {
        this.#events.view(index);
      }
    } else if (event.key === "Escape") {
      this.#events.leave();
    } else {
      return; // Enter and Space click the focused point
    }
    event.preventDefault();
    event.stopPropagation();
  }
}
