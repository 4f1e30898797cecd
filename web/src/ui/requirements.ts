/**
 * What the dependencies panel accepts as a package, and what the trust dialog says about
 * each one. Pure functions: unit-tested in web/test/requirements.test.ts.
 *
 * A notebook lists packages from the index by name (PEP 508: a name, extras, version
 * specifiers, a marker). Installer options (`--index-url …`, `-e …`), URLs and paths are
 * refused here with the reason, before the daemon refuses them too (`bad_dependency`):
 * a notebook that names where to fetch code from could make any machine fetch anything.
 */

const NAME = "[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?";
const EXTRAS = `\\[\\s*(?:${NAME}(?:\\s*,\\s*${NAME})*)?\\s*\\]`;
const VERSION = "(?:===|~=|==|!=|<=|>=|<|>)\\s*[A-Za-z0-9.*+!_-]+";
const VERSIONS = `${VERSION}(?:\\s*,\\s*${VERSION})*`;
const REQUIREMENT = new RegExp(
  `^(${NAME})\\s*(?:${EXTRAS})?\\s*(?:${VERSIONS}|\\(\\s*${VERSIONS}\\s*\\))?\\s*(?:;\\s*[^;]+)?$`,
);
const ONLY_NAME = new RegExp(`^${NAME}$`);

export type RequirementCheck =
  | { readonly ok: true; readonly requirement: string; readonly name: string }
  | { readonly ok: false; readonly reason: string };

/** PEP 503: names compare lower-cased with runs of `-`, `_` and `.` as one `-`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

/** The package name a requirement string starts with ("" when it starts with none). */
export function requirementName(requirement: string): string {
  return new RegExp(`^\\s*(${NAME})`).exec(requirement)?.[1] ?? "";
}

const EXAMPLE = "like pandas or numpy>=1.26";

function refuse(reason: string): RequirementCheck {
  return { ok: false, reason };
}

function looksLikeUrl(text: string): boolean {
  // `name @ https://…` is a PEP 508 direct reference: a URL too.
  return /:\/\//.test(text) || /^(?:git|hg|svn|bzr)\+/i.test(text) || /^file:/i.test(text) || /^[^;]*@/.test(text);
}

function looksLikePath(text: string): boolean {
  const beforeMarker = text.split(";")[0] ?? text;
  return (
    /^[.~/\\]/.test(text) ||
    /[/\\]/.test(beforeMarker) ||
    /^[A-Za-z]:/.test(text) ||
    /\.(?:whl|zip|tar\.gz|tgz|tar\.bz2|tar)$/i.test(beforeMarker.trim())
  );
}

/**
 * Check what the user typed as one new package for a notebook that lists `existing`.
 * The reason, when refused, says what to type instead.
 */
export function checkRequirement(typed: string, existing: readonly string[]): RequirementCheck {
  const text = typed.trim();
  if (text === "") {
    return refuse(`Type a package name, ${EXAMPLE}.`);
  }
  if (text.startsWith("-")) {
    return refuse(
      `“${text}” is an installer option, not a package: a notebook can list packages from the ` +
        `package index only. Type a package name, ${EXAMPLE}.`,
    );
  }
  if (looksLikeUrl(text)) {
    return refuse(
      `“${text}” names a place to download from: a notebook can list packages from the package ` +
        `index only, by name, ${EXAMPLE}.`,
    );
  }
  if (looksLikePath(text)) {
    return refuse(
      `“${text}” looks like a file or folder path: a notebook can list packages from the ` +
        `package index only, by name, ${EXAMPLE}.`,
    );
  }
  const match = REQUIREMENT.exec(text);
  if (match === null) {
    const words = text.split(/[\s,]+/);
    if (words.length > 1 && words.every((word) => ONLY_NAME.test(word))) {
      return refuse(`Add one package at a time (“${words[0] ?? ""}” first).`);
    }
    return refuse(
      `“${text}” is not a package requirement: type a name with an optional version, ${EXAMPLE}.`,
    );
  }
  const name = match[1] ?? "";
  const normalized = normalizeName(name);
  const same = existing.find((other) => normalizeName(requirementName(other)) === normalized);
  if (same !== undefined) {
    return refuse(
      same === text
        ? `${same} is already listed.`
        : `${name} is already listed as “${same}”: remove that first to change it.`,
    );
  }
  return { ok: true, requirement: text, name };
}

/** The words in a sentence that could be package names, in order. */
function nameTokens(sentence: string): string[] {
  return sentence.match(/[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/g) ?? [];
}

/**
 * Which listed package each of the daemon's `flagged` sentences is about: the one whose
 * name the sentence mentions first (a sentence about `reqeusts` names it before the
 * `requests` it resembles). Sentences that name no listed package come back under "".
 */
export function flagsByPackage(
  dependencies: readonly string[],
  flagged: readonly string[],
): ReadonlyMap<string, readonly string[]> {
  const byName = new Map<string, string>();
  for (const dependency of dependencies) {
    const name = normalizeName(requirementName(dependency));
    if (name !== "" && !byName.has(name)) {
      byName.set(name, dependency);
    }
  }
  const result = new Map<string, string[]>();
  for (const sentence of flagged) {
    const about = nameTokens(sentence)
      .map((token) => byName.get(normalizeName(token)))
      .find((dependency) => dependency !== undefined);
    const key = about ?? "";
    result.set(key, [...(result.get(key) ?? []), sentence]);
  }
  return result;
}
