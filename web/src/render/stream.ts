/**
 * Stream output (stdout/stderr): long text shows its first and last lines with a button
 * that shows the rest. The rest is rendered a slice at a time between frames, so even a
 * 100,000-line stream never blocks the page for long.
 */

import { h } from "../ui/dom.ts";
import { ansiConverter, ansiPre } from "./ansi.ts";
import { truncateLines } from "./truncate.ts";

/** Lines rendered per step of "show all". */
const SLICE_LINES = 5000;

function nextSliceEnd(text: string, from: number): number {
  let index = from - 1;
  for (let seen = 0; seen < SLICE_LINES; seen += 1) {
    index = text.indexOf("\n", index + 1);
    if (index === -1) {
      return text.length;
    }
  }
  return index + 1;
}

/** Replace `container`'s children with all of `text`, one slice per macrotask. */
function renderInSlices(container: HTMLElement, text: string, className: string): void {
  const converter = ansiConverter();
  container.replaceChildren();
  container.dataset["rendering"] = "";
  let from = 0;
  const step = (): void => {
    if (!container.isConnected && from > 0) {
      return; // the output was replaced meanwhile
    }
    const end = nextSliceEnd(text, from);
    container.append(ansiPre(text.slice(from, end), className, converter));
    from = end;
    if (from < text.length) {
      setTimeout(step, 0);
    } else {
      delete container.dataset["rendering"];
    }
  };
  step();
}

export function streamElement(text: string, name: string): HTMLElement {
  const className = `stream-output ${name}`;
  const truncated = truncateLines(text);
  if (truncated === null) {
    return ansiPre(text, className);
  }
  const container = h("div", { class: "stream-truncated", "data-hidden-lines": String(truncated.hidden) });
  const converter = ansiConverter();
  const hidden = truncated.hidden.toLocaleString("en");
  const showAll = h(
    "button",
    { type: "button", class: "show-all", "data-output-action": "show-all" },
    `Show all (${hidden} more lines)`,
  );
  showAll.addEventListener("click", () => {
    delete container.dataset["hiddenLines"];
    renderInSlices(container, text, className);
  });
  container.append(
    ansiPre(truncated.head, className, converter),
    h("div", { class: "truncation-note" }, `… ${hidden} lines hidden … `, showAll),
    ansiPre(truncated.tail, className, ansiConverter()),
  );
  return container;
}
