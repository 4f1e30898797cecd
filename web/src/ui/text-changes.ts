/**
 * Pure translation between CodeMirror changes and Automerge text edits of cell sources.
 *
 * Both sides count UTF-16 code units, and editors use "\n" as their only line separator,
 * so an index in one is the same index in the other. Local edits become splices; remote
 * splice/del patches become one CodeMirror ChangeSet, so the editor maps its selection
 * through them like any other change. Anything patches cannot express (a replaced text
 * object, an unexpected shape) falls back to a minimal prefix/suffix diff.
 */

import type { Patch } from "@automerge/automerge/slim";
import { ChangeSet } from "@codemirror/state";

import type { Splice } from "../doc/notebook.ts";

/** The only line separator editors use: any other break is kept as text. */
export const LINE_SEPARATOR = "\n";

/** Replace [from, to) with `insert`, in the coordinates left by the previous edit. */
export interface TextEdit {
  readonly from: number;
  readonly to: number;
  readonly insert: string;
}

/** A cell's source changed by these edits, or in a way only a diff can follow. */
export type SourceUpdate =
  | { readonly kind: "edits"; readonly edits: readonly TextEdit[] }
  | { readonly kind: "replace" };

/** A CodeMirror change set as splices applied left to right. */
export function splicesFromChanges(changes: ChangeSet): Splice[] {
  const splices: Splice[] = [];
  changes.iterChanges((fromA, toA, fromB, _toB, inserted) => {
    // Earlier changes are already applied when this one is, so its start is `fromB`.
    splices.push({
      index: fromB,
      deleteCount: toA - fromA,
      text: inserted.sliceString(0, inserted.length, LINE_SEPARATOR),
    });
  });
  return splices;
}

function editFromPatch(patch: Patch, index: number): TextEdit | null {
  switch (patch.action) {
    case "splice":
      return { from: index, to: index, insert: patch.value };
    case "del":
      return { from: index, to: index + (patch.length ?? 1), insert: "" };
    default:
      return null;
  }
}

/** Whether a patch leaves the text itself alone (formatting marks). */
function keepsText(patch: Patch): boolean {
  return patch.action === "mark" || patch.action === "unmark";
}

/**
 * What happened to each cell's source, by cell id, from patches in the order Automerge
 * reported them. Cells whose sources the patches do not touch are absent.
 */
export function sourceUpdatesFromPatches(patches: readonly Patch[]): Map<string, SourceUpdate> {
  const updates = new Map<string, SourceUpdate>();
  const replace = (cellId: string): void => {
    updates.set(cellId, { kind: "replace" });
  };
  for (const patch of patches) {
    const [root, cellId, field, index] = patch.path;
    if (root !== "cells" || typeof cellId !== "string") {
      continue;
    }
    if (field === undefined) {
      replace(cellId); // the cell itself was put or deleted
      continue;
    }
    if (field !== "source" || keepsText(patch)) {
      continue;
    }
    const current = updates.get(cellId);
    if (current?.kind === "replace") {
      continue;
    }
    const edit = typeof index === "number" && patch.path.length === 4 ? editFromPatch(patch, index) : null;
    if (edit === null) {
      replace(cellId);
    } else {
      updates.set(cellId, { kind: "edits", edits: [...(current?.edits ?? []), edit] });
    }
  }
  return updates;
}

/** Sequential edits as one ChangeSet over a text of `length`; null if one is out of range. */
export function changeSetFromEdits(length: number, edits: readonly TextEdit[]): ChangeSet | null {
  let changes = ChangeSet.empty(length);
  for (const { from, to, insert } of edits) {
    const current = changes.newLength;
    if (!(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from <= to && to <= current)) {
      return null;
    }
    changes = changes.compose(ChangeSet.of({ from, to, insert }, current, LINE_SEPARATOR));
  }
  return changes;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/**
 * The single edit that turns `before` into `after` keeping their common prefix and suffix;
 * null when they are equal. Never cuts an astral character (emoji) in half.
 */
export function minimalEdit(before: string, after: string): TextEdit | null {
  if (before === after) {
    return null;
  }
  const shortest = Math.min(before.length, after.length);
  let start = 0;
  while (start < shortest && before.charCodeAt(start) === after.charCodeAt(start)) {
    start += 1;
  }
  if (start > 0 && isHighSurrogate(before.charCodeAt(start - 1))) {
    start -= 1;
  }
  let endBefore = before.length;
  let endAfter = after.length;
  while (
    endBefore > start &&
    endAfter > start &&
    before.charCodeAt(endBefore - 1) === after.charCodeAt(endAfter - 1)
  ) {
    endBefore -= 1;
    endAfter -= 1;
  }
  if (endBefore < before.length && isLowSurrogate(before.charCodeAt(endBefore))) {
    endBefore += 1;
    endAfter += 1;
  }
  return { from: start, to: endBefore, insert: after.slice(start, endAfter) };
}

/**
 * The change that brings an editor showing `current` to `target`: the patches' edits when
 * they land exactly on `target`, otherwise a minimal diff. Null when nothing changes.
 */
export function editorChangeFor(
  current: string,
  target: string,
  update: SourceUpdate | undefined,
): ChangeSet | null {
  if (current === target) {
    return null;
  }
  if (update?.kind === "edits") {
    const changes = changeSetFromEdits(current.length, update.edits);
    if (changes !== null && applyToString(changes, current) === target) {
      return changes;
    }
  }
  const edit = minimalEdit(current, target);
  return edit === null ? null : changeSetFromEdits(current.length, [edit]);
}

/** A ChangeSet applied to a plain string ("\n" lines), as the editor would apply it. */
export function applyToString(changes: ChangeSet, text: string): string {
  let result = "";
  let position = 0;
  changes.iterChanges((fromA, toA, _fromB, _toB, inserted) => {
    result += text.slice(position, fromA) + inserted.sliceString(0, inserted.length, LINE_SEPARATOR);
    position = toA;
  });
  return result + text.slice(position);
}
