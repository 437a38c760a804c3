/**
 * What the live watchers poll: the state of a track and of a session's log, small enough
 * to send on every change.
 *
 * @module
 */
import { NEWEST_LOG_ENTRY, NotFoundError } from "dreamlake/engine";
import type { LogRepository } from "../logs/log-repository.js";
import type { SessionRef } from "../sessions/session-ref.js";
import type { TrackRepository } from "../tracks/track-repository.js";

/** A track's state: a change means new points. */
export type TrackState = {
  readonly totalDataPoints: number;
  readonly firstTs: number | null;
  readonly lastTs: number | null;
};

/** A log's state: a change means new entries. */
export type LogState = { readonly newestSequence: number | null };

/** The track's counts and time range; a track not written yet is empty. */
export async function trackState(
  tracks: TrackRepository,
  session: SessionRef,
  name: string,
): Promise<TrackState> {
  try {
    const stats = await tracks.stats(session, name);
    return { totalDataPoints: stats.totalDataPoints, firstTs: stats.firstTs, lastTs: stats.lastTs };
  } catch (error: unknown) {
    if (error instanceof NotFoundError) return { totalDataPoints: 0, firstTs: null, lastTs: null };
    throw error;
  }
}

/** The sequence number of the newest entry (one entry read, from the end). */
export async function logState(logs: LogRepository, session: SessionRef): Promise<LogState> {
  const newest = await logs.read(session, NEWEST_LOG_ENTRY);
  return { newestSequence: newest.logs[0]?.sequenceNumber ?? null };
}
