import pg from "pg";
import {
  ConflictError,
  InvalidArgumentError,
  type TimeQuery,
  type TrackPoint,
  type TrackRow,
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
import { migrate } from "./postgres-migrations.js";
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

type TrackRecord = {
  id: string;
  session_id: string;
  name: string;
  description: string | null;
  tags: string[];
  metadata: Record<string, unknown> | null;
  created_at: number;
  updated_at: number;
  total_points: string;
  hot_start: string;
  min_ts: number | null;
  max_ts: number | null;
};

type ChunkRecord = {
  chunk_number: number;
  start_index: string;
  end_index: string;
  point_count: number;
  min_ts: number;
  max_ts: number;
  object_key: string;
  byte_size: string;
  checksum: string;
};

type PlanRecord = {
  chunk_number: number;
  start_index: string;
  end_index: string;
  object_key: string;
};

type RowsRecord = {
  hot_start: string;
  total_points: string;
  idx: string | null;
  data: Buffer | null;
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
  readonly #where: string;
  readonly #encoder = new HotPointEncoder();
  #closing: Promise<void> | undefined;

  private constructor(pool: pg.Pool, schema: string, where: string) {
    this.#pool = pool;
    this.#s = `"${schema}"`;
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
    points: readonly TrackPoint[],
    options: { readonly fields: HotTrackFields; readonly nowSeconds: number },
  ): Promise<HotAppendResult> {
    const timestamps: number[] = new Array<number>(points.length);
    const data: Uint8Array[] = new Array<Uint8Array>(points.length);
    let minTs = Infinity;
    let maxTs = -Infinity;
    for (let i = 0; i < points.length; i++) {
      const point = points[i] as TrackPoint;
      timestamps[i] = point._ts;
      data[i] = this.#encoder.encode(point);
      if (point._ts < minTs) minTs = point._ts;
      if (point._ts > maxTs) maxTs = point._ts;
    }
    const s = this.#s;
    const rows = await this.#query<TrackRecord>(
      `append ${points.length} points to track ${key.name}`,
      `WITH upserted AS (
        INSERT INTO ${s}.tracks AS t
          (session_id, name, description, tags, metadata, created_at, updated_at, total_points, min_ts, max_ts)
        VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9)
        ON CONFLICT (session_id, name) DO UPDATE SET
          total_points = t.total_points + EXCLUDED.total_points,
          updated_at = EXCLUDED.updated_at,
          min_ts = LEAST(t.min_ts, EXCLUDED.min_ts),
          max_ts = GREATEST(t.max_ts, EXCLUDED.max_ts)
        RETURNING t.*
      ), inserted AS (
        INSERT INTO ${s}.hot_points (track_id, idx, ts, data)
        SELECT u.id, u.total_points - $7 + p.ord - 1, p.ts, p.data
        FROM upserted u, unnest($10::float8[], $11::bytea[]) WITH ORDINALITY AS p (ts, data, ord)
      )
      SELECT * FROM upserted`,
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
    const rows = await this.#query<TrackRecord>(
      `look up track ${key.name}`,
      `SELECT * FROM ${this.#s}.tracks WHERE session_id = $1 AND name = $2`,
      [key.sessionId, key.name],
    );
    return rows[0] === undefined ? undefined : toTrack(rows[0]);
  }

  async trackById(trackId: string): Promise<HotTrack | undefined> {
    const rows = await this.#query<TrackRecord>(
      `look up track ${trackId}`,
      `SELECT * FROM ${this.#s}.tracks WHERE id = $1`,
      [trackId],
    );
    return rows[0] === undefined ? undefined : toTrack(rows[0]);
  }

  async tracks(sessionId: string): Promise<readonly HotTrack[]> {
    const rows = await this.#query<TrackRecord>(
      `list the tracks of session ${sessionId}`,
      `SELECT * FROM ${this.#s}.tracks WHERE session_id = $1 ORDER BY name COLLATE "C"`,
      [sessionId],
    );
    return rows.map(toTrack);
  }

  async readByIndex(trackId: string, startIndex: number, limit: number): Promise<HotRows> {
    const s = this.#s;
    // One statement, one snapshot: the rows and the counters agree.
    const rows = await this.#query<RowsRecord>(
      `read track ${trackId} from index ${startIndex}`,
      `SELECT t.hot_start, t.total_points, p.idx, p.data
      FROM ${s}.tracks t
      LEFT JOIN LATERAL (
        SELECT idx, data FROM ${s}.hot_points
        WHERE track_id = t.id AND idx >= $2 ORDER BY idx LIMIT $3
      ) p ON true
      WHERE t.id = $1
      ORDER BY p.idx`,
      [trackId, startIndex, limit],
    );
    return this.#toRows(trackId, rows);
  }

  async readByTime(trackId: string, query: TimeQuery): Promise<HotRows> {
    const s = this.#s;
    const order = query.reverse ? "p.ts DESC, p.idx ASC" : "p.ts ASC, p.idx ASC";
    const rows = await this.#query<RowsRecord>(
      `read track ${trackId} by time`,
      `SELECT t.hot_start, t.total_points, p.idx, p.data, p.ts
      FROM ${s}.tracks t
      LEFT JOIN LATERAL (
        SELECT idx, data, ts FROM ${s}.hot_points p
        WHERE track_id = t.id AND ts >= $2 AND ts < $3 ORDER BY ${order} LIMIT $4
      ) p ON true
      WHERE t.id = $1
      ORDER BY ${order}`,
      [trackId, query.startTime ?? -Infinity, query.endTime ?? Infinity, query.limit],
    );
    return this.#toRows(trackId, rows);
  }

  async manifest(trackId: string): Promise<readonly ChunkEntry[]> {
    const rows = await this.#query<ChunkRecord>(
      `read the manifest of track ${trackId}`,
      `SELECT * FROM ${this.#s}.chunks WHERE track_id = $1 ORDER BY chunk_number`,
      [trackId],
    );
    return rows.map(toChunk);
  }

  async tracksToArchive(chunkSize: number, limit: number): Promise<readonly string[]> {
    const s = this.#s;
    const rows = await this.#query<{ id: string }>(
      "find tracks to archive",
      `SELECT id FROM ${s}.tracks WHERE total_points - hot_start >= $1
      UNION SELECT track_id FROM ${s}.archival_plans
      LIMIT $2`,
      [chunkSize, limit],
    );
    return rows.map((row) => row.id);
  }

  async archivalPlan(trackId: string): Promise<ArchivalPlan | undefined> {
    const rows = await this.#query<PlanRecord>(
      `read the archival plan of track ${trackId}`,
      `SELECT * FROM ${this.#s}.archival_plans WHERE track_id = $1`,
      [trackId],
    );
    return rows[0] === undefined ? undefined : toPlan(rows[0]);
  }

  async beginArchival(trackId: string, plan: ArchivalPlan): Promise<ArchivalPlan> {
    await this.#query(
      `record the archival plan of track ${trackId}`,
      `INSERT INTO ${this.#s}.archival_plans (track_id, chunk_number, start_index, end_index, object_key)
      VALUES ($1, $2, $3, $4, $5) ON CONFLICT (track_id) DO NOTHING`,
      [trackId, plan.chunkNumber, plan.startIndex, plan.endIndex, plan.key],
    );
    // A separate statement: it sees the plan of a concurrent archiver that won the insert.
    const recorded = await this.archivalPlan(trackId);
    if (recorded === undefined) {
      throw new ConflictError(`the archival plan of track ${trackId} vanished while recording it`);
    }
    return recorded;
  }

  async commitChunk(trackId: string, entry: ChunkEntry): Promise<void> {
    const s = this.#s;
    const inserted = await this.#query(
      `commit chunk ${entry.chunkNumber} of track ${trackId}`,
      `INSERT INTO ${s}.chunks (track_id, chunk_number, start_index, end_index, point_count,
        min_ts, max_ts, object_key, byte_size, checksum)
      SELECT $1::bigint, $2::integer, $3::bigint, $4::bigint, $5::integer, $6::float8, $7::float8,
        $8::text, $9::bigint, $10::text
      WHERE ($2::integer = 0 AND $3::bigint = 0) OR EXISTS (
        SELECT 1 FROM ${s}.chunks
        WHERE track_id = $1::bigint AND chunk_number = $2::integer - 1 AND end_index = $3::bigint - 1
      )
      ON CONFLICT (track_id, chunk_number) DO NOTHING
      RETURNING 1`,
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
    const s = this.#s;
    // One statement: the rows go, the counter moves and the plan is cleared together, and
    // only when the manifest covers the rows.
    const rows = await this.#query<{ covered: string }>(
      `drop the archived hot points of track ${trackId} below index ${endIndex}`,
      `WITH covered AS (
        SELECT 1 FROM ${s}.chunks WHERE track_id = $1::bigint AND end_index = $2::bigint - 1
      ), dropped AS (
        DELETE FROM ${s}.hot_points
        WHERE track_id = $1 AND idx < $2 AND EXISTS (SELECT 1 FROM covered)
      ), moved AS (
        UPDATE ${s}.tracks SET hot_start = GREATEST(hot_start, $2)
        WHERE id = $1 AND EXISTS (SELECT 1 FROM covered)
      ), cleared AS (
        DELETE FROM ${s}.archival_plans
        WHERE track_id = $1 AND end_index < $2 AND EXISTS (SELECT 1 FROM covered)
      )
      SELECT count(*) AS covered FROM covered`,
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

  #toRows(trackId: string, rows: readonly RowsRecord[]): HotRows {
    const first = rows[0];
    if (first === undefined) return { rows: [], hotStartIndex: 0, totalPoints: 0 };
    const out: TrackRow[] = [];
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

function toTrack(row: TrackRecord): HotTrack {
  return {
    trackId: row.id,
    sessionId: row.session_id,
    name: row.name,
    description: row.description,
    tags: row.tags,
    metadata: row.metadata,
    createdAtSeconds: row.created_at,
    updatedAtSeconds: row.updated_at,
    totalPoints: Number(row.total_points),
    hotStartIndex: Number(row.hot_start),
    minTs: row.min_ts,
    maxTs: row.max_ts,
  };
}

function toChunk(row: ChunkRecord): ChunkEntry {
  return {
    chunkNumber: row.chunk_number,
    startIndex: Number(row.start_index),
    endIndex: Number(row.end_index),
    count: row.point_count,
    minTs: row.min_ts,
    maxTs: row.max_ts,
    key: row.object_key,
    byteSize: Number(row.byte_size),
    checksum: row.checksum,
  };
}

function toPlan(row: PlanRecord): ArchivalPlan {
  return {
    chunkNumber: row.chunk_number,
    startIndex: Number(row.start_index),
    endIndex: Number(row.end_index),
    key: row.object_key,
  };
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
