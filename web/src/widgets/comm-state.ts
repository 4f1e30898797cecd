/**
 * Widget models as the document holds them, and what changed between two documents.
 *
 * Pure functions over `listComms` snapshots: the widget runtime turns the result into
 * model creations, state updates and closes. Parsed states are reused while their JSON
 * string is unchanged, so a document change that does not touch a widget costs one
 * string comparison per comm. Binary values are `{"$blob": sha256, "size": n}` references
 * (daemon/comms.py); `findBlobRefs` lists them so the runtime can fetch the bytes.
 */

import type { Comm } from "../doc/notebook.ts";
import { isRecord } from "../util/guards.ts";

export const WIDGET_TARGET = "jupyter.widget";
export const WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json";
export const OUTPUT_MODEL = "OutputModel";
export const BLOB_REF = "$blob";

/** One widget model: its class, its (parsed) state and, for Output widgets, its outputs. */
export interface WidgetComm {
  readonly commId: string;
  readonly modelName: string;
  readonly modelModule: string;
  readonly modelModuleVersion: string;
  readonly state: Readonly<Record<string, unknown>>;
  /** The JSON string `state` was parsed from (the identity used to detect changes). */
  readonly rawState: string;
  /** Manifest hashes of an Output widget's captured outputs. */
  readonly outputs: readonly string[];
  /** Set when the state is not a JSON object: the model is created empty. */
  readonly problem: string | null;
}

export type WidgetComms = ReadonlyMap<string, WidgetComm>;

export interface StateUpdate {
  readonly comm: WidgetComm;
  /** Keys whose value differs from the previous document (deleted keys are not listed). */
  readonly delta: Readonly<Record<string, unknown>>;
  readonly outputsChanged: boolean;
}

export interface CommDiff {
  readonly opened: readonly WidgetComm[];
  readonly updated: readonly StateUpdate[];
  readonly closed: readonly string[];
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

function parseState(raw: string): { state: Record<string, unknown>; problem: string | null } {
  try {
    const value: unknown = JSON.parse(raw);
    if (isRecord(value)) {
      return { state: value, problem: null };
    }
    return { state: {}, problem: "the widget state is not a JSON object" };
  } catch (error) {
    return { state: {}, problem: `the widget state is not valid JSON (${String(error)})` };
  }
}

function readComm(comm: Comm): WidgetComm {
  const { state, problem } = parseState(comm.state);
  const version = state["_model_module_version"];
  return {
    commId: comm.commId,
    modelName: comm.modelName,
    modelModule: comm.modelModule,
    modelModuleVersion: typeof version === "string" ? version : "",
    state,
    rawState: comm.state,
    outputs: [...comm.outputs],
    problem,
  };
}

/**
 * The widget comms of a document; entries equal to `previous` ones are reused, and when
 * nothing changed `previous` itself is returned (so callers can skip the diff).
 */
export function readWidgetComms(comms: readonly Comm[], previous: WidgetComms): WidgetComms {
  const next = new Map<string, WidgetComm>();
  let changed = false;
  for (const comm of comms) {
    if (comm.targetName !== WIDGET_TARGET) {
      continue;
    }
    const before = previous.get(comm.commId);
    if (
      before !== undefined &&
      before.rawState === comm.state &&
      before.modelName === comm.modelName &&
      before.modelModule === comm.modelModule &&
      sameList(before.outputs, comm.outputs)
    ) {
      next.set(comm.commId, before);
    } else {
      next.set(comm.commId, readComm(comm));
      changed = true;
    }
  }
  if (!changed && next.size === previous.size) {
    return previous;
  }
  return next;
}

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** The keys of `after` whose value differs from `before`. */
export function stateDelta(
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const delta: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after)) {
    if (!(key in before) || !sameJson(before[key], value)) {
      delta[key] = value;
    }
  }
  return delta;
}

/** Opened, updated and closed models from one document to the next. */
export function diffComms(before: WidgetComms, after: WidgetComms): CommDiff {
  const opened: WidgetComm[] = [];
  const updated: StateUpdate[] = [];
  const closed: string[] = [];
  for (const [commId, comm] of after) {
    const old = before.get(commId);
    if (old === undefined) {
      opened.push(comm);
    } else if (old.modelName !== comm.modelName || old.modelModule !== comm.modelModule) {
      closed.push(commId); // overwritten by a new comm_open with the same id
      opened.push(comm);
    } else if (old !== comm) {
      const delta = old.rawState === comm.rawState ? {} : stateDelta(old.state, comm.state);
      const outputsChanged = !sameList(old.outputs, comm.outputs);
      if (outputsChanged || Object.keys(delta).length > 0) {
        updated.push({ comm, delta, outputsChanged });
      }
    }
  }
  for (const commId of before.keys()) {
    if (!after.has(commId)) {
      closed.push(commId);
    }
  }
  return { opened, updated, closed };
}

export type StatePath = readonly (string | number)[];

export interface BlobRef {
  readonly path: StatePath;
  readonly hash: string;
  readonly size: number;
}

export function isBlobRef(value: unknown): value is { $blob: string; size?: unknown } {
  return isRecord(value) && typeof value[BLOB_REF] === "string";
}

/** Every binary value of a state (at any depth), with the path to it. */
export function findBlobRefs(state: unknown, path: StatePath = []): BlobRef[] {
  if (isBlobRef(state)) {
    const size = state.size;
    return [{ path, hash: state.$blob, size: typeof size === "number" ? size : 0 }];
  }
  if (Array.isArray(state)) {
    return state.flatMap((item: unknown, index) => findBlobRefs(item, [...path, index]));
  }
  if (isRecord(state)) {
    return Object.entries(state).flatMap(([key, value]) => findBlobRefs(value, [...path, key]));
  }
  return [];
}

/** A copy of `state` with the value at each path replaced by `values[i]`. */
export function replaceAtPaths(
  state: Readonly<Record<string, unknown>>,
  paths: readonly StatePath[],
  values: readonly unknown[],
): Record<string, unknown> {
  const copy: Record<string, unknown> = structuredClone(state);
  paths.forEach((path, i) => {
    let holder: unknown = copy;
    for (const key of path.slice(0, -1)) {
      holder = Array.isArray(holder) ? holder[Number(key)] : isRecord(holder) ? holder[key] : undefined;
    }
    const last = path[path.length - 1];
    if (last === undefined) {
      return;
    }
    if (Array.isArray(holder)) {
      holder[Number(last)] = values[i];
    } else if (isRecord(holder)) {
      holder[String(last)] = values[i];
    }
  });
  return copy;
}

/** The model a widget-view output shows, or why it cannot be shown. */
export function parseWidgetView(value: unknown): { modelId: string } | { problem: string } {
  if (!isRecord(value) || typeof value["model_id"] !== "string" || value["model_id"] === "") {
    return { problem: "the widget output names no model" };
  }
  const major = value["version_major"];
  if (typeof major === "number" && major !== 2) {
    return { problem: `widget protocol ${major}.x is not supported (this page speaks 2.x)` };
  }
  return { modelId: value["model_id"] };
}
