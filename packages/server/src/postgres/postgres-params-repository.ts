import {
  isoFromSeconds,
  mergeFlatParams,
  UnavailableError,
  type Clock,
  type FlatParams,
} from "dreamlake/engine";
import type { ParamsDocument, ParamsRepository } from "../params/params-repository.js";
import type { SessionRef } from "../sessions/session-ref.js";
import type { PostgresDatabase } from "./postgres-database.js";

type ParamsRow = {
  data: FlatParams;
  version: number;
  created_at: string;
  updated_at: string;
};

/** Attempts of a merge that lost the race to concurrent merges before it gives up. */
const MAX_MERGE_ATTEMPTS = 50;

/**
 * {@link ParamsRepository} on PostgreSQL (`params`): one row per session holding the flat
 * params as JSON text (so the key order is kept) and a version. A merge reads the row,
 * merges in the server and writes it back only if the version did not move meanwhile
 * (else it reads again), so concurrent merges from any replica lose no key.
 */
export class PostgresParamsRepository implements ParamsRepository {
  readonly #db: PostgresDatabase;
  readonly #clock: Clock;
  readonly #sql: { read: string; insert: string; update: string };

  constructor(db: PostgresDatabase, options: { readonly clock: Clock }) {
    this.#db = db;
    this.#clock = options.clock;
    const s = db.schema;
    this.#sql = {
      read: `SELECT data, version, created_at, updated_at FROM ${s}.params WHERE session_id = $1`,
      insert: `INSERT INTO ${s}.params (session_id, data, version, created_at, updated_at)
        VALUES ($1, $2, 1, $3, $3) ON CONFLICT (session_id) DO NOTHING
        RETURNING data, version, created_at, updated_at`,
      update: `UPDATE ${s}.params SET data = $2, version = version + 1, updated_at = $4
        WHERE session_id = $1 AND version = $3
        RETURNING data, version, created_at, updated_at`,
    };
  }

  async merge(session: SessionRef, params: FlatParams): Promise<ParamsDocument> {
    for (let attempt = 0; attempt < MAX_MERGE_ATTEMPTS; attempt++) {
      const stored = await this.#read(session);
      const now = isoFromSeconds(this.#clock.nowSeconds());
      const merged = JSON.stringify(mergeFlatParams(stored?.data ?? {}, params));
      const rows =
        stored === undefined
          ? await this.#db.query<ParamsRow>(`create the params of session ${session.id}`, {
              text: this.#sql.insert,
              values: [session.id, merged, now],
            })
          : await this.#db.query<ParamsRow>(`merge the params of session ${session.id}`, {
              text: this.#sql.update,
              values: [session.id, merged, stored.version, now],
            });
      if (rows[0] !== undefined) return toDocument(rows[0]);
    }
    throw new UnavailableError(
      `could not merge the params of session ${session.id}: ${MAX_MERGE_ATTEMPTS} concurrent merges won first`,
    );
  }

  async get(session: SessionRef): Promise<ParamsDocument> {
    const stored = await this.#read(session);
    return stored === undefined
      ? { data: {}, version: 0, createdAt: null, updatedAt: null }
      : toDocument(stored);
  }

  async #read(session: SessionRef): Promise<ParamsRow | undefined> {
    const rows = await this.#db.query<ParamsRow>(`read the params of session ${session.id}`, {
      text: this.#sql.read,
      values: [session.id],
    });
    return rows[0];
  }
}

function toDocument(row: ParamsRow): ParamsDocument {
  return {
    data: row.data,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
