import type { ColumnBatch, ScanQuery } from "../core/column-batch.js";
import type { DownsampleQuery, DownsampleResult } from "../core/downsample.js";
import type { PointColumns } from "../core/point-columns.js";
import type { IndexQuery, TimeQuery } from "../core/read-options.js";
import type {
  AppendOptions,
  AppendResult,
  ReadResult,
  TimeReadResult,
  TrackStats,
} from "../core/track-results.js";

/**
 * Where a session's track points go and come from: the local engine, a dreamlake
 * server, or both (hybrid). The session layer (buffering, `_ts` rules, merging) sits
 * above this port and is the same in every mode.
 */
export interface TrackBackend {
  /** Writes points (already checked and merged) after everything written before. */
  append(track: string, points: PointColumns, options?: AppendOptions): Promise<AppendResult>;
  read(track: string, query: IndexQuery): Promise<ReadResult>;
  readByTime(track: string, query: TimeQuery): Promise<TimeReadResult>;
  /** Statistics of the numeric fields per time bucket (an empty result for an unknown track). */
  downsample(track: string, query: DownsampleQuery): Promise<DownsampleResult>;
  /** Every point (or those in a time range) in index order, as columns, a batch at a time. */
  scanColumns(track: string, query: ScanQuery): AsyncIterable<ColumnBatch>;
  /** @throws {NotFoundError} when the track has never been written */
  stats(track: string): Promise<TrackStats>;
  /** Names of the session's tracks, sorted. */
  list(): Promise<string[]>;
  /**
   * Waits until the points written to `track` reached every store (hybrid mode: the
   * server, which gets them in the background). Absent where a write is complete when
   * `append` resolves.
   *
   * @throws {UnavailableError} naming the points not sent, when the server stays away
   */
  drain?(track: string): Promise<void>;
  /** Releases resources. Idempotent. */
  close(): Promise<void>;
}
