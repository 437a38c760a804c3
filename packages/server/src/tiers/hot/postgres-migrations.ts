import type { PoolClient } from "pg";

/** One step of the schema. Applied once, in version order, and recorded. */
type Migration = {
  readonly version: number;
  readonly name: string;
  /** The statements, given the quoted schema name. */
  readonly statements: (schema: string) => readonly string[];
};

/**
 * The schema of the hot tier, oldest first. Never edit an applied migration: add one.
 * Times of day are `float8` seconds since the epoch, like `_ts`, so no time zone is involved.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "tracks, hot points, chunk manifest, archival plans",
    statements: (s) => [
      `CREATE TABLE ${s}.tracks (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        session_id text NOT NULL,
        name text NOT NULL,
        description text,
        tags text[] NOT NULL DEFAULT '{}',
        metadata json,
        created_at float8 NOT NULL,
        updated_at float8 NOT NULL,
        total_points bigint NOT NULL DEFAULT 0,
        hot_start bigint NOT NULL DEFAULT 0,
        min_ts float8,
        max_ts float8,
        UNIQUE (session_id, name)
      )`,
      // Finds tracks with a full chunk of hot points without scanning every track.
      `CREATE INDEX tracks_by_hot_points ON ${s}.tracks ((total_points - hot_start))`,
      `CREATE TABLE ${s}.hot_points (
        track_id bigint NOT NULL REFERENCES ${s}.tracks (id) ON DELETE CASCADE,
        idx bigint NOT NULL,
        ts float8 NOT NULL,
        data bytea NOT NULL,
        PRIMARY KEY (track_id, idx)
      )`,
      `CREATE INDEX hot_points_by_time ON ${s}.hot_points (track_id, ts, idx)`,
      `CREATE TABLE ${s}.chunks (
        track_id bigint NOT NULL REFERENCES ${s}.tracks (id) ON DELETE CASCADE,
        chunk_number integer NOT NULL,
        start_index bigint NOT NULL,
        end_index bigint NOT NULL,
        point_count integer NOT NULL,
        min_ts float8 NOT NULL,
        max_ts float8 NOT NULL,
        object_key text NOT NULL,
        byte_size bigint NOT NULL,
        checksum text NOT NULL,
        committed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (track_id, chunk_number)
      )`,
      `CREATE TABLE ${s}.archival_plans (
        track_id bigint PRIMARY KEY REFERENCES ${s}.tracks (id) ON DELETE CASCADE,
        chunk_number integer NOT NULL,
        start_index bigint NOT NULL,
        end_index bigint NOT NULL,
        object_key text NOT NULL,
        begun_at timestamptz NOT NULL DEFAULT now()
      )`,
    ],
  },
];

/**
 * Brings the schema up to date: creates it and the `schema_migrations` table when missing,
 * then applies the migrations not recorded there, in order, all in one transaction under
 * an advisory lock (servers starting together wait for each other; a failed migration
 * leaves nothing behind).
 *
 * @returns the versions applied now
 */
export async function migrate(client: PoolClient, schema: string): Promise<number[]> {
  const applied: number[] = [];
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [
      `dreamlake-migrations:${schema}`,
    ]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    );
    const result = await client.query<{ version: number }>(
      `SELECT version FROM ${schema}.schema_migrations`,
    );
    const done = new Set(result.rows.map((row) => row.version));
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.statements(schema)) await client.query(statement);
      await client.query(
        `INSERT INTO ${schema}.schema_migrations (version, name) VALUES ($1, $2)`,
        [migration.version, migration.name],
      );
      applied.push(migration.version);
    }
    await client.query("COMMIT");
    return applied;
  } catch (error: unknown) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
