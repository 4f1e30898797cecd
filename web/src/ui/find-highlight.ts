/**
 * How find shows its matches. In an editor: a CodeMirror decoration per match
 * (`.cm-find-match`, the current one `.cm-find-current`), set through a state effect,
 * mapped through edits until the next search replaces them. In rendered markdown and
 * outputs, which are plain DOM: the CSS Custom Highlight API (`::highlight(find-match)`),
 * which marks text without touching the elements.
 */

import { type Extension, StateEffect, StateField } from "@codemirror/state";
import { Decoration, type DecorationSet, EditorView } from "@codemirror/view";

import type { TextRange } from "./find-query.ts";

interface EditorMatches {
  readonly ranges: readonly TextRange[];
  /** The index in `ranges` of the current match, or -1. */
  readonly current: number;
}

const setMatches = StateEffect.define<EditorMatches>();

const match = Decoration.mark({ class: "cm-find-match" });
const currentMatch = Decoration.mark({ class: "cm-find-match cm-find-current" });

const matchField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(decorations, transaction) {
    let next = decorations.map(transaction.changes);
    for (const effect of transaction.effects) {
      if (effect.is(setMatches)) {
        const length = transaction.newDoc.length;
        const ranges = effect.value.ranges
          .map((range, index) => ({ range, index }))
          .filter(({ range }) => range.from < range.to && range.to <= length);
        next = Decoration.set(
          ranges.map(({ range, index }) =>
            (index === effect.value.current ? currentMatch : match).range(range.from, range.to),
          ),
        );
      }
    }
    return next;
  },
  provide: (field) => EditorView.decorations.from(field),
});

/** The editor extension that shows find's matches. */
export function findHighlighting(): Extension {
  return matchField;
}

/** Show `ranges` as matches in an editor (`current` stronger); `scroll` brings it into view. */
export function showEditorMatches(
  view: EditorView,
  ranges: readonly TextRange[],
  current: number,
  scroll: boolean,
): void {
  if (view.state.field(matchField, false) === undefined) {
    return;
  }
  const target = ranges[current];
  view.dispatch({
    effects: [
      setMatches.of({ ranges, current }),
      ...(target !== undefined && scroll ? [EditorView.scrollIntoView(target.from, { y: "center" })] : []),
    ],
  });
}

// -- plain DOM: rendered markdown and outputs ------------------------------------------

const DOM_HIGHLIGHT = "find-match";

function highlights(): HighlightRegistry | null {
  return typeof CSS !== "undefined" && "highlights" in CSS ? CSS.highlights : null;
}

/**
 * Highlight the `nth` match of `pattern` in `element`'s text (its text nodes in order,
 * as `textContent` reads them) and scroll it into view; false when there is no such match.
 */
export function showDomMatch(element: HTMLElement, pattern: RegExp, nth: number): boolean {
  const nodes: Text[] = [];
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
    if (node instanceof Text) {
      nodes.push(node);
    }
  }
  const text = nodes.map((node) => node.data).join("");
  pattern.lastIndex = 0;
  let found: RegExpExecArray | null = null;
  for (let seen = 0; seen <= nth; ) {
    found = pattern.exec(text);
    if (found === null) {
      break;
    }
    if (found[0].length === 0) {
      pattern.lastIndex += 1;
      continue;
    }
    seen += 1;
  }
  pattern.lastIndex = 0;
  if (found === null) {
    return false;
  }
  const range = rangeAt(nodes, found.index, found.index + found[0].length);
  if (range === null) {
    return false;
  }
  highlights()?.set(DOM_HIGHLIGHT, new Highlight(range));
  const box = range.getBoundingClientRect();
  const parent = range.startContainer.parentElement;
  if (parent !== null && (box.top < 0 || box.bottom > window.innerHeight)) {
    parent.scrollIntoView({ block: "center" });
  }
  return true;
}

export function clearDomMatch(): void {
  highlights()?.delete(DOM_HIGHLIGHT);
}

function rangeAt(nodes: readonly Text[], from: number, to: number): Range | null {
  const range = document.createRange();
  let offset = 0;
  let started = false;
  for (const node of nodes) {
    const end = offset + node.data.length;
    if (!started && from < end) {
      range.setStart(node, from - offset);
      started = true;
    }
    if (started && to <= end) {
      range.setEnd(node, to - offset);
      return range;
    }
    offset = end;
  }
  return null;
}
