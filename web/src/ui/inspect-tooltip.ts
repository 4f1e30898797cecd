/**
 * Kernel help in a code cell: Shift-Tab asks the kernel (the daemon's `inspect` request)
 * about the name at the cursor and shows its answer (signature and docstring) in a
 * tooltip under the cursor. The tooltip is an accessible description of the editor
 * (role="tooltip", the editor's aria-describedby points at it) and closes on Escape, on
 * typing, on moving the cursor and when the editor loses the focus. Shift-Tab over a
 * selection or with only whitespace before the cursor dedents as before.
 */

import { type Extension, Prec, StateEffect, StateField } from "@codemirror/state";
import { EditorView, keymap, showTooltip, type Tooltip } from "@codemirror/view";

import { ansiPre } from "../render/ansi.ts";
import { codePointOffset, onlyWhitespaceBefore } from "./completion-items.ts";
import { h } from "./dom.ts";
import { LINE_SEPARATOR } from "./text-changes.ts";

export interface KernelInspection {
  readonly found: boolean;
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * Asks the kernel; `cursorPos` is in code points, as the Jupyter protocol counts. A
 * failure is the fetcher's to report; no tooltip then opens.
 */
export type InspectFetcher = (code: string, cursorPos: number) => Promise<KernelInspection>;

interface Shown {
  readonly pos: number;
  /** The kernel's text/plain (ANSI colours kept), or null when it found nothing. */
  readonly text: string | null;
}

const show = StateEffect.define<Shown>();
const hide = StateEffect.define();

let tooltipIds = 0;

/** The words the tooltip shows: the kernel's plain text, else a note that it had none. */
export function inspectionText(reply: KernelInspection): string | null {
  const plain = reply.data["text/plain"];
  return reply.found && typeof plain === "string" && plain.trim() !== "" ? plain : null;
}

function tooltipFor(shown: Shown, id: string): Tooltip {
  return {
    pos: shown.pos,
    above: false,
    strictSide: false,
    create: () => {
      const body =
        shown.text === null
          ? h("p", { class: "inspect-empty" }, "The kernel has no help for this name.")
          : ansiPre(shown.text, "inspect-text");
      const dom = h("div", { class: "cm-inspect", id, role: "tooltip" }, body);
      return { dom };
    },
  };
}

function inspectField(id: string): StateField<Shown | null> {
  return StateField.define<Shown | null>({
    create: () => null,
    update(value, transaction) {
      for (const effect of transaction.effects) {
        if (effect.is(show)) {
          return effect.value;
        }
        if (effect.is(hide)) {
          return null;
        }
      }
      return transaction.docChanged || transaction.selection !== undefined ? null : value;
    },
    provide: (field) => [
      showTooltip.from(field, (value) => (value === null ? null : tooltipFor(value, id))),
      EditorView.contentAttributes.compute([field], (state): Record<string, string> =>
        state.field(field) === null ? {} : { "aria-describedby": id },
      ),
    ],
  });
}

export function kernelInspection(fetch: InspectFetcher): Extension {
  tooltipIds += 1;
  const id = `inspect-tooltip-${String(tooltipIds)}`;
  const field = inspectField(id);

  const inspect = (view: EditorView): boolean => {
    const { main } = view.state.selection;
    const line = view.state.doc.lineAt(main.head);
    if (!main.empty || onlyWhitespaceBefore(line.text, main.head - line.from)) {
      return false; // dedent
    }
    const { doc } = view.state;
    const code = doc.sliceString(0, doc.length, LINE_SEPARATOR);
    const pos = main.head;
    fetch(code, codePointOffset(code, pos)).then(
      (reply) => {
        // Typing or moving on while the kernel answered makes the answer stale.
        if (view.state.doc === doc && view.state.selection.main.head === pos && view.hasFocus) {
          view.dispatch({ effects: show.of({ pos, text: inspectionText(reply) }) });
        }
      },
      () => undefined, // the fetcher reports why
    );
    return true;
  };
  const close = (view: EditorView): boolean => {
    if (view.state.field(field) === null) {
      return false;
    }
    view.dispatch({ effects: hide.of(null) });
    return true;
  };
  const blur = EditorView.domEventHandlers({
    blur: (_event, view) => {
      if (view.state.field(field) !== null) {
        // Not inside the blur event: CodeMirror is mid-update there.
        queueMicrotask(() => view.dispatch({ effects: hide.of(null) }));
      }
    },
  });
  return [
    field,
    blur,
    Prec.highest(
      keymap.of([
        { key: "Shift-Tab", run: inspect },
        { key: "Escape", run: close },
      ]),
    ),
  ];
}
