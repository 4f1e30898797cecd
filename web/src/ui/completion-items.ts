/**
 * The pure half of kernel completion: converting cursor offsets between the editor's
 * UTF-16 units and the Jupyter protocol's code points, and turning a `complete_reply`
 * into the range and options the completion popup shows.
 */

/** The number of code points in `text` before UTF-16 offset `utf16`. */
export function codePointOffset(text: string, utf16: number): number {
  // eslint-disable-next-line @typescript-eslint/no-misused-spread -- code points are what the Jupyter protocol counts
  return [...text.slice(0, utf16)].length;
}

function isHigh(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

/** The UTF-16 offset of code point `points` in `text` (clamped to the text). */
export function utf16Offset(text: string, points: number): number {
  let offset = 0;
  for (let seen = 0; seen < points && offset < text.length; seen += 1) {
    const next = isHigh(text.charCodeAt(offset)) ? 2 : 1;
    offset = Math.min(text.length, offset + next);
  }
  return offset;
}

export interface KernelCompletion {
  readonly matches: readonly string[];
  readonly cursor_start: number;
  readonly cursor_end: number;
  readonly metadata: unknown;
}

export interface CompletionItem {
  readonly label: string;
  /** A CodeMirror completion type ("function", "class", …), when the kernel said one. */
  readonly type?: string;
  /** The kernel's own word for the type, shown next to the label. */
  readonly detail?: string;
}

export interface CompletionRange {
  readonly from: number;
  readonly to: number;
  readonly options: readonly CompletionItem[];
}

/** ipykernel (jedi) types as the popup's kinds; anything else is shown without one. */
const KERNEL_TYPES: ReadonlyMap<string, string> = new Map([
  ["function", "function"],
  ["class", "class"],
  ["module", "namespace"],
  ["keyword", "keyword"],
  ["instance", "variable"],
  ["statement", "variable"],
  ["param", "variable"],
  ["property", "property"],
  ["path", "text"],
]);

/** The `_jupyter_types_experimental` metadata: one `{text, type}` per match, when sent;
 * the kernel's own words, by match. */
function kernelTypes(metadata: unknown): Map<string, string> {
  const types = new Map<string, string>();
  if (typeof metadata !== "object" || metadata === null) {
    return types;
  }
  const entries: unknown = Reflect.get(metadata, "_jupyter_types_experimental");
  if (!Array.isArray(entries)) {
    return types;
  }
  for (const entry of entries) {
    if (typeof entry === "object" && entry !== null) {
      const text: unknown = Reflect.get(entry, "text");
      const type: unknown = Reflect.get(entry, "type");
      if (typeof text === "string" && typeof type === "string" && type !== "") {
        types.set(text, type);
      }
    }
  }
  return types;
}

/** Where the reply's matches go in `text` (UTF-16) and the options, deduplicated. */
export function completionRange(text: string, reply: KernelCompletion): CompletionRange | null {
  if (reply.matches.length === 0) {
    return null;
  }
  const from = utf16Offset(text, reply.cursor_start);
  const to = Math.max(from, utf16Offset(text, reply.cursor_end));
  const types = kernelTypes(reply.metadata);
  const options = [...new Set(reply.matches)].map((label): CompletionItem => {
    const kernelType = types.get(label);
    if (kernelType === undefined) {
      return { label };
    }
    const type = KERNEL_TYPES.get(kernelType);
    return type === undefined ? { label, detail: kernelType } : { label, type, detail: kernelType };
  });
  return { from, to, options };
}

/** True when the cursor's line holds only whitespace before it: Tab indents there. */
export function onlyWhitespaceBefore(lineText: string, column: number): boolean {
  return /^\s*$/.test(lineText.slice(0, column));
}
