/**
 * What the find panel searches for, as pure functions: a query with its options (case,
 * whole word, regular expression) compiled to one RegExp, the matches of that RegExp in a
 * text, and the replacement text for one match (`$1`, `$<name>`, `$&` in regex mode).
 *
 * Offsets are UTF-16 code units, as the document's and the editors' are. It owns no DOM
 * and knows nothing of cells (find-matches.ts walks the notebook).
 */

export interface FindQuery {
  readonly text: string;
  readonly caseSensitive: boolean;
  readonly wholeWord: boolean;
  readonly regex: boolean;
}

/** A query ready to run, or why it cannot run (shown in the panel instead of a count). */
export type CompiledQuery =
  | { readonly kind: "empty" }
  | { readonly kind: "invalid"; readonly message: string }
  | { readonly kind: "ready"; readonly pattern: RegExp; readonly query: FindQuery };

/** A match as [from, to) in one text. */
export interface TextRange {
  readonly from: number;
  readonly to: number;
}

/** More matches than this in one text are not listed (a query like "." on a huge output). */
export const MAX_MATCHES_PER_TEXT = 10_000;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function compileQuery(query: FindQuery): CompiledQuery {
  if (query.text === "") {
    return { kind: "empty" };
  }
  const body = query.regex ? query.text : escapeRegExp(query.text);
  // Word boundaries that also hold next to non-ASCII letters (\b only knows [A-Za-z0-9_]).
  const source = query.wholeWord ? `(?<![\\p{L}\\p{N}_])(?:${body})(?![\\p{L}\\p{N}_])` : body;
  const flags = `gmu${query.caseSensitive ? "" : "i"}`;
  try {
    return { kind: "ready", pattern: new RegExp(source, flags), query };
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, "") : "";
    return { kind: "invalid", message: `Not a valid regular expression: ${reason}` };
  }
}

/** Every non-empty match of `pattern` in `text`, left to right, at most `MAX_MATCHES_PER_TEXT`. */
export function matchesIn(text: string, pattern: RegExp): TextRange[] {
  const ranges: TextRange[] = [];
  pattern.lastIndex = 0;
  for (;;) {
    const found = pattern.exec(text);
    if (found === null) {
      break;
    }
    const from = found.index;
    const to = from + found[0].length;
    if (to === from) {
      // An empty match ("^", "x*") finds nothing to show; step over it (a whole code point).
      pattern.lastIndex = from + (isHighSurrogate(text.charCodeAt(from)) ? 2 : 1);
      continue;
    }
    ranges.push({ from, to });
    if (ranges.length >= MAX_MATCHES_PER_TEXT) {
      break;
    }
  }
  pattern.lastIndex = 0;
  return ranges;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

/**
 * The text that replaces the match at `range` of `text`. Plain queries insert `replacement`
 * as it is; regex queries expand `$&`, `$1`…`$99`, `$<name>` and `$$` as String.replace does.
 */
export function replacementFor(text: string, range: TextRange, query: CompiledQuery, replacement: string): string {
  if (query.kind !== "ready" || !query.query.regex) {
    return replacement;
  }
  const sticky = new RegExp(query.pattern.source, query.pattern.flags.replace("g", "") + "y");
  sticky.lastIndex = range.from;
  const found = sticky.exec(text);
  if (found === null || found.index + found[0].length !== range.to) {
    return replacement;
  }
  return replacement.replace(/\$(\$|&|<([^>]*)>|(\d{1,2}))/g, (whole, token: string, name?: string, digits?: string) => {
    if (token === "$") {
      return "$";
    }
    if (token === "&") {
      return found[0];
    }
    if (name !== undefined) {
      return found.groups?.[name] ?? "";
    }
    const index = Number(digits);
    return index > 0 && index < found.length ? (found[index] ?? "") : whole;
  });
}
