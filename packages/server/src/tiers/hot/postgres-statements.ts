/**
 * The SQL of `PostgresHotStore`, for one schema. Every operation is one statement, so
 * each is atomic and reads one snapshot.
 *
 * @module
 */

/** The statements on the tables of one schema. */
export class PostgresStatements {
  readonly #s: string;
  /**
   * Upserts the track row (reserving the index range under its row lock) and inserts the
   * points. $1 session, $2 name, $3 description, $4 tags, $5 metadata, $6 now, $7 count,
   * $8 smallest `_ts`, $9 largest `_ts`, $10 the `_ts` of each point, $11 the points.
   */
  readonly append: string;
  /** One track by session and name. */
  readonly trackByKey: string;
  /** One track by id. */
  readonly trackById: string;
  /** The tracks of a session in code-unit order of their names. */
  readonly tracksOfSession: string;
  /** Hot points from an index, with the track's counters from the same snapshot. */
  readonly readByIndex: string;
  /** The chunks of a track, in order. */
  readonly manifest: string;
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
   * Deletes archived hot points, moves `hot_start` and clears the plan, only when a chunk
   * ends right before the given index (returns whether one does).
   */
  readonly dropArchivedRows: string;

  /** @param s the quoted schema name */
  constructor(s: string) {
    this.#s = s;
    this.append = `WITH upserted AS (
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
      SELECT * FROM upserted`;
    this.trackByKey = `SELECT * FROM ${s}.tracks WHERE session_id = $1 AND name = $2`;
    this.trackById = `SELECT * FROM ${s}.tracks WHERE id = $1`;
    this.tracksOfSession = `SELECT * FROM ${s}.tracks WHERE session_id = $1 ORDER BY name COLLATE "C"`;
    this.readByIndex = `SELECT t.hot_start, t.total_points, p.idx, p.data
      FROM ${s}.tracks t
      LEFT JOIN LATERAL (
        SELECT idx, data FROM ${s}.hot_points
        WHERE track_id = t.id AND idx >= $2 ORDER BY idx LIMIT $3
      ) p ON true
      WHERE t.id = $1
      ORDER BY p.idx`;
    this.manifest = `SELECT * FROM ${s}.chunks WHERE track_id = $1 ORDER BY chunk_number`;
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
        min_ts, max_ts, object_key, byte_size, checksum)
      SELECT $1::bigint, $2::integer, $3::bigint, $4::bigint, $5::integer, $6::float8, $7::float8,
        $8::text, $9::bigint, $10::text
      WHERE ($2::integer = 0 AND $3::bigint = 0) OR EXISTS (
        SELECT 1 FROM ${s}.chunks
        WHERE track_id = $1::bigint AND chunk_number = $2::integer - 1 AND end_index = $3::bigint - 1
      )
      ON CONFLICT (track_id, chunk_number) DO NOTHING
      RETURNING 1`;
    this.dropArchivedRows = `WITH covered AS (
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
      SELECT count(*) AS covered FROM covered`;
  }

  /** Hot points in a time range in time order (newest first with `reverse`), with the counters. */
  readByTime(reverse: boolean): string {
    const s = this.#s;
    const order = reverse ? "p.ts DESC, p.idx ASC" : "p.ts ASC, p.idx ASC";
    return `SELECT t.hot_start, t.total_points, p.idx, p.data, p.ts
      FROM ${s}.tracks t
      LEFT JOIN LATERAL (
        SELECT idx, data, ts FROM ${s}.hot_points p
        WHERE track_id = t.id AND ts >= $2 AND ts < $3 ORDER BY ${order} LIMIT $4
      ) p ON true
      WHERE t.id = $1
      ORDER BY ${order}`;
  }
}
