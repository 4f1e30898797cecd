/**
 * Long text cut to its first and last lines, found without splitting the whole text.
 *
 * A 100,000-line stream arrives as one string; scanning only the kept lines from each
 * end keeps rendering it proportional to what is shown. Pure (no DOM).
 */

/** Lines kept at each end, like JupyterLab's default of 50 outputs before trimming. */
export const HEAD_LINES = 50;
export const TAIL_LINES = 50;

export interface Truncated {
  readonly head: string;
  readonly tail: string;
  /** Lines left out between head and tail. */
  readonly hidden: number;
}

/** Offset just past the `count`-th newline from the start, or -1 if there are fewer. */
function afterNewlines(text: string, count: number): number {
  let index = -1;
  for (let seen = 0; seen < count; seen += 1) {
    index = text.indexOf("\n", index + 1);
    if (index === -1) {
      return -1;
    }
  }
  return index + 1;
}

/** Offset where the last `count` lines start (a trailing newline ends a line, it starts none). */
function lastLinesStart(text: string, count: number, floor: number): number {
  let index = text.endsWith("\n") ? text.length - 1 : text.length;
  for (let seen = 0; seen < count; seen += 1) {
    index = text.lastIndexOf("\n", index - 1);
    if (index < floor) {
      return -1;
    }
  }
  return index + 1;
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  let index = text.indexOf("\n", from);
  while (index !== -1 && index < to) {
    count += 1;
    index = text.indexOf("\n", index + 1);
  }
  return count;
}

/** `text` as head + tail when more than `head + tail` lines would show; null otherwise. */
export function truncateLines(text: string, head = HEAD_LINES, tail = TAIL_LINES): Truncated | null {
  const headEnd = afterNewlines(text, head);
  if (headEnd === -1) {
    return null;
  }
  const tailStart = lastLinesStart(text, tail, headEnd);
  if (tailStart === -1 || tailStart <= headEnd) {
    return null;
  }
  return {
    head: text.slice(0, headEnd),
    tail: text.slice(tailStart),
    hidden: countNewlines(text, headEnd, tailStart),
  };
}
