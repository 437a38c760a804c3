import {
  ConflictError,
  CorruptDataError,
  TimeSelection,
  type TimeQuery,
  type Point,
  type TimedPoint,
  type IndexedPoint,
} from "dreamlake/engine";
import {
  isDivisionByZero,
  PostgresDatabase,
  type PostgresDatabaseOptions,
} from "../../postgres/postgres-database.js";
import { encodeChunkSummary } from "../chunk-summary-codec.js";
import { readTrackRecords, recordWriter, writeTrackRecords } from "../track-records.js";
import { selectBatches, type BatchSpan } from "./batch-selection.js";
import {
  MAX_BATCH_POINTS,
  type AppendRequest,
  type ArchivalPlan,
  type ChunkEntry,
  type HotAppendResult,
  type HotBatch,
  type HotBatches,
  type HotRows,
  type HotStore,
  type HotTrack,
  type HotTrackFields,
  type HotTrackKey,
} from "./hot-store.js";
import { staleArchivalPlan } from "./memory-hot-store.js";
import { PostgresStatements } from "./postgres-statements.js";
import {
  toChunk,
  toPlan,
  toTrack,
  type BatchRangeRecord,
  type BatchRecord,
  type ChunkRecord,
  type PlanRecord,
  type SpanRecord,
  type TrackRecord,
} from "./postgres-rows.js";

/** Where and how to reach PostgreSQL (see {@link PostgresDatabaseOptions}). */
export type PostgresHotStoreOptions = PostgresDatabaseOptions;

/** The index range and records of the batches of one append. */
type EncodedBatches = {
  readonly first: number[];
  readonly last: number[];
  readonly minTs: number[];
  readonly maxTs: number[];
  /** The records of every batch, one after the other. */
  readonly bytes: Buffer;
  /** Where each batch's records start in `bytes` (1-based, as SQL counts). */
  readonly byteStart: number[];
  readonly byteCount: number[];
  readonly smallestTs: number;
  readonly largestTs: number;
};

/**
 * {@link HotStore} on PostgreSQL: one row per track (`tracks`), one row per appended batch
 * of points (`hot_batches`: the points as track-format records, with the index range and
 * the smallest and largest `_ts`, B-tree indexes on each), the manifest (`chunks`) and the
 * archival plans (`archival_plans`).
 *
 * Each write is one SQL statement (so it is atomic): an append upserts the track row,
 * which reserves the index range under the row's lock (appends to one track from every
 * replica are ordered by it), and inserts the batches in the same statement. A read by
 * index is one statement too; a read by time is two (the candidate batches' ranges, then
 * the batches it needs), and takes the counters from the second.
 */
export class PostgresHotStore implements HotStore {
  readonly #db: PostgresDatabase;
  readonly #ownsDatabase: boolean;
  readonly #sql: PostgresStatements;
  #closing: Promise<void> | undefined;

  constructor(db: PostgresDatabase, options: { readonly ownsDatabase?: boolean } = {}) {
    this.#db = db;
    this.#ownsDatabase = options.ownsDatabase ?? false;
    this.#sql = new PostgresStatements(db.schema);
  }

  /**
   * Connects, brings the schema up to date, and returns a store that closes the database
   * with itself.
   *
   * @throws {InvalidArgumentError} when the schema name is not a plain lower-case identifier
   * @throws {UnavailableError} when the database does not answer
   */
  static async open(options: PostgresHotStoreOptions): Promise<PostgresHotStore> {
    return new PostgresHotStore(await PostgresDatabase.open(options), { ownsDatabase: true });
  }

  async append(
    key: HotTrackKey,
    points: readonly TimedPoint[],
    options: {
      readonly fields: HotTrackFields;
      readonly nowSeconds: number;
      readonly request?: AppendRequest | undefined;
    },
  ): Promise<HotAppendResult> {
    const batches = encodeBatches(points);
    const values: unknown[] = [
      key.sessionId,
      key.name,
      options.fields.description,
      options.fields.tags,
      options.fields.metadata === null ? null : JSON.stringify(options.fields.metadata),
      options.nowSeconds,
      points.length,
      batches.smallestTs,
      batches.largestTs,
      batches.first,
      batches.last,
      batches.minTs,
      batches.maxTs,
      batches.bytes,
      batches.byteStart,
      batches.byteCount,
    ];
    const what = `append ${points.length} points to track ${key.name}`;
    const request = options.request;
    if (request === undefined) {
      const rows = await this.#db.query<TrackRecord>(what, {
        name: `${this.#db.schema}.append`,
        text: this.#sql.append,
        values,
      });
      const track = toTrack(rows[0] as TrackRecord);
      return { track, startIndex: track.totalPoints - points.length, isRepeat: false };
    }
    try {
      const rows = await this.#db.query<TrackRecord>(what, {
        name: `${this.#db.schema}.appendOnce`,
        text: this.#sql.appendOnce,
        values: [
          ...values,
          request.scope,
          request.key,
          request.expiresAtSeconds,
          options.nowSeconds,
        ],
      });
      const track = toTrack(rows[0] as TrackRecord);
      return { track, startIndex: track.totalPoints - points.length, isRepeat: false };
    } catch (error: unknown) {
      if (!isDivisionByZero(error)) throw error;
      return this.#repeated(key, request);
    }
  }

  async track(key: HotTrackKey): Promise<HotTrack | undefined> {
    const rows = await this.#db.query<TrackRecord>(`look up track ${key.name}`, {
      name: `${this.#db.schema}.trackByKey`,
      text: this.#sql.trackByKey,
      values: [key.sessionId, key.name],
    });
    return rows[0] === undefined ? undefined : toTrack(rows[0]);
  }

  async trackById(trackId: string): Promise<HotTrack | undefined> {
    const rows = await this.#db.query<TrackRecord>(`look up track ${trackId}`, {
      text: this.#sql.trackById,
      values: [trackId],
    });
    return rows[0] === undefined ? undefined : toTrack(rows[0]);
  }

  async tracks(sessionId: string): Promise<readonly HotTrack[]> {
    const rows = await this.#db.query<TrackRecord>(`list the tracks of session ${sessionId}`, {
      text: this.#sql.tracksOfSession,
      values: [sessionId],
    });
    return rows.map(toTrack);
  }

  async readByIndex(trackId: string, startIndex: number, limit: number): Promise<HotRows> {
    // One statement, one snapshot: the batches and the counters agree.
    const rows = await this.#db.query<BatchRecord>(
      `read track ${trackId} from index ${startIndex}`,
      {
        name: `${this.#db.schema}.batchesByIndex`,
        text: this.#sql.batchesByIndex,
        values: [trackId, startIndex, limit],
      },
    );
    const counters = countersOf(rows);
    const from = Math.max(startIndex, counters.hotStartIndex);
    const out: IndexedPoint[] = [];
    for (const row of rows) {
      if (row.start_index === null || row.data === null) continue;
      const first = Number(row.start_index);
      const points = decodeBatch(trackId, first, row.data);
      for (let i = Math.max(0, from - first); i < points.length; i++) {
        if (out.length === limit) break;
        out.push({ index: first + i, data: points[i] as Point });
      }
    }
    return { rows: out, ...counters };
  }

  async readByTime(trackId: string, query: TimeQuery): Promise<HotRows> {
    const start = query.startTime ?? -Infinity;
    const end = query.endTime ?? Infinity;
    const spans = await this.#db.query<SpanRecord>(`find the batches of track ${trackId} by time`, {
      name: `${this.#db.schema}.batchSpans`,
      text: this.#sql.batchSpans,
      values: [trackId, start, end],
    });
    const firstIndex = countersOf(spans).hotStartIndex;
    const chosen = selectBatches(spans.flatMap(toSpan), query, firstIndex);
    if (chosen.length === 0) return { rows: [], ...countersOf(spans) };
    // The archiver may have dropped a chosen batch meanwhile: its points are then below the
    // counters of this second read, and the caller takes them from the cold tier.
    const rows = await this.#db.query<BatchRecord>(`read the batches of track ${trackId}`, {
      name: `${this.#db.schema}.batchesByStart`,
      text: this.#sql.batchesByStart,
      values: [trackId, chosen.map((batch) => batch.startIndex)],
    });
    const counters = countersOf(rows);
    const selection = new TimeSelection(query.limit, query.reverse);
    for (const row of rows) {
      if (row.start_index === null || row.data === null) continue;
      const first = Number(row.start_index);
      const points = decodeBatch(trackId, first, row.data);
      for (let i = Math.max(0, counters.hotStartIndex - first); i < points.length; i++) {
        const point = points[i] as Point;
        const ts = point["_ts"] as number;
        if (ts >= start && ts < end) selection.offer(ts, first + i, point);
      }
    }
    // The selection keeps one row more than asked (for its own hasMore): the caller asks
    // for what it needs.
    return { rows: selection.result().points.slice(0, query.limit), ...counters };
  }

  async readBatches(trackId: string, startIndex: number, endIndex: number): Promise<HotBatches> {
    // One statement, one snapshot: the batches and the counters agree.
    const rows = await this.#db.query<BatchRangeRecord>(
      `read the batches of track ${trackId} from index ${startIndex} to ${endIndex}`,
      {
        name: `${this.#db.schema}.batchRecords`,
        text: this.#sql.batchRecords,
        values: [trackId, startIndex, endIndex],
      },
    );
    const batches: HotBatch[] = [];
    for (const row of rows) {
      if (row.start_index === null || row.end_index === null || row.data === null) continue;
      const data = row.data;
      batches.push({
        startIndex: Number(row.start_index),
        endIndex: Number(row.end_index),
        minTs: row.min_ts ?? 0,
        maxTs: row.max_ts ?? 0,
        records: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      });
    }
    return { batches, ...countersOf(rows) };
  }

  async manifest(trackId: string): Promise<readonly ChunkEntry[]> {
    const rows = await this.#db.query<ChunkRecord>(`read the manifest of track ${trackId}`, {
      name: `${this.#db.schema}.manifest`,
      text: this.#sql.manifest,
      values: [trackId],
    });
    return rows.map(toChunk);
  }

  async tracksToArchive(chunkSize: number, limit: number): Promise<readonly string[]> {
    const rows = await this.#db.query<{ id: string }>("find tracks to archive", {
      text: this.#sql.tracksToArchive,
      values: [chunkSize, limit],
    });
    return rows.map((row) => row.id);
  }

  async archivalPlan(trackId: string): Promise<ArchivalPlan | undefined> {
    const rows = await this.#db.query<PlanRecord>(`read the archival plan of track ${trackId}`, {
      text: this.#sql.archivalPlan,
      values: [trackId],
    });
    return rows[0] === undefined ? undefined : toPlan(rows[0]);
  }

  async beginArchival(trackId: string, plan: ArchivalPlan): Promise<ArchivalPlan> {
    await this.#db.query(`record the archival plan of track ${trackId}`, {
      text: this.#sql.beginArchival,
      values: [trackId, plan.chunkNumber, plan.startIndex, plan.endIndex, plan.key],
    });
    // A separate statement: it sees the plan of a concurrent archiver that won the insert.
    const recorded = await this.archivalPlan(trackId);
    if (recorded === undefined) throw staleArchivalPlan(trackId, plan);
    return recorded;
  }

  async abandonArchival(trackId: string, plan: ArchivalPlan): Promise<void> {
    await this.#db.query(`abandon the archival plan of track ${trackId}`, {
      text: this.#sql.abandonArchival,
      values: [trackId, plan.chunkNumber, plan.startIndex, plan.endIndex, plan.key],
    });
  }

  async commitChunk(trackId: string, entry: ChunkEntry): Promise<void> {
    const inserted = await this.#db.query(`commit chunk ${entry.chunkNumber} of track ${trackId}`, {
      text: this.#sql.commitChunk,
      values: [
        trackId,
        entry.chunkNumber,
        entry.startIndex,
        entry.endIndex,
        entry.count,
        entry.minTs,
        entry.maxTs,
        entry.key,
        entry.byteSize,
        entry.checksum,
        entry.summary === undefined ? null : encodeChunkSummary(entry.summary),
      ],
    });
    if (inserted.length === 1) return;
    const committed = (await this.manifest(trackId))[entry.chunkNumber];
    if (committed === undefined) {
      throw new ConflictError(
        `chunk ${entry.chunkNumber} of track ${trackId} (indexes ${entry.startIndex}..${entry.endIndex}) does not continue its manifest`,
      );
    }
    if (
      committed.startIndex !== entry.startIndex ||
      committed.endIndex !== entry.endIndex ||
      committed.key !== entry.key ||
      committed.checksum !== entry.checksum ||
      committed.byteSize !== entry.byteSize
    ) {
      throw new ConflictError(
        `chunk ${entry.chunkNumber} of track ${trackId} is already committed as ${committed.key} (indexes ${committed.startIndex}..${committed.endIndex}), not as ${entry.key}`,
      );
    }
  }

  async dropArchivedRows(trackId: string, endIndex: number): Promise<void> {
    // One statement: the batches go, the counter moves and the plan is cleared together, and
    // only when the manifest covers the points.
    const rows = await this.#db.query<{ covered: string }>(
      `drop the archived hot points of track ${trackId} below index ${endIndex}`,
      { text: this.#sql.dropArchivedRows, values: [trackId, endIndex] },
    );
    if (Number(rows[0]?.covered ?? 0) === 0) {
      throw new ConflictError(
        `no archived chunk of track ${trackId} ends at index ${endIndex - 1}: its hot points stay`,
      );
    }
  }

  async takeArchivalLease(trackId: string, holder: string, ttlMs: number): Promise<boolean> {
    const rows = await this.#db.query(`take the archival lease of track ${trackId}`, {
      text: this.#sql.takeLease,
      values: [trackId, holder, ttlMs],
    });
    return rows.length === 1;
  }

  async releaseArchivalLease(trackId: string, holder: string): Promise<void> {
    await this.#db.query(`release the archival lease of track ${trackId}`, {
      text: this.#sql.releaseLease,
      values: [trackId, holder],
    });
  }

  /** Closes the database when this store opened it (waits for running statements). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#ownsDatabase ? this.#db.close() : Promise.resolve();
    return this.#closing;
  }

  /** The answer to an append whose request key was recorded: the first append's start. */
  async #repeated(key: HotTrackKey, request: AppendRequest): Promise<HotAppendResult> {
    const rows = await this.#db.query<{ result: { trackId: string; startIndex: number } | null }>(
      `read the recorded append of key ${request.key}`,
      { text: this.#sql.recordedResult, values: [request.scope, request.key] },
    );
    const result = rows[0]?.result ?? undefined;
    const track = await this.track(key);
    if (result === undefined || track === undefined || track.trackId !== result.trackId) {
      throw new ConflictError(
        `Idempotency-Key ${request.key} was used for another request than this append to track ${key.name}`,
      );
    }
    return { track, startIndex: result.startIndex, isRepeat: true };
  }
}

/** Splits points into batches of at most {@link MAX_BATCH_POINTS}, as track-format records. */
function encodeBatches(points: readonly TimedPoint[]): EncodedBatches {
  const writer = recordWriter(points.length * 32);
  const first: number[] = [];
  const last: number[] = [];
  const minTs: number[] = [];
  const maxTs: number[] = [];
  const byteStart: number[] = [];
  const byteCount: number[] = [];
  let smallest = Infinity;
  let largest = -Infinity;
  for (let from = 0; from < points.length; from += MAX_BATCH_POINTS) {
    const to = Math.min(points.length, from + MAX_BATCH_POINTS);
    const start = writer.length;
    const written = writeTrackRecords(writer, points, from, to);
    first.push(from);
    last.push(to - 1);
    minTs.push(written.minTs);
    maxTs.push(written.maxTs);
    byteStart.push(start + 1);
    byteCount.push(writer.length - start);
    smallest = Math.min(smallest, written.minTs);
    largest = Math.max(largest, written.maxTs);
  }
  const view = writer.view();
  return {
    first,
    last,
    minTs,
    maxTs,
    bytes: Buffer.from(view.buffer, view.byteOffset, view.byteLength),
    byteStart,
    byteCount,
    smallestTs: smallest,
    largestTs: largest,
  };
}

/** The points of one stored batch. */
function decodeBatch(trackId: string, startIndex: number, data: Buffer): Point[] {
  // A plain Uint8Array view: binary fields decoded from a Buffer would be Buffers.
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return readTrackRecords(
    bytes,
    (problem, offset) =>
      new CorruptDataError(
        `the hot batch of track ${trackId} from index ${startIndex}: ${problem}`,
        { details: { trackId, startIndex, offset } },
      ),
  );
}

/** The track's counters in the rows of a read (zero when the track does not exist). */
function countersOf(rows: readonly { hot_start: string; total_points: string }[]): {
  hotStartIndex: number;
  totalPoints: number;
} {
  const first = rows[0];
  return first === undefined
    ? { hotStartIndex: 0, totalPoints: 0 }
    : { hotStartIndex: Number(first.hot_start), totalPoints: Number(first.total_points) };
}

function toSpan(row: SpanRecord): BatchSpan[] {
  if (row.start_index === null || row.end_index === null) return [];
  return [
    {
      startIndex: Number(row.start_index),
      endIndex: Number(row.end_index),
      minTs: row.min_ts ?? 0,
      maxTs: row.max_ts ?? 0,
    },
  ];
}
