/**
 * Keeps a scroller at its end while its content changes height, once the reader has
 * scrolled there (End, or the scrollbar dragged to the bottom).
 *
 * Cells far from the viewport are placeholders of estimated height (`cell-heights.ts`).
 * At the end of a long notebook they are drawn with their real height, and their
 * outputs arrive later still, so the list grows under a reader who scrolled to the
 * bottom and the last cell slides out of view. The browser does not keep the end:
 * scroll anchoring keeps an element on screen in place and lets content growing below
 * it push the end away, and a cell drawn in two steps (its frame, then its outputs) can
 * shrink the list for one layout, which clamps the scroll position for good.
 *
 * So at the end the end is the anchor: the browser's anchoring is off, every change of
 * the content's height scrolls back to the end, and only the reader scrolling up (the
 * wheel turned up, an up key, a pointer on the scrollbar, typing in an editor) or
 * `release()` leaves it; a scroll event that lands short of the end without them is
 * layout, and is undone. End (and Ctrl-End) on the scroller
 * itself jump to the end at once: the browser's own End animates towards the end as it
 * was when the key was pressed, and the cells drawn on the way move it.
 *
 * This module does not decide what is drawn (`cell-window.ts`).
 */

/** Sub-pixel layout can leave the end a fraction of a pixel away. */
const SLACK = 1;
/** How long after a wheel turn or a key a scroll still counts as the reader's (ms):
 * the browser animates those scrolls over a few frames. */
const INPUT_WINDOW = 1000;
/** Keys that scroll a focused scroller up, and down. */
const UP_KEYS = new Set(["ArrowUp", "PageUp", "Home"]);
const DOWN_KEYS = new Set(["ArrowDown", "PageDown", "End"]);

export class EndAnchor {
  readonly #scroller: HTMLElement;
  readonly #resize: ResizeObserver;
  #atEnd = false;
  #pointerDown = false;
  #upAt = Number.NEGATIVE_INFINITY;

  constructor(scroller: HTMLElement, content: HTMLElement) {
    this.#scroller = scroller;
    scroller.addEventListener("scroll", () => this.#onScroll(), { passive: true });
    scroller.addEventListener("keydown", (event) => this.#onKey(event));
    scroller.addEventListener("wheel", (event) => this.#onWheel(event), { passive: true });
    scroller.addEventListener("pointerdown", () => {
      this.#pointerDown = true;
    });
    for (const type of ["pointerup", "pointercancel"]) {
      window.addEventListener(type, () => {
        this.#pointerDown = false;
      });
    }
    this.#resize = new ResizeObserver(() => this.#onResize());
    this.#resize.observe(content);
  }

  /** Leave the end: the page is about to scroll elsewhere, or shows a new notebook. */
  release(): void {
    this.#setAtEnd(false);
  }

  #readerScrollingUp(): boolean {
    return this.#pointerDown || performance.now() - this.#upAt < INPUT_WINDOW;
  }

  /** The reader's latest scroll went up (true) or down (false). */
  #intent(up: boolean): void {
    this.#upAt = up ? performance.now() : Number.NEGATIVE_INFINITY;
  }

  #onWheel(event: WheelEvent): void {
    if (event.deltaY !== 0) {
      this.#intent(event.deltaY < 0);
    }
  }

  #onScroll(): void {
    const scroller = this.#scroller;
    const atEnd = scroller.scrollHeight - scroller.clientHeight - scroller.scrollTop <= SLACK;
    // Only a scroll enters the end: a list that grows while the reader is elsewhere
    // (first load, a cell added) must not pull them there.
    if (atEnd || !this.#atEnd) {
      this.#setAtEnd(atEnd);
    } else if (this.#readerScrollingUp()) {
      this.#setAtEnd(false);
    } else {
      this.#toEnd();
    }
  }

  #onKey(event: KeyboardEvent): void {
    // An editor scrolls to its cursor wherever it is, so typing counts as scrolling up;
    // keys on the scroller itself only when they scroll up.
    const inside = event.target !== this.#scroller;
    const space = event.key === " ";
    if (inside || UP_KEYS.has(event.key) || (space && event.shiftKey)) {
      this.#intent(true);
    } else if (DOWN_KEYS.has(event.key) || space) {
      this.#intent(false);
    }
    if (inside || event.key !== "End" || event.defaultPrevented) {
      return;
    }
    if (event.altKey || event.shiftKey || event.metaKey) {
      return;
    }
    event.preventDefault();
    this.#setAtEnd(true);
    this.#toEnd();
  }

  #onResize(): void {
    if (this.#atEnd) {
      this.#toEnd();
    }
  }

  #toEnd(): void {
    this.#scroller.scrollTop = this.#scroller.scrollHeight;
  }

  #setAtEnd(atEnd: boolean): void {
    this.#atEnd = atEnd;
    this.#scroller.style.overflowAnchor = atEnd ? "none" : "";
  }
}
