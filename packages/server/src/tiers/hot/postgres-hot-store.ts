import pg from "pg";
import {
  ConflictError,
  InvalidArgumentError,
  type TimeQuery,
  type TimedPoint,
  type IndexedPoint,
} from "dreamlake/engine";
import { decodeHotPoint, HotPointEncoder } from "./hot-point-codec.js";
import type {
  ArchivalPlan,
  ChunkEntry,
  HotAppendResult,
  HotRows,
  HotStore,
  HotTrack,
  HotTrackFields,
  HotTrackKey,
} from "./hot-store.js";
import { staleArchivalPlan } from "./memory-hot-store.js";
import { migrate } from "./postgres-migrations.js";
import { PostgresStatements } from "./postgres-statements.js";
import {
  toChunk,
  toPlan,
  toTrack,
  type ChunkRecord,
  type PlanRecord,
  type RowsRecord,
  type TrackRecord,
} from "./postgres-rows.js";
import { postgresError } from "./postgres-errors.js";

/** Where and how to reach PostgreSQL. */
export type PostgresHotStoreOptions = {
  /** `postgres://user:password@host:port/database` (the `DATABASE_URL`). */
  readonly connectionString: string;
  /** Schema holding the tables, created when missing. @defaultValue "dreamlake" */
  readonly schema?: string;
  /** Most connections open at once. @defaultValue 10 */
  readonly maxConnections?: number;
  /** How long to wait for a connection. @defaultValue 5000 */
  readonly connectionTimeoutMs?: number;
  /** Statements running longer are cancelled (and reported as unavailable). @defaultValue 30000 */
  readonly statementTimeoutMs?: number;
};

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * {@link HotStore} on PostgreSQL: one row per track (`tracks`), one row per hot point
 * (`hot_points`, the point as msgpack, indexed by index and by `_ts`), the manifest
 * (`chunks`) and the archival plans (`archival_plans`). The schema is created and migrated
 * by {@link PostgresHotStore.open}.
 *
 * Each operation is one SQL statement (so it is atomic and reads one snapshot): an append
 * upserts the track row, which reserves the index range under the row's lock, and inserts
 * the points in the same statement.
 */
export class PostgresHotStore implements HotStore {
  readonly #pool: pg.Pool;
  readonly #s: string;
  readonly #sql: PostgresStatements;
  readonly #where: string;
  readonly #encoder = new HotPointEncoder();
  #closing: Promise<void> | undefined;

  private constructor(pool: pg.Pool, schema: string, where: string) {
    this.#pool = pool;
    this.#s = `"${schema}"`;
    this.#sql = new PostgresStatements(this.#s);
    this.#where = where;
  }

  /**
   * Connects and brings the schema up to date.
   *
   * @throws {InvalidArgumentError} when the schema name is not a plain lower-case identifier
   * @throws {UnavailableError} when the database does not answer
   */
  static async open(options: PostgresHotStoreOptions): Promise<PostgresHotStore> {
    const schema = options.schema ?? "dreamlake";
    if (!SCHEMA_NAME.test(schema)) {
      throw new InvalidArgumentError(
        `schema ${JSON.stringify(schema)} is not valid: use lower-case letters, digits and _`,
      );
    }
    const where = describeTarget(options.connectionString);
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
      statement_timeout: options.statementTimeoutMs ?? 30_000,
    });
    // An idle connection that breaks emits 'error' on the pool; unhandled, it would end
    // the process. The next query gets a fresh connection or reports the trouble itself.
    pool.on("error", () => undefined);
    const store = new PostgresHotStore(pool, schema, where);
    try {
      const client = await pool.connect();
      try {
        await migrate(client, store.#s);
      } finally {
        client.release();
      }
    } catch (error: unknown) {
      await pool.end().catch(() => undefined);
      throw postgresError(`prepare the schema ${schema} in ${where}`, error);
    }
    return store;
  }

  async append(
    key: HotTrackKey,
    points: readonly TimedPoint[],
    options: { readonly fields: HotTrackFields; readonly nowSeconds: number },
  ): Promise<HotAppendResult> {
    const timestamps: number[] = new Array<number>(points.length);
    const data: Uint8Array[] = new Array<Uint8Array>(points.length);
    let minTs = Infinity;
    let maxTs = -Infinity;
    for (let i = 0; i < points.length; i++) {
      const point = points[i] as TimedPoint;
      timestamps[i] = point._ts;
      data[i] = this.#encoder.encode(point);
      if (point._ts < minTs) minTs = point._ts;
      if (point._ts > maxTs) maxTs = point._ts;
    }
    const rows = await this.#query<TrackRecord>(
      `append ${points.length} points to track ${key.name}`,
      this.#sql.append,
      [
        key.sessionId,
        key.name,
        options.fields.description,
        options.fields.tags,
        options.fields.metadata === null ? null : JSON.stringify(options.fields.metadata),
        options.nowSeconds,
        points.length,
        minTs,
        maxTs,
        timestamps,
        data,
      ],
    );
    const track = toTrack(rows[0] as TrackRecord);
    return { track, startIndex: track.totalPoints - points.length };
  }

  async track(key: HotTrackKey): Promise<HotTrack | undefined> {
    const rows = await this.#query<TrackRecord>(`look up track ${key.name}`, this.#sql.trackByKey, [
      key.sessionId,
      key.name,
    ]);
    return rows[0] === undefined ? undefined : toTrack(rows[0]);
  }

  async trackById(trackId: string): Promise<HotTrack | undefined> {
    const rows = await this.#query<TrackRecord>(`look up track ${trackId}`, this.#sql.trackById, [
      trackId,
    ]);
    return rows[0] === undefined ? undefined : toTrack(rows[0]);
  }

  async tracks(sessionId: string): Promise<readonly HotTrack[]> {
    const rows = await this.#query<TrackRecord>(
      `list the tracks of session ${sessionId}`,
      this.#sql.tracksOfSession,
      [sessionId],
    );
    return rows.map(toTrack);
  }

  async readByIndex(trackId: string, startIndex: number, limit: number): Promise<HotRows> {
    // One statement, one snapshot: the rows and the counters agree.
    const rows = await this.#query<RowsRecord>(
      `read track ${trackId} from index ${startIndex}`,
      this.#sql.readByIndex,
      [trackId, startIndex, limit],
    );
    return this.#toPoints(trackId, rows);
  }

  async readByTime(trackId: string, query: TimeQuery): Promise<HotRows> {
    const rows = await this.#query<RowsRecord>(
      `read track ${trackId} by time`,
      this.#sql.readByTime(query.reverse),
      [trackId, query.startTime ?? -Infinity, query.endTime ?? Infinity, query.limit],
    );
    return this.#toPoints(trackId, rows);
  }

  async manifest(trackId: string): Promise<readonly ChunkEntry[]> {
    const rows = await this.#query<ChunkRecord>(
      `read the manifest of track ${trackId}`,
      this.#sql.manifest,
      [trackId],
    );
    return rows.map(toChunk);
  }

  async tracksToArchive(chunkSize: number, limit: number): Promise<readonly string[]> {
    const rows = await this.#query<{ id: string }>(
      "find tracks to archive",
      this.#sql.tracksToArchive,
      [chunkSize, limit],
    );
    return rows.map((row) => row.id);
  }

  async archivalPlan(trackId: string): Promise<ArchivalPlan | undefined> {
    const rows = await this.#query<PlanRecord>(
      `read the archival plan of track ${trackId}`,
      this.#sql.archivalPlan,
      [trackId],
    );
    return rows[0] === undefined ? undefined : toPlan(rows[0]);
  }

  async beginArchival(trackId: string, plan: ArchivalPlan): Promise<ArchivalPlan> {
    await this.#query(`record the archival plan of track ${trackId}`, this.#sql.beginArchival, [
      trackId,
      plan.chunkNumber,
      plan.startIndex,
      plan.endIndex,
      plan.key,
    ]);
    // A separate statement: it sees the plan of a concurrent archiver that won the insert.
    const recorded = await this.archivalPlan(trackId);
    if (recorded === undefined) throw staleArchivalPlan(trackId, plan);
    return recorded;
  }

  async abandonArchival(trackId: string, plan: ArchivalPlan): Promise<void> {
    await this.#query(`abandon the archival plan of track ${trackId}`, this.#sql.abandonArchival, [
      trackId,
      plan.chunkNumber,
      plan.startIndex,
      plan.endIndex,
      plan.key,
    ]);
  }

  async commitChunk(trackId: string, entry: ChunkEntry): Promise<void> {
    const inserted = await this.#query(
      `commit chunk ${entry.chunkNumber} of track ${trackId}`,
      this.#sql.commitChunk,
      [
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
      ],
    );
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
    // One statement: the rows go, the counter moves and the plan is cleared together, and
    // only when the manifest covers the rows.
    const rows = await this.#query<{ covered: string }>(
      `drop the archived hot points of track ${trackId} below index ${endIndex}`,
      this.#sql.dropArchivedRows,
      [trackId, endIndex],
    );
    if (Number(rows[0]?.covered ?? 0) === 0) {
      throw new ConflictError(
        `no archived chunk of track ${trackId} ends at index ${endIndex - 1}: its hot points stay`,
      );
    }
  }

  /** Closes the pool (waits for running statements). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#pool.end().catch(() => undefined);
    return this.#closing;
  }

  async #query<R extends pg.QueryResultRow>(
    what: string,
    text: string,
    values: readonly unknown[],
  ): Promise<R[]> {
    try {
      const result = await this.#pool.query<R>(text, values as unknown[]);
      return result.rows;
    } catch (error: unknown) {
      throw postgresError(`${what} in ${this.#where}`, error);
    }
  }

  #toPoints(trackId: string, rows: readonly RowsRecord[]): HotRows {
    const first = rows[0];
    if (first === undefined) return { rows: [], hotStartIndex: 0, totalPoints: 0 };
    const out: IndexedPoint[] = [];
    for (const row of rows) {
      if (row.idx === null || row.data === null) continue;
      const index = Number(row.idx);
      // A plain Uint8Array view: binary fields decoded from a Buffer would be Buffers.
      const bytes = new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength);
      out.push({ index, data: decodeHotPoint(bytes, `track ${trackId} index ${index}`) });
    }
    return {
      rows: out,
      hotStartIndex: Number(first.hot_start),
      totalPoints: Number(first.total_points),
    };
  }
}

/** `host:port/database` of a connection string, without the credentials. */
function describeTarget(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `PostgreSQL at ${url.host}${url.pathname}`;
  } catch {
    return "PostgreSQL";
  }
}
