/**
 * Output manifests and the blobs they reference, fetched from the daemon's blob server.
 *
 * A manifest is an nbformat output whose MIME values, stream text and traceback are
 * content references: a string (inline text), `{json: value}` (inline JSON) or
 * `{blob, size, kind}` (stored in the blob store). Manifests and blobs are immutable,
 * so both are cached by hash for the life of the page.
 */

import { isRecord, isString, optionalString } from "../util/guards.ts";

export type BlobKind = "text" | "json" | "binary";

export type ContentRef =
  | { readonly kind: "inline"; readonly text: string }
  | { readonly kind: "inline-json"; readonly value: unknown }
  | { readonly kind: "blob"; readonly hash: string; readonly size: number; readonly blobKind: BlobKind };

export type Manifest =
  | { readonly outputType: "stream"; readonly name: string; readonly text: ContentRef }
  | {
      readonly outputType: "display_data" | "execute_result";
      readonly data: ReadonlyMap<string, ContentRef>;
      /** The output's nbformat metadata (e.g. `{"image/png": {"width": 300}}`). */
      readonly metadata: Readonly<Record<string, unknown>>;
    }
  | {
      readonly outputType: "error";
      readonly ename: string;
      readonly evalue: string;
      readonly traceback: ContentRef;
    }
  | { readonly outputType: "unknown"; readonly rawType: string };

const HASH = /^[0-9a-f]{64}$/;

export function isBlobHash(value: string): boolean {
  return HASH.test(value);
}

function blobKind(value: unknown): BlobKind {
  return value === "json" || value === "binary" ? value : "text";
}

export function parseContentRef(value: unknown): ContentRef | null {
  if (isString(value)) {
    return { kind: "inline", text: value };
  }
  if (!isRecord(value)) {
    return null;
  }
  if ("json" in value) {
    return { kind: "inline-json", value: value["json"] };
  }
  const hash = value["blob"];
  if (isString(hash) && isBlobHash(hash)) {
    const size = value["size"];
    return {
      kind: "blob",
      hash,
      size: typeof size === "number" ? size : 0,
      blobKind: blobKind(value["kind"]),
    };
  }
  return null;
}

const EMPTY_TEXT: ContentRef = { kind: "inline", text: "" };

export function parseManifest(value: unknown): Manifest {
  if (!isRecord(value)) {
    return { outputType: "unknown", rawType: typeof value };
  }
  const outputType = value["output_type"];
  switch (outputType) {
    case "stream":
      return {
        outputType,
        name: optionalString(value["name"]) ?? "stdout",
        text: parseContentRef(value["text"]) ?? EMPTY_TEXT,
      };
    case "display_data":
    case "execute_result": {
      const data = new Map<string, ContentRef>();
      const bundle = value["data"];
      if (isRecord(bundle)) {
        for (const [mime, raw] of Object.entries(bundle)) {
          const ref = parseContentRef(raw);
          if (ref !== null) {
            data.set(mime, ref);
          }
        }
      }
      const metadata = value["metadata"];
      return { outputType, data, metadata: isRecord(metadata) ? metadata : {} };
    }
    case "error":
      return {
        outputType,
        ename: optionalString(value["ename"]) ?? "Error",
        evalue: optionalString(value["evalue"]) ?? "",
        traceback: parseContentRef(value["traceback"]) ?? { kind: "inline-json", value: [] },
      };
    default:
      return { outputType: "unknown", rawType: String(outputType) };
  }
}

export class BlobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BlobError";
  }
}

/** The blob server has no such blob: collection removed it (older than the retention). */
export class BlobMissing extends BlobError {
  constructor(hash: string) {
    super(`blob ${hash.slice(0, 12)} was collected`);
    this.name = "BlobMissing";
  }
}

/** Reads manifests and blobs from `${base}/blob/<hash>`, each hash fetched once. */
export class BlobClient {
  readonly #base: string | null;
  readonly #texts = new Map<string, Promise<string>>();
  readonly #manifests = new Map<string, Promise<Manifest>>();

  constructor(base: string | null) {
    this.#base = base === null ? null : base.replace(/\/+$/, "");
  }

  url(hash: string): string {
    if (this.#base === null) {
      throw new BlobError("the daemon did not give a blob server address");
    }
    if (!isBlobHash(hash)) {
      throw new BlobError(`not a blob hash: ${JSON.stringify(hash)}`);
    }
    return `${this.#base}/blob/${hash}`;
  }

  manifest(hash: string): Promise<Manifest> {
    let manifest = this.#manifests.get(hash);
    if (manifest === undefined) {
      manifest = this.#blobText(hash).then((text) => parseManifest(JSON.parse(text)));
      this.#manifests.set(hash, manifest);
      manifest.catch(() => this.#manifests.delete(hash));
    }
    return manifest;
  }

  /** The text a reference stands for (JSON values are serialised). */
  async text(ref: ContentRef): Promise<string> {
    switch (ref.kind) {
      case "inline":
        return ref.text;
      case "inline-json":
        return typeof ref.value === "string" ? ref.value : JSON.stringify(ref.value);
      case "blob":
        return this.#blobText(ref.hash);
    }
  }

  /** The JSON value a reference stands for (text is parsed). */
  async json(ref: ContentRef): Promise<unknown> {
    switch (ref.kind) {
      case "inline":
        return JSON.parse(ref.text);
      case "inline-json":
        return ref.value;
      case "blob": {
        const text = await this.#blobText(ref.hash);
        const value: unknown = JSON.parse(text);
        return value;
      }
    }
  }

  #blobText(hash: string): Promise<string> {
    let text = this.#texts.get(hash);
    if (text === undefined) {
      text = this.#fetchText(hash);
      this.#texts.set(hash, text);
      text.catch(() => this.#texts.delete(hash));
    }
    return text;
  }

  async #fetchText(hash: string): Promise<string> {
    const response = await fetch(this.url(hash));
    if (response.status === 404) {
      throw new BlobMissing(hash);
    }
    if (!response.ok) {
      throw new BlobError(`blob ${hash.slice(0, 12)}: HTTP ${response.status}`);
    }
    return response.text();
  }
}
