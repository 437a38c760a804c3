/**
 * The SQL of `PostgresHotStore`, for one schema. Every operation is one statement, so
 * each is atomic and reads one snapshot.
 *
 * @module
 */

/** The upsert of the track row that reserves an index range under the row's lock. */
function upsertTrack(s: string): string {
  return `INSERT INTO ${s}.tracks AS t
      (session_id, name, description, tags, metadata, created_at, updated_at, total_points, min_ts, max_ts)
    VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9)
    ON CONFLICT (session_id, name) DO UPDATE SET
      total_points = t.total_points + EXCLUDED.total_points,
      updated_at = EXCLUDED.updated_at,
      min_ts = LEAST(t.min_ts, EXCLUDED.min_ts),
      max_ts = GREATEST(t.max_ts, EXCLUDED.max_ts)
    RETURNING t.*`;
}

/** The insert of the batches after the range `upserted` reserved. */
function insertBatches(s: string): string {
  return `INSERT INTO ${s}.hot_batches (track_id, start_index, end_index, min_ts, max_ts, data)
    SELECT u.id, u.total_points - $7 + b.first, u.total_points - $7 + b.last, b.min_ts, b.max_ts,
      substring($14::bytea FROM b.byte_start FOR b.byte_count)
    FROM upserted u,
      unnest($10::integer[], $11::integer[], $12::float8[], $13::float8[], $15::integer[], $16::integer[])
        AS b (first, last, min_ts, max_ts, byte_start, byte_count)`;
}

/** The statements on the tables of one schema. */
export class PostgresStatements {
  readonly #s: string;
  /**
   * Upserts the track row (reserving the index range under its row lock) and inserts the
   * batches. $1 session, $2 name, $3 description, $4 tags, $5 metadata, $6 now, $7 count,
   * $8 smallest `_ts`, $9 largest `_ts`, $10..$13 per batch: first and last offset in the
   * append, smallest and largest `_ts`; $14 the records of every batch, one after the other
   * (one bytea parameter, which the driver sends as binary; an array of bytea would go as
   * hex text), $15 and $16 where each batch's records start in it (1-based) and their length.
   */
  readonly append: string;
  /**
   * {@link append} that also records an idempotency key with the result ($17 scope, $18
   * key, $19 expiry, $20 now). When the key is recorded already (and not expired), the
   * statement fails with division by zero, so that it stores nothing: ON CONFLICT is the
   * one way a statement sees a concurrent commit, and the conflict can only be known after
   * the range was reserved.
   */
  readonly appendOnce: string;
  /** The result recorded for an idempotency key. */
  readonly recordedResult: string;
  /** One track by session and name. */
  readonly trackByKey: string;
  /** One track by id. */
  readonly trackById: string;
  /** The tracks of a session in code-unit order of their names. */
  readonly tracksOfSession: string;
  /** The batches holding indexes from $2 to $2 + $3 - 1, with the counters of the same snapshot. */
  readonly batchesByIndex: string;
  /**
   * The batches holding indexes $2 to $3 (inclusive), with their ranges and the counters of
   * the same snapshot.
   */
  readonly batchRecords: string;
  /** The index ranges and `_ts` ranges of the batches overlapping a time window, with the counters. */
  readonly batchSpans: string;
  /** The batches with the given start indexes ($2), with the counters. */
  readonly batchesByStart: string;
  /** The chunks of a track, in order. */
  readonly manifest: string;
  /** Takes or renews a track's archival lease ($2 holder, $3 milliseconds; the database's clock). */
  readonly takeLease: string;
  /** Gives a lease up if $2 holds it. */
  readonly releaseLease: string;
  /** Tracks with a full chunk of hot points or an archival plan. */
  readonly tracksToArchive: string;
  /** The archival plan of a track. */
  readonly archivalPlan: string;
  /** Records an archival plan unless one is recorded, if it continues the manifest. */
  readonly beginArchival: string;
  /** Deletes the archival plan of a track if it is the given one. */
  readonly abandonArchival: string;
  /** Adds a manifest row if it continues the manifest (returns a row when added). */
  readonly commitChunk: string;
  /**
   * Deletes the batches wholly below the given index, moves `hot_start` and clears the
   * plan, only when a chunk ends right before the given index (returns whether one does).
   * A batch that straddles the index stays: reads skip its points below `hot_start`.
   */
  readonly dropArchivedRows: string;

  /** @param s the quoted schema name */
  constructor(s: string) {
    this.#s = s;
    this.append = `WITH upserted AS (${upsertTrack(s)}),
      inserted AS (${insertBatches(s)})
      SELECT * FROM upserted`;
    this.appendOnce = `WITH upserted AS (${upsertTrack(s)}),
      claimed AS (
        INSERT INTO ${s}.idempotency_keys AS k (scope, key, expires_at, result)
        SELECT $17, $18, $19, json_build_object('trackId', u.id::text, 'startIndex', u.total_points - $7)
        FROM upserted u
        ON CONFLICT (scope, key) DO UPDATE SET
          expires_at = EXCLUDED.expires_at, result = EXCLUDED.result,
          status = NULL, body = NULL, content_type = NULL
        WHERE k.expires_at < $20
        RETURNING 1
      ),
      inserted AS (${insertBatches(s)} WHERE EXISTS (SELECT 1 FROM claimed))
      SELECT u.*, 1 / (SELECT count(*)::integer FROM claimed) AS claimed FROM upserted u`;
    this.recordedResult = `SELECT result FROM ${s}.idempotency_keys WHERE scope = $1 AND key = $2`;
    this.trackByKey = `SELECT * FROM ${s}.tracks WHERE session_id = $1 AND name = $2`;
    this.trackById = `SELECT * FROM ${s}.tracks WHERE id = $1`;
    this.tracksOfSession = `SELECT * FROM ${s}.tracks WHERE session_id = $1 ORDER BY name COLLATE "C"`;
    this.batchesByIndex = `SELECT t.hot_start, t.total_points, b.start_index, b.data
      FROM ${s}.tracks t
      LEFT JOIN LATERAL (
        SELECT start_index, data FROM ${s}.hot_batches
        WHERE track_id = t.id AND start_index < $2::bigint + $3::bigint
          AND start_index >= COALESCE(
            (SELECT max(start_index) FROM ${s}.hot_batches WHERE track_id = t.id AND start_index <= $2),
            0)
        ORDER BY start_index
      ) b ON true
      WHERE t.id = $1
      ORDER BY b.start_index`;
    this.batchRecords = `SELECT t.hot_start, t.total_points, b.start_index, b.end_index, b.min_ts,
        b.max_ts, b.data
      FROM ${s}.tracks t
      LEFT JOIN LATERAL (
        SELECT start_index, end_index, min_ts, max_ts, data FROM ${s}.hot_batches
        WHERE track_id = t.id AND start_index <= $3::bigint AND end_index >= $2::bigint
        ORDER BY start_index
      ) b ON true
      WHERE t.id = $1
      ORDER BY b.start_index`;
    this.batchSpans = `SELECT t.hot_start, t.total_points, b.start_index, b.end_index, b.min_ts, b.max_ts
      FROM ${s}.tracks t
      LEFT JOIN LATERAL (
        SELECT start_index, end_index, min_ts, max_ts FROM ${s}.hot_batches
        WHERE track_id = t.id AND max_ts >= $2 AND min_ts < $3 AND end_index >= t.hot_start
      ) b ON true
      WHERE t.id = $1`;
    this.batchesByStart = `SELECT t.hot_start, t.total_points, b.start_index, b.data
      FROM ${s}.tracks t
      LEFT JOIN LATERAL (
        SELECT start_index, data FROM ${s}.hot_batches
        WHERE track_id = t.id AND start_index = ANY ($2::bigint[])
      ) b ON true
      WHERE t.id = $1
      ORDER BY b.start_index`;
    this.manifest = `SELECT * FROM ${s}.chunks WHERE track_id = $1 ORDER BY chunk_number`;
    // The database's clock, so that replicas whose clocks differ agree on expiry.
    this.takeLease = `INSERT INTO ${s}.archival_leases AS l (track_id, holder, expires_at)
      VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
      ON CONFLICT (track_id) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
      WHERE l.holder = EXCLUDED.holder OR l.expires_at < clock_timestamp()
      RETURNING 1`;
    this.releaseLease = `DELETE FROM ${s}.archival_leases WHERE track_id = $1 AND holder = $2`;
    this.tracksToArchive = `SELECT id FROM ${s}.tracks WHERE total_points - hot_start >= $1
      UNION SELECT track_id FROM ${s}.archival_plans
      LIMIT $2`;
    this.archivalPlan = `SELECT * FROM ${s}.archival_plans WHERE track_id = $1`;
    this.beginArchival = `INSERT INTO ${s}.archival_plans (track_id, chunk_number, start_index, end_index, object_key)
      SELECT t.id, $2::integer, $3::bigint, $4::bigint, $5::text
      FROM ${s}.tracks t
      WHERE t.id = $1::bigint AND t.hot_start = $3::bigint
        AND (SELECT count(*) FROM ${s}.chunks WHERE track_id = t.id) = $2::integer
        AND COALESCE((SELECT max(end_index) + 1 FROM ${s}.chunks WHERE track_id = t.id), 0) = $3::bigint
      ON CONFLICT (track_id) DO NOTHING`;
    this.abandonArchival = `DELETE FROM ${s}.archival_plans
      WHERE track_id = $1 AND chunk_number = $2 AND start_index = $3 AND end_index = $4
        AND object_key = $5`;
    this.commitChunk = `INSERT INTO ${s}.chunks (track_id, chunk_number, start_index, end_index, point_count,
        min_ts, max_ts, object_key, byte_size, checksum, summary)
      SELECT $1::bigint, $2::integer, $3::bigint, $4::bigint, $5::integer, $6::float8, $7::float8,
        $8::text, $9::bigint, $10::text, $11::json
      WHERE ($2::integer = 0 AND $3::bigint = 0) OR EXISTS (
        SELECT 1 FROM ${s}.chunks
        WHERE track_id = $1::bigint AND chunk_number = $2::integer - 1 AND end_index = $3::bigint - 1
      )
      ON CONFLICT (track_id, chunk_number) DO NOTHING
      RETURNING 1`;
    this.dropArchivedRows = `WITH covered AS (
        SELECT 1 FROM ${s}.chunks WHERE track_id = $1::bigint AND end_index = $2::bigint - 1
      ), dropped AS (
        DELETE FROM ${s}.hot_batches
        WHERE track_id = $1 AND end_index < $2 AND EXISTS (SELECT 1 FROM covered)
      ), moved AS (
        UPDATE ${s}.tracks SET hot_start = GREATEST(hot_start, $2)
        WHERE id = $1 AND EXISTS (SELECT 1 FROM covered)
      ), cleared AS (
        DELETE FROM ${s}.archival_plans
        WHERE track_id = $1 AND end_index < $2 AND EXISTS (SELECT 1 FROM covered)
      )
      SELECT count(*) AS covered FROM covered`;
  }

  /** The schema these statements use (quoted). */
  get schema(): string {
    return this.#s;
  }
}
