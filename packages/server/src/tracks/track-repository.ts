/**
 * The port through which the HTTP routes store and read track points. The embedded server
 * implements it on the SDK's local engine (`EmbeddedTrackRepository`); a tiered
 * implementation (PostgreSQL hot tier, S3 cold tier) implements the same contract, and
 * `test/track-repository-contract.ts` (`describeTrackRepository`) checks any adapter.
 *
 * @module
 */
import {
  PointColumns,
  type AppendResult,
  type DownsampleQuery,
  type DownsampleResult,
  type IndexQuery,
  type ReadResult,
  type TimeQuery,
  type TimeReadResult,
  type TimedPoint,
  type TrackStats,
} from "dreamlake/engine";
import type { RequestKey } from "../idempotency/request-key.js";
import type { SessionRef } from "../sessions/session-ref.js";

/** Descriptive fields a client may give with the first append to a track. */
export type TrackInfo = {
  readonly description?: string | undefined;
  readonly tags?: readonly string[] | undefined;
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
};

/** What an append reports (the Python wire fields besides the indexes). */
/**
 * The points of one append: objects (the object form of the wire), or columns (the columns
 * form, which then needs no object per point where the storage writes columns).
 */
export type PointsToAppend = readonly TimedPoint[] | PointColumns;

/** The points of an append as columns. */
export function columnsOfAppend(points: PointsToAppend): PointColumns {
  return points instanceof PointColumns ? points : PointColumns.fromPoints(points);
}

/** The points of an append as objects. */
export function rowsOfAppend(points: PointsToAppend): readonly TimedPoint[] {
  return points instanceof PointColumns ? points.toPoints() : points;
}

export type TrackAppendResult = AppendResult & {
  /** Stable id of the track, the server's (not the Python SDK's local `local-track-<name>`). */
  readonly trackId: string;
  /** Points in the track after this append (`endIndex + 1`). */
  readonly totalDataPoints: number;
  /** Points in the hot tier after this append (all of them when there is no cold tier). */
  readonly bufferedDataPoints: number;
  /** Points per cold chunk (the Python wire reports 10000 when there is no cold tier). */
  readonly chunkSize: number;
};

/** One entry of {@link TrackRepository.list}. */
export type TrackSummary = {
  readonly trackId: string;
  readonly name: string;
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly totalDataPoints: number;
  /** ISO-8601 creation time, or null when unknown. */
  readonly createdAt: string | null;
};

/**
 * The tracks of every session: append-only sequences of points with a global 0-based
 * `index` per track, in append order.
 *
 * Contract (what `describeTrackRepository` checks):
 * - Inputs are already validated by the caller: the session was resolved by the
 *   registry, `track` passed `validateTrackName`, every point passed `checkPoint` and has
 *   a finite numeric `_ts`, `points` is not empty, and queries came from `parseIndexQuery`
 *   / `parseTimeQuery` (limit 1..10000).
 * - `append` stores the points as given (no merging, no reordering) after everything
 *   appended before and returns their indexes: `startIndex` = points stored before,
 *   `endIndex = startIndex + count - 1`. Concurrent appends to one track get disjoint,
 *   contiguous ranges; together they cover `0..total-1` with no gap. When it resolves,
 *   the points are visible to every later read (read-your-writes).
 * - `info` is kept only when the append creates the track; later values are ignored
 *   (as in the Python SDK).
 * - `read` returns up to `limit` points with `index >= startIndex`, in index order;
 *   `endIndex = startIndex + returned - 1`; `total` = returned; `hasMore` = points exist
 *   after the last returned one. A missing track reads as empty (not an error).
 * - `readByTime` returns up to `limit` points with `startTime <= _ts < endTime` (absent
 *   bounds are open), ordered by `_ts` ascending, or descending with `reverse`; equal
 *   `_ts` keep index order in both directions. `hasMore` = more points matched than were
 *   returned; `startTime`/`endTime` echo the query (null when absent). A missing track
 *   reads as empty.
 * - `stats` reports `totalDataPoints` = `bufferedDataPoints + chunkedDataPoints`, the
 *   smallest and largest `_ts` (`firstTs`, `lastTs`, with ISO forms in `firstDataAt` /
 *   `lastDataAt`) and the fields given at creation.
 * - `list` returns every track of the session that holds at least one point, sorted by
 *   name. Sessions never see each other's tracks.
 * - Reads and writes may run concurrently from many requests; the adapter serialises
 *   whatever its storage needs.
 */
export interface TrackRepository {
  /**
   * Appends points to the end of a track, creating it on first use. With a `request` key,
   * an append repeated with the same key (unexpired) stores nothing and answers the first
   * append's indexes (with the track's current totals).
   *
   * @throws {LimitExceededError} when the adapter's own storage limits are exceeded
   * @throws {UnavailableError} on transient storage trouble (the points may or may not be stored)
   */
  append(
    session: SessionRef,
    track: string,
    points: PointsToAppend,
    info?: TrackInfo,
    request?: RequestKey,
  ): Promise<TrackAppendResult>;

  /** Points by index. */
  read(session: SessionRef, track: string, query: IndexQuery): Promise<ReadResult>;

  /** Points by `_ts`. */
  readByTime(session: SessionRef, track: string, query: TimeQuery): Promise<TimeReadResult>;

  /**
   * Statistics of the numeric fields per time bucket (`Track.downsample` of the SDK; the
   * same answer for the same points). A missing track gives an empty result.
   */
  downsample(session: SessionRef, track: string, query: DownsampleQuery): Promise<DownsampleResult>;

  /**
   * Counts, time range and descriptive fields of one track.
   *
   * @throws {NotFoundError} when nothing was ever appended to the track
   */
  stats(session: SessionRef, track: string): Promise<TrackStats>;

  /** The session's tracks, sorted by name. */
  list(session: SessionRef): Promise<readonly TrackSummary[]>;

  /** Releases resources (file handles, pools). Idempotent; no call may follow. */
  close(): Promise<void>;
}
