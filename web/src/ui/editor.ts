/**
 * One cell's CodeMirror editor, kept equal to the cell's Automerge text.
 *
 * Local transactions become splices (reported through `onEdit`); remote changes come in
 * through `applyRemote` as one ChangeSet annotated as remote, so they are neither echoed
 * back nor added to the undo history, and the selection maps through them like through
 * any other change.
 */

import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  bracketMatching,
  defaultHighlightStyle,
  HighlightStyle,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
} from "@codemirror/language";
import { Annotation, Compartment, EditorState, type Extension, Prec, Transaction } from "@codemirror/state";
import {
  drawSelection,
  EditorView,
  highlightSpecialChars,
  type KeyBinding,
  keymap,
  lineNumbers,
  placeholder,
  type ViewUpdate,
} from "@codemirror/view";

import type { Action } from "../actions.ts";
import type { Splice } from "../doc/notebook.ts";
import { type CompletionFetcher, kernelCompletion } from "./completion.ts";
import { type InspectFetcher, kernelInspection } from "./inspect-tooltip.ts";
import { followColorScheme } from "./editor-theme.ts";
import { findHighlighting } from "./find-highlight.ts";
import { EDIT_SHORTCUTS } from "./keymap.ts";
import { editorChangeFor, LINE_SEPARATOR, type SourceUpdate, splicesFromChanges } from "./text-changes.ts";

/** Marks transactions that carry the document's changes into the editor. */
const remoteEdit = Annotation.define<boolean>();

/** The default highlight colours behind CSS variables, so dark mode can restyle them. */
const highlightStyle = HighlightStyle.define(
  defaultHighlightStyle.specs.map((spec) => {
    const color: unknown = spec["color"];
    return typeof color === "string" && color.startsWith("#")
      ? { ...spec, color: `var(--hl-${color.slice(1)}, ${color})` }
      : spec;
  }),
);

export interface EditorCommands {
  /** A key of keymap.ts's edit table (run, split, back to command mode…). */
  perform(action: Action): void;
  /** Arrow up on the first line / down on the last line. */
  leave(direction: "up" | "down"): void;
  /** Kernel completion for code cells. */
  complete: CompletionFetcher;
  /** Kernel help (Shift-Tab) for code cells. */
  inspect: InspectFetcher;
}

type KernelHelp = Pick<EditorCommands, "complete" | "inspect">;

export interface CellEditorOptions {
  readonly text: string;
  readonly cellType: string;
  /** The notebook's code language (languages/loader.ts); markdown and raw cells ignore it. */
  readonly language: Extension;
  readonly commands: EditorCommands;
  /** Splices of one local transaction, left to right; `text` is the editor's new text. */
  onEdit(splices: Splice[], text: string): void;
  onFocus(): void;
  /** Shown, selectable and copyable, never edited (a past version in the history view). */
  readonly readOnly?: boolean;
}

function languageFor(cellType: string, language: Extension, kernel: KernelHelp): Extension {
  return cellType === "code" ? [language, kernelCompletion(kernel.complete), kernelInspection(kernel.inspect)] : [];
}

function cellKeymap(commands: EditorCommands): KeyBinding[] {
  const atEdge = (view: EditorView, direction: "up" | "down"): boolean => {
    const { main } = view.state.selection;
    if (!main.empty) {
      return false;
    }
    const line = view.state.doc.lineAt(main.head);
    return direction === "up" ? line.number === 1 : line.number === view.state.doc.lines;
  };
  return [
    ...EDIT_SHORTCUTS.map(
      ({ keys, action }): KeyBinding => ({ key: keys, run: () => (commands.perform(action), true) }),
    ),
    {
      key: "ArrowUp",
      run: (view) => (atEdge(view, "up") ? (commands.leave("up"), true) : false),
    },
    {
      key: "ArrowDown",
      run: (view) => (atEdge(view, "down") ? (commands.leave("down"), true) : false),
    },
  ];
}

export class CellEditor {
  readonly view: EditorView;
  readonly #language = new Compartment();
  readonly #kernel: KernelHelp;
  #cellType: string;
  #codeLanguage: Extension;

  constructor(parent: HTMLElement, options: CellEditorOptions) {
    this.#cellType = options.cellType;
    this.#codeLanguage = options.language;
    this.#kernel = { complete: options.commands.complete, inspect: options.commands.inspect };
    const listener = EditorView.updateListener.of((update: ViewUpdate) => {
      if (update.focusChanged && update.view.hasFocus) {
        options.onFocus();
      }
      for (const transaction of update.transactions) {
        if (transaction.docChanged && transaction.annotation(remoteEdit) !== true) {
          options.onEdit(
            splicesFromChanges(transaction.changes),
            transaction.newDoc.sliceString(0, transaction.newDoc.length, LINE_SEPARATOR),
          );
        }
      }
    });
    this.view = new EditorView({
      parent,
      state: EditorState.create({
        doc: options.text,
        extensions: [
          // Only "\n" breaks lines, so editor offsets equal Automerge's UTF-16 offsets.
          EditorState.lineSeparator.of(LINE_SEPARATOR),
          EditorState.tabSize.of(4),
          indentUnit.of("    "),
          history(),
          drawSelection(),
          lineNumbers(), // shown when the user turns them on (style.css, display-settings.ts)
          highlightSpecialChars(),
          indentOnInput(),
          bracketMatching(),
          syntaxHighlighting(highlightStyle),
          placeholder(options.cellType === "code" ? "" : "Type here"),
          followColorScheme(),
          EditorView.contentAttributes.of({ "aria-label": options.readOnly === true ? "Cell input (read only)" : "Cell input" }),
          EditorState.readOnly.of(options.readOnly === true),
          findHighlighting(),
          // Before the cell keymap (same precedence, so order decides): while the completion
          // popup is open, its Escape and Enter win over "command mode" and newline.
          this.#language.of(languageFor(options.cellType, this.#codeLanguage, this.#kernel)),
          Prec.highest(keymap.of(cellKeymap(options.commands))),
          keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
          listener,
        ],
      }),
    });
  }

  get text(): string {
    const doc = this.view.state.doc;
    return doc.sliceString(0, doc.length, LINE_SEPARATOR);
  }

  /** The cursor's UTF-16 offset in the cell's text. */
  get cursor(): number {
    return this.view.state.selection.main.head;
  }

  setCellType(cellType: string): void {
    if (cellType !== this.#cellType) {
      this.#cellType = cellType;
      this.#reconfigure();
    }
  }

  /** The notebook's kernel language changed: highlight code by the new one. */
  setLanguage(language: Extension): void {
    if (language !== this.#codeLanguage) {
      this.#codeLanguage = language;
      this.#reconfigure();
    }
  }

  #reconfigure(): void {
    this.view.dispatch({
      effects: this.#language.reconfigure(languageFor(this.#cellType, this.#codeLanguage, this.#kernel)),
    });
  }

  /** Bring the editor to `target`, using the patches' edits when they account for it. */
  applyRemote(target: string, update: SourceUpdate | undefined): void {
    const changes = editorChangeFor(this.text, target, update);
    if (changes !== null) {
      this.view.dispatch({
        changes,
        annotations: [remoteEdit.of(true), Transaction.addToHistory.of(false)],
      });
    }
  }

  focus(where: "start" | "end" | "keep" = "keep"): void {
    if (where !== "keep") {
      const anchor = where === "start" ? 0 : this.view.state.doc.length;
      this.view.dispatch({ selection: { anchor } });
    }
    this.view.focus();
  }

  destroy(): void {
    this.view.destroy();
  }
}
