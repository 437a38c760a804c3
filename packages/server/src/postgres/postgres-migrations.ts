/** The part of a database connection the migrations use (the driver's client has it). */
export type MigrationClient = {
  query(text: string, values?: unknown[]): Promise<{ readonly rows: Record<string, unknown>[] }>;
};

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
  {
    version: 2,
    name: "stateless replicas: sessions, projects, params, logs, files, idempotency keys, archival leases, hot batches",
    statements: (s) => [
      // Which database this is: the object store's marker names it, so that a replaced
      // database is told apart from the one the bucket belongs to.
      `CREATE TABLE ${s}.deployment (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        database_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
      `INSERT INTO ${s}.deployment (database_id)
        VALUES (md5(random()::text || clock_timestamp()::text || pg_backend_pid()::text))`,
      `CREATE TABLE ${s}.sessions (
        id text PRIMARY KEY,
        namespace text NOT NULL,
        workspace text NOT NULL,
        name text NOT NULL,
        write_protected boolean NOT NULL DEFAULT false,
        description text,
        tags text[] NOT NULL DEFAULT '{}',
        metadata json,
        created_at text NOT NULL,
        updated_at text,
        -- The next log sequence number: taken under this row's lock by every replica.
        next_log_sequence bigint NOT NULL DEFAULT 0,
        UNIQUE (namespace, workspace, name)
      )`,
      `CREATE TABLE ${s}.projects (
        namespace text NOT NULL,
        slug text NOT NULL,
        name text NOT NULL,
        description text,
        created_at text NOT NULL,
        PRIMARY KEY (namespace, slug)
      )`,
      `CREATE TABLE ${s}.params (
        session_id text PRIMARY KEY REFERENCES ${s}.sessions (id) ON DELETE CASCADE,
        data json NOT NULL,
        version integer NOT NULL,
        created_at text NOT NULL,
        updated_at text NOT NULL
      )`,
      `CREATE TABLE ${s}.logs (
        session_id text NOT NULL REFERENCES ${s}.sessions (id) ON DELETE CASCADE,
        sequence bigint NOT NULL,
        -- The timestamp as seconds, for since/until; the text is kept as given.
        seconds float8,
        timestamp text NOT NULL,
        level text NOT NULL,
        message text NOT NULL,
        metadata json,
        PRIMARY KEY (session_id, sequence)
      )`,
      `CREATE SEQUENCE ${s}.file_positions`,
      `CREATE TABLE ${s}.files (
        id text PRIMARY KEY,
        session_id text NOT NULL REFERENCES ${s}.sessions (id) ON DELETE CASCADE,
        -- Upload order; a replacing upload takes the position of the file it replaces.
        position bigint NOT NULL,
        path text NOT NULL,
        folder text NOT NULL,
        filename text NOT NULL,
        description text,
        tags text[] NOT NULL DEFAULT '{}',
        content_type text NOT NULL,
        size_bytes bigint NOT NULL,
        checksum text NOT NULL,
        metadata json,
        object_key text NOT NULL,
        record_session text NOT NULL,
        uploaded_at text NOT NULL,
        updated_at text NOT NULL,
        deleted_at text
      )`,
      `CREATE INDEX files_by_position ON ${s}.files (session_id, position)`,
      `CREATE UNIQUE INDEX files_active_by_name ON ${s}.files (session_id, folder, filename)
        WHERE deleted_at IS NULL`,
      // Idempotency-Key records: the answer to replay, and for appends the result, written
      // in the same statement as the points (so a retry never stores them twice).
      `CREATE TABLE ${s}.idempotency_keys (
        scope text NOT NULL,
        key text NOT NULL,
        expires_at float8 NOT NULL,
        result json,
        status integer,
        body text,
        content_type text,
        PRIMARY KEY (scope, key)
      )`,
      `CREATE INDEX idempotency_keys_by_expiry ON ${s}.idempotency_keys (expires_at)`,
      `CREATE TABLE ${s}.archival_leases (
        track_id bigint PRIMARY KEY REFERENCES ${s}.tracks (id) ON DELETE CASCADE,
        holder text NOT NULL,
        expires_at timestamptz NOT NULL
      )`,
      // Hot points in batches: one row per appended batch (or part of a large one), the
      // points as track-format records (columnar msgpack), with the index range and the
      // smallest and largest _ts.
      `CREATE TABLE ${s}.hot_batches (
        track_id bigint NOT NULL REFERENCES ${s}.tracks (id) ON DELETE CASCADE,
        start_index bigint NOT NULL,
        end_index bigint NOT NULL,
        min_ts float8 NOT NULL,
        max_ts float8 NOT NULL,
        data bytea NOT NULL,
        PRIMARY KEY (track_id, start_index)
      )`,
      // msgpack floats barely compress: storing the bytes uncompressed saves the CPU.
      `ALTER TABLE ${s}.hot_batches ALTER COLUMN data SET STORAGE EXTERNAL`,
      `CREATE INDEX hot_batches_by_min_ts ON ${s}.hot_batches (track_id, min_ts)`,
      `CREATE INDEX hot_batches_by_max_ts ON ${s}.hot_batches (track_id, max_ts)`,
      // A stored point (one msgpack map) followed by 0x0A is a one-point batch.
      `INSERT INTO ${s}.hot_batches (track_id, start_index, end_index, min_ts, max_ts, data)
        SELECT track_id, idx, idx, ts, ts, data || '\\x0a'::bytea FROM ${s}.hot_points`,
      `DROP TABLE ${s}.hot_points`,
    ],
  },
  {
    version: 3,
    name: "chunk summaries in the manifest",
    statements: (s) => [
      // Per numeric field path, the statistics of the chunk's points (the stored form of
      // `chunk-summary-codec.ts`), so that a downsample adds a chunk that lies in one bucket
      // without fetching it. Null for chunks archived before: they are read by their points.
      // `json` (not `jsonb`) keeps the text as written: jsonb would turn the numbers into
      // `numeric`, which has no -0.
      `ALTER TABLE ${s}.chunks ADD COLUMN summary json`,
    ],
  },
];

/** Whether the schema holds our tables (its `schema_migrations` table exists). */
export async function hasSchema(client: MigrationClient, schema: string): Promise<boolean> {
  const result = await client.query("SELECT to_regclass($1) IS NOT NULL AS present", [
    `${schema}.schema_migrations`,
  ]);
  return result.rows[0]?.["present"] === true;
}

/**
 * Brings the schema up to date: creates it and the `schema_migrations` table when missing,
 * then applies the migrations not recorded there, in order, all in one transaction under
 * an advisory lock (servers starting together wait for each other; a failed migration
 * leaves nothing behind).
 *
 * @returns the versions applied now
 */
export async function migrate(client: MigrationClient, schema: string): Promise<number[]> {
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
    const result = await client.query(`SELECT version FROM ${schema}.schema_migrations`);
    const done = new Set(result.rows.map((row) => Number(row["version"])));
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
