/**
 * Kernel completion in a code cell: Tab asks the kernel (the daemon's `complete`
 * request) and shows its matches in CodeMirror's completion popup; Tab with only
 * whitespace before the cursor, or over a selection, indents instead. While the popup is
 * open, Tab and Enter accept, Escape closes it.
 */

import {
  acceptCompletion,
  autocompletion,
  type CompletionContext,
  type CompletionResult,
  startCompletion,
} from "@codemirror/autocomplete";
import { indentMore } from "@codemirror/commands";
import { type Extension, Prec } from "@codemirror/state";
import { type EditorView, keymap } from "@codemirror/view";

import { codePointOffset, completionRange, type KernelCompletion, onlyWhitespaceBefore } from "./completion-items.ts";
import { LINE_SEPARATOR } from "./text-changes.ts";

/**
 * Asks the kernel; `cursorPos` is in code points, as the Jupyter protocol counts. A
 * failure is the fetcher's to report; the popup then just does not open.
 */
export type CompletionFetcher = (code: string, cursorPos: number) => Promise<KernelCompletion>;

function tabCommand(view: EditorView): boolean {
  if (acceptCompletion(view)) {
    return true;
  }
  const { main } = view.state.selection;
  const line = view.state.doc.lineAt(main.head);
  if (!main.empty || onlyWhitespaceBefore(line.text, main.head - line.from)) {
    return indentMore(view);
  }
  return startCompletion(view);
}

export function kernelCompletion(fetch: CompletionFetcher): Extension {
  const source = async (context: CompletionContext): Promise<CompletionResult | null> => {
    if (!context.explicit) {
      return null;
    }
    const { doc } = context.state;
    const code = doc.sliceString(0, doc.length, LINE_SEPARATOR);
    let reply: KernelCompletion;
    try {
      reply = await fetch(code, codePointOffset(code, context.pos));
    } catch {
      return null; // the fetcher reports why
    }
    if (context.aborted) {
      return null;
    }
    const range = completionRange(code, reply);
    return range === null ? null : { from: range.from, to: range.to, options: [...range.options] };
  };
  return [
    autocompletion({ override: [source], activateOnTyping: false, icons: false }),
    Prec.high(keymap.of([{ key: "Tab", run: tabCommand }])),
  ];
}
