import type { Point } from "./point.js";

/** One point read back, with its position in the track. */
export type IndexedPoint = {
  /** 0-based position of the point in write order. */
  readonly index: number;
  /** The point, with its `_ts`. */
  readonly data: Point;
};

/** Result of `read`: points by index. */
export type ReadResult = {
  readonly data: readonly IndexedPoint[];
  /** The requested start index. */
  readonly startIndex: number;
  /** Index of the last returned point (`startIndex - 1` when none is returned). */
  readonly endIndex: number;
  /** Number of points returned (as in the Python SDK). */
  readonly total: number;
  /** Whether points exist after the last returned one. */
  readonly hasMore: boolean;
};

/** Result of `readByTime`: points by `_ts`. */
export type TimeReadResult = {
  readonly data: readonly IndexedPoint[];
  /** The requested start time, or null. */
  readonly startTime: number | null;
  /** The requested end time, or null. */
  readonly endTime: number | null;
  /** Number of points returned (as in the Python SDK). */
  readonly total: number;
  /** Whether more points match than were returned. */
  readonly hasMore: boolean;
};

/** How a write of points is stored. */
export type AppendOptions = {
  /**
   * The points of one `appendBatch`: stored as columnar records even when there is one
   * point, as the Python SDK's `append_batch` stores them (a flush of one point is a row).
   */
  readonly isBatch?: boolean;
};

/** Result of `appendBatch` and of a flush that wrote points. */
export type AppendResult = {
  /** Number of points written (after merging equal `_ts` in a flush). */
  readonly count: number;
  /** Index of the first point written. */
  readonly startIndex: number;
  /** Index of the last point written. */
  readonly endIndex: number;
};

/** Result of `stats`. */
export type TrackStats = {
  readonly trackId: string;
  readonly name: string;
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly metadata: Readonly<Record<string, unknown>> | null;
  /** Points stored in the track. */
  readonly totalDataPoints: number;
  /** Points in the hot tier (all of them in local mode). */
  readonly bufferedDataPoints: number;
  /** Points archived in cold chunks (0 in local mode). */
  readonly chunkedDataPoints: number;
  /** Cold chunks (0 in local mode). */
  readonly totalChunks: number;
  /** Points per cold chunk. */
  readonly chunkSize: number;
  /** Smallest `_ts` in the track, or null when it is empty. */
  readonly firstTs: number | null;
  /** Largest `_ts` in the track, or null when it is empty. */
  readonly lastTs: number | null;
  /** `firstTs` as ISO-8601 text, or null. */
  readonly firstDataAt: string | null;
  /** `lastTs` as ISO-8601 text, or null. */
  readonly lastDataAt: string | null;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
};
