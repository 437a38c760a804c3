/**
 * The hot tier's port: the recent points of every track, the tracks' descriptive fields,
 * the per-track manifest of chunks archived to the cold tier, and the archival state that
 * makes archiving crash-safe. `PostgresHotStore` and `MemoryHotStore` implement it; a
 * MongoDB adapter would implement the same interface (nothing here assumes SQL) and pass
 * the same contract suite (`test/hot-store-contract.ts`).
 *
 * @module
 */
import type { TimeQuery, TimedPoint, IndexedPoint } from "dreamlake/engine";
import type { RequestKey } from "../../idempotency/request-key.js";
import type { ChunkSummary } from "../chunk-summary.js";

/**
 * Most points in one hot batch: a larger append is stored as several batches, so that a
 * read decodes a bounded number of points (the engine's record size).
 */
export const MAX_BATCH_POINTS = 4096;

/** Names one track: the session it belongs to and its name in that session. */
export type HotTrackKey = {
  readonly sessionId: string;
  readonly name: string;
};

/** Descriptive fields of a track, given by the append that creates it. */
export type HotTrackFields = {
  readonly description: string | null;
  readonly tags: readonly string[];
  /** A JSON object, stored as given. */
  readonly metadata: Readonly<Record<string, unknown>> | null;
};

/** One track as the hot tier knows it. */
export type HotTrack = HotTrackKey &
  HotTrackFields & {
    /** Stable opaque id, assigned when the track is created. */
    readonly trackId: string;
    /** Seconds since the epoch. */
    readonly createdAtSeconds: number;
    /** Seconds since the epoch of the last append. */
    readonly updatedAtSeconds: number;
    /** Points ever appended: the next point gets this index. */
    readonly totalPoints: number;
    /**
     * Index of the oldest point still in the hot tier: points below it were archived (and
     * are listed in the manifest). `totalPoints - hotStartIndex` points are hot.
     */
    readonly hotStartIndex: number;
    /** Smallest `_ts` ever appended (archived points included), or null when empty. */
    readonly minTs: number | null;
    /** Largest `_ts` ever appended, or null when empty. */
    readonly maxTs: number | null;
  };

/** An append's request key (see {@link RequestKey}): recorded with its points. */
export type AppendRequest = RequestKey;

/** What {@link HotStore.append} reports. */
export type HotAppendResult = {
  /** The track after the append. */
  readonly track: HotTrack;
  /** Index of the first appended point. */
  readonly startIndex: number;
  /**
   * True when the request key was recorded already: nothing was stored now, and
   * `startIndex` is the one the first append got.
   */
  readonly isRepeat: boolean;
};

/** Hot points read back, with the track's counters as of the same instant. */
export type HotRows = {
  readonly rows: readonly IndexedPoint[];
  /** `hotStartIndex` at the moment the rows were read. */
  readonly hotStartIndex: number;
  /** `totalPoints` at the moment the rows were read. */
  readonly totalPoints: number;
};

/**
 * One stored batch of hot points, as it is stored: the track-format records of points
 * `startIndex..endIndex`, so that the archiver copies them into a chunk without decoding them.
 */
export type HotBatch = {
  readonly startIndex: number;
  /** Inclusive. */
  readonly endIndex: number;
  /** Smallest `_ts` of the batch's points. */
  readonly minTs: number;
  /** Largest `_ts` of the batch's points. */
  readonly maxTs: number;
  /** The points as track-format records (see `track-records.ts`). */
  readonly records: Uint8Array;
};

/** Stored batches read back, with the track's counters as of the same instant. */
export type HotBatches = {
  readonly batches: readonly HotBatch[];
  /** `hotStartIndex` at the moment the batches were read. */
  readonly hotStartIndex: number;
  /** `totalPoints` at the moment the batches were read. */
  readonly totalPoints: number;
};

/** One chunk archived to the cold tier: one object holding points `startIndex..endIndex`. */
export type ChunkEntry = {
  /** 0, 1, 2, ... in index order. */
  readonly chunkNumber: number;
  readonly startIndex: number;
  /** Inclusive. */
  readonly endIndex: number;
  /** `endIndex - startIndex + 1`. */
  readonly count: number;
  /** Smallest `_ts` in the chunk. */
  readonly minTs: number;
  /** Largest `_ts` in the chunk. */
  readonly maxTs: number;
  /** Object key in the cold tier. */
  readonly key: string;
  /** Size of the object in bytes. */
  readonly byteSize: number;
  /** `sha256:<hex>` of the object's bytes. */
  readonly checksum: string;
  /**
   * What a downsample adds for the chunk's points when they fall in one bucket, so that it
   * need not fetch the chunk. Absent for chunks archived before summaries were kept (and for
   * points a summary would not describe exactly, see `summarizeChunk`): those are read by
   * their points. Derived from the points, so it plays no part in telling whether two
   * entries describe the same chunk.
   */
  readonly summary?: ChunkSummary;
};

/** An archival in progress: which points go to which object. Recorded before the upload. */
export type ArchivalPlan = {
  readonly chunkNumber: number;
  readonly startIndex: number;
  /** Inclusive. */
  readonly endIndex: number;
  readonly key: string;
};

/**
 * Where the recent points live. Every operation is atomic on its own; the archival steps
 * (`beginArchival`, `commitChunk`, `dropArchivedRows`) are idempotent, so an archiver that
 * crashed at any step can repeat the whole sequence and neither lose nor duplicate a point.
 *
 * Contract (what `describeHotStore` checks):
 * - `append` stores the points after every point appended before, as given (no merging,
 *   no reordering), and creates the track with `fields` if it does not exist (fields of
 *   later appends are ignored). Concurrent appends to one track get disjoint, contiguous
 *   index ranges covering `0..total-1`; every point is visible to reads once the call
 *   resolves. Every point has a finite numeric `_ts` (the caller checked). An append with
 *   a request key already recorded stores nothing (see {@link AppendRequest}).
 * - Reads see one consistent state: the rows and the counters of a {@link HotRows} come
 *   from the same instant, so every index below `hotStartIndex` is in the manifest.
 * - `readByIndex` returns hot points with `index >= startIndex` in index order, at most
 *   `limit` (`readBatches` the stored batches holding a range of them, whose records decode
 *   to the same points); `readByTime` hot points with `startTime <= _ts < endTime` (absent bounds are
 *   open) ordered by `_ts` (descending with `reverse`), equal `_ts` in index order, at most
 *   `limit`. Neither ever returns an archived point.
 * - `manifest` gives each entry back as committed, its summary included (equal numbers,
 *   `-0` and infinities too); an entry committed without a summary comes back without one.
 * - The manifest only grows, one chunk at a time, in index order with no gap:
 *   `commitChunk` accepts chunk `n` only when it starts right after chunk `n - 1` (or at 0);
 *   committing the same entry again is a no-op and a different entry for an existing
 *   number is a `ConflictError`.
 * - `dropArchivedRows(track, end)` deletes the hot points below `end` only when a chunk of
 *   the manifest ends at `end - 1`, moves `hotStartIndex` up to `end` (never down) and
 *   clears an archival plan that ends before `end`.
 *
 * @throws {UnavailableError} from any call on transient trouble (the database is down);
 *   an append that failed this way may or may not be stored
 */
export interface HotStore {
  /**
   * Appends points to a track, creating it on first use. `points` is not empty. With a
   * `request`, the points and the request's record are stored together: a later append with
   * the same scope and key (unexpired) stores nothing and reports the first start index.
   */
  append(
    key: HotTrackKey,
    points: readonly TimedPoint[],
    options: {
      readonly fields: HotTrackFields;
      readonly nowSeconds: number;
      readonly request?: AppendRequest | undefined;
    },
  ): Promise<HotAppendResult>;

  /** One track, or `undefined` when nothing was appended to it. */
  track(key: HotTrackKey): Promise<HotTrack | undefined>;

  /** The same track by id (after a track was found by key). */
  trackById(trackId: string): Promise<HotTrack | undefined>;

  /** The tracks of a session, sorted by name (code-unit order). */
  tracks(sessionId: string): Promise<readonly HotTrack[]>;

  /** Hot points from `startIndex` in index order, at most `limit` (any positive number). */
  readByIndex(trackId: string, startIndex: number, limit: number): Promise<HotRows>;

  /** Hot points in a time range, in time order, at most `query.limit`. */
  readByTime(trackId: string, query: TimeQuery): Promise<HotRows>;

  /**
   * The stored batches that hold hot points `startIndex..endIndex` (inclusive), in index
   * order, records as stored: the first may start before `startIndex` and the last end after
   * `endIndex`. A batch dropped by archival is left out (its points are below the counters'
   * `hotStartIndex`). For the archiver, which copies whole batches into a chunk.
   */
  readBatches(trackId: string, startIndex: number, endIndex: number): Promise<HotBatches>;

  /** The track's archived chunks, in chunk order. */
  manifest(trackId: string): Promise<readonly ChunkEntry[]>;

  /**
   * Tracks that need the archiver: those with at least `chunkSize` hot points or an
   * archival plan (an archiver records its plan before it commits a chunk and the plan
   * goes with the hot points, so a crash between the two leaves the plan). At most `limit`.
   */
  tracksToArchive(chunkSize: number, limit: number): Promise<readonly string[]>;

  /** The recorded archival plan of a track, if any. */
  archivalPlan(trackId: string): Promise<ArchivalPlan | undefined>;

  /**
   * Records `plan` as the track's archival in progress, unless one is recorded already;
   * returns the plan in force (the recorded one wins, so a resumed archival uploads the
   * same points under the same key). A new plan is recorded only when it continues the
   * manifest: its chunk number is the number of committed chunks and it starts where they
   * end, at `hotStartIndex` (so an archiver that read a stale state records nothing).
   *
   * @throws {ConflictError} when no plan is recorded and `plan` does not continue the manifest
   */
  beginArchival(trackId: string, plan: ArchivalPlan): Promise<ArchivalPlan>;

  /**
   * Deletes the recorded archival plan if it equals `plan` (an archiver drops a plan that
   * no longer follows the manifest; such a plan can never be committed). Idempotent.
   */
  abandonArchival(trackId: string, plan: ArchivalPlan): Promise<void>;

  /**
   * Adds a chunk to the manifest (see the contract for idempotence and order).
   *
   * @throws {ConflictError} when the entry does not continue the manifest or differs from
   *   the committed entry with the same number
   */
  commitChunk(trackId: string, entry: ChunkEntry): Promise<void>;

  /**
   * Deletes the hot points below `endIndex` (exclusive) once the manifest covers them, and
   * clears the archival plan. Idempotent.
   *
   * @throws {ConflictError} when no chunk of the manifest ends at `endIndex - 1`
   */
  dropArchivedRows(trackId: string, endIndex: number): Promise<void>;

  /**
   * Takes (or renews) the archival lease of a track for `holder` until `ttlMs` from now:
   * while it holds, no other holder gets it, so one replica archives a given track at a
   * time. A lease whose holder died expires and is taken over. (The archival steps stay safe
   * without it: the lease saves work, never correctness.)
   *
   * @returns whether `holder` holds the lease now
   */
  takeArchivalLease(trackId: string, holder: string, ttlMs: number): Promise<boolean>;

  /** Gives the lease up if `holder` holds it. */
  releaseArchivalLease(trackId: string, holder: string): Promise<void>;

  /** Releases connections. Idempotent; no call may follow. */
  close(): Promise<void>;
}
