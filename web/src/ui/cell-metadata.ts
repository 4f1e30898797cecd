/**
 * Reading and writing flags in a cell's metadata JSON the way JupyterLab keeps them:
 * `jupyter.<flag>: true` while on, the key removed when off (and an empty `jupyter` with
 * it), so a notebook that was never folded saves as it was read. Pure functions over the
 * raw JSON string the document holds; malformed metadata reads as empty.
 */

export function parseMetadata(metadata: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(metadata);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? { ...value } : {};
  } catch {
    return {};
  }
}

/** `metadata.jupyter[flag] === true`. */
export function jupyterFlag(metadata: string, flag: string): boolean {
  const jupyter = parseMetadata(metadata)["jupyter"];
  return typeof jupyter === "object" && jupyter !== null && flag in jupyter && Reflect.get(jupyter, flag) === true;
}

/**
 * The metadata JSON with `jupyter[flag]` set (on) or removed (off); `legacy`, a top-level
 * key older front ends wrote for the same thing, is dropped either way.
 */
export function withJupyterFlag(metadata: string, flag: string, on: boolean, legacy?: string): string {
  const parsed = parseMetadata(metadata);
  const current = parsed["jupyter"];
  const jupyter: Record<string, unknown> =
    typeof current === "object" && current !== null && !Array.isArray(current) ? { ...current } : {};
  if (legacy !== undefined) {
    Reflect.deleteProperty(parsed, legacy);
  }
  if (on) {
    jupyter[flag] = true;
  } else {
    Reflect.deleteProperty(jupyter, flag);
  }
  if (Object.keys(jupyter).length > 0) {
    parsed["jupyter"] = jupyter;
  } else {
    delete parsed["jupyter"];
  }
  return JSON.stringify(parsed);
}

/** A top-level boolean key (`scrolled`): set while on, removed when off. */
export function withTopFlag(metadata: string, key: string, on: boolean): string {
  const parsed = parseMetadata(metadata);
  if (on) {
    parsed[key] = true;
  } else {
    Reflect.deleteProperty(parsed, key);
  }
  return JSON.stringify(parsed);
}
