/**
 * The shapes the dashboard API answers with for sessions and tracks, built from the ports.
 *
 * @module
 */
import { NotFoundError, type Point, type TrackStats } from "dreamlake/engine";
import type { SessionRecord } from "../sessions/session-registry.js";
import type { SessionRef } from "../sessions/session-ref.js";
import type { TrackRepository } from "../tracks/track-repository.js";
import { addNumericPaths } from "./numeric-paths.js";
import { sessionPrefix } from "./session-prefix.js";

/** A session as the API shows it. */
export type SessionView = {
  readonly id: string;
  /** `namespace/workspace/name`, or `workspace/name` in a local folder. */
  readonly prefix: string;
  readonly namespace: string;
  readonly workspace: string;
  readonly name: string;
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly metadata: Readonly<Record<string, unknown>> | null;
  readonly writeProtected: boolean;
  readonly createdAt: string;
  readonly updatedAt: string | null;
};

/** A session of the list, with the sums of its tracks. */
export type SessionSummary = SessionView & {
  readonly trackCount: number;
  /** Points in all its tracks. */
  readonly pointCount: number;
  /** The latest write the server knows of: a track's last write, else the session's update or creation (ISO-8601). */
  readonly lastWriteAt: string;
};

/** A track as the API shows it. */
export type TrackView = {
  readonly name: string;
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly totalDataPoints: number;
  readonly firstTs: number | null;
  readonly lastTs: number | null;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
  /** Numeric field paths of its first and newest point (what a chart can draw). */
  readonly numericFields: readonly string[];
};

export function sessionView(record: SessionRecord): SessionView {
  return {
    id: record.id,
    prefix: sessionPrefix(record),
    namespace: record.namespace,
    workspace: record.workspace,
    name: record.name,
    description: record.description,
    tags: record.tags,
    metadata: record.metadata,
    writeProtected: record.writeProtected,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/** The session with its track count, point count and last write. */
export async function summarizeSession(
  tracks: TrackRepository,
  record: SessionRecord,
): Promise<SessionSummary> {
  const listed = await tracks.list(record);
  let pointCount = 0;
  let lastWriteAt = record.updatedAt ?? record.createdAt;
  for (const track of listed) {
    pointCount += track.totalDataPoints;
    const stats = await statsOrUndefined(tracks, record, track.name);
    const written = stats?.updatedAt ?? track.createdAt;
    if (written !== null && written > lastWriteAt) lastWriteAt = written;
  }
  return { ...sessionView(record), trackCount: listed.length, pointCount, lastWriteAt };
}

/** Every track of the session with its stats and numeric fields, by name. */
export async function trackViews(
  tracks: TrackRepository,
  session: SessionRef,
): Promise<TrackView[]> {
  const views: TrackView[] = [];
  for (const summary of await tracks.list(session)) {
    const stats = await statsOrUndefined(tracks, session, summary.name);
    if (stats === undefined) continue;
    views.push({
      name: stats.name,
      description: stats.description,
      tags: stats.tags,
      totalDataPoints: stats.totalDataPoints,
      firstTs: stats.firstTs,
      lastTs: stats.lastTs,
      createdAt: stats.createdAt,
      updatedAt: stats.updatedAt,
      numericFields: await numericFieldsOf(tracks, session, summary.name),
    });
  }
  return views;
}

/** The numeric paths of the first point and the newest one: two small reads at any length. */
async function numericFieldsOf(
  tracks: TrackRepository,
  session: SessionRef,
  name: string,
): Promise<string[]> {
  const first = await tracks.read(session, name, { startIndex: 0, limit: 1 });
  const newest = await tracks.readByTime(session, name, {
    startTime: undefined,
    endTime: undefined,
    limit: 1,
    reverse: true,
  });
  const paths = new Set<string>();
  const points: Point[] = [...first.data, ...newest.data].map((point) => point.data);
  for (const point of points) addNumericPaths(point, paths);
  return [...paths];
}

async function statsOrUndefined(
  tracks: TrackRepository,
  session: SessionRef,
  name: string,
): Promise<TrackStats | undefined> {
  try {
    return await tracks.stats(session, name);
  } catch (error: unknown) {
    // Listed a moment ago, gone now (or never written): nothing to show.
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}
