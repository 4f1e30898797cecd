/**
 * The history timeline as people read it: the daemon's points (oldest first, each with
 * its session number) grouped into sessions, each point named by its time, its author
 * ("this window" when the changes are this page's own) and its marks. Pure: no DOM.
 */

import type { HistoryPoint } from "../protocol/wire.gen.ts";

export interface TimelineSession {
  readonly session: number;
  /** Unix seconds of its first and last point. */
  readonly start: number;
  readonly end: number;
  /** Indices into the points list, oldest first. */
  readonly points: readonly number[];
}

/** Consecutive points of one session number form one session. */
export function sessionsOf(points: readonly HistoryPoint[]): TimelineSession[] {
  const sessions: { session: number; start: number; end: number; points: number[] }[] = [];
  points.forEach((point, index) => {
    const last = sessions[sessions.length - 1];
    if (last?.session === point.session) {
      last.end = point.time;
      last.points.push(index);
    } else {
      sessions.push({ session: point.session, start: point.time, end: point.time, points: [index] });
    }
  });
  return sessions;
}

/** Who made a point's changes: this window by its actor id, else the daemon's words. */
export function authorOf(point: HistoryPoint, ownActor: string): string {
  if (point.author === "window" && point.author_id === ownActor) {
    return "this window";
  }
  return point.author_label;
}

const MARK_WORDS: Readonly<Record<string, string>> = {
  save: "saved",
  execution: "ran",
  external_edit: "edited on disk",
};

/** A mark in words (an unknown one as the daemon named it). */
export function markWords(mark: string): string {
  return MARK_WORDS[mark] ?? mark.replaceAll("_", " ");
}

/** A time of day with seconds, e.g. "09:41:07". */
export function clockTime(seconds: number): string {
  return new Date(seconds * 1000).toLocaleTimeString(undefined, {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}

/** A date and time, e.g. "6 Dec 2026, 09:41:07". */
export function dateTime(seconds: number): string {
  return new Date(seconds * 1000).toLocaleString(undefined, {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}

/** A session's heading: its number (from 1), its day and its span. */
export function sessionTitle(session: TimelineSession, count: number): string {
  const day = new Date(session.start * 1000).toLocaleDateString(undefined, {
    day: "numeric",
    month: "short",
    year: "numeric",
  });
  const span =
    session.start === session.end ? clockTime(session.start) : `${clockTime(session.start)}–${clockTime(session.end)}`;
  return `Session ${count} · ${day}, ${span}`;
}

/** One point's accessible name: when, who, what happened, how many changes. */
export function pointName(point: HistoryPoint, ownActor: string): string {
  const marks = point.marks.map(markWords);
  const changes = point.changes === 1 ? "1 change" : `${point.changes} changes`;
  return [dateTime(point.time), authorOf(point, ownActor), ...marks, changes].join(", ");
}
