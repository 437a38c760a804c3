import { randomBytes } from "node:crypto";
import { NotFoundError, isoFromSeconds, type Clock } from "dreamlake/engine";
import { ResolvedSessions } from "../sessions/resolved-sessions.js";
import type {
  SessionAccess,
  SessionRecord,
  SessionRegistry,
  SessionUpsert,
} from "../sessions/session-registry.js";
import type { PostgresDatabase } from "./postgres-database.js";

type SessionRow = {
  id: string;
  namespace: string;
  workspace: string;
  name: string;
  write_protected: boolean;
  description: string | null;
  tags: string[];
  metadata: Record<string, unknown> | null;
  created_at: string;
  updated_at: string | null;
};

/**
 * {@link SessionRegistry} on PostgreSQL (`sessions`): one row per session, keyed by
 * (namespace, workspace, name); an upsert is one statement, so concurrent upserts of one
 * session from any replica return one id.
 */
export class PostgresSessionRegistry implements SessionRegistry {
  readonly #db: PostgresDatabase;
  readonly #clock: Clock;
  readonly #newId: () => string;
  readonly #upsert: string;
  readonly #byId: string;
  readonly #ofNamespace: string;
  /** Recently resolved sessions: every request resolves its session, mostly the same few. */
  readonly #resolved: ResolvedSessions;

  /**
   * @param options.cacheMs how long a resolved session is reused without asking the
   *   database: a change of `writeProtected` made through another replica takes effect
   *   here within this time @defaultValue 1000
   */
  constructor(
    db: PostgresDatabase,
    options: { readonly clock: Clock; readonly newId?: () => string; readonly cacheMs?: number },
  ) {
    this.#db = db;
    this.#clock = options.clock;
    this.#resolved = new ResolvedSessions(options.clock, options.cacheMs ?? 1000);
    this.#newId = options.newId ?? (() => randomBytes(12).toString("hex"));
    const s = db.schema;
    // Absent fields (null here) keep their stored value; a later call sets updated_at.
    this.#upsert = `INSERT INTO ${s}.sessions AS x
        (id, namespace, workspace, name, write_protected, description, tags, metadata, created_at)
      VALUES ($1, $2, $3, $4, COALESCE($5::boolean, false), $6::text, COALESCE($7::text[], '{}'), $8::json, $9)
      ON CONFLICT (namespace, workspace, name) DO UPDATE SET
        write_protected = COALESCE($5::boolean, x.write_protected),
        description = COALESCE($6::text, x.description),
        tags = COALESCE($7::text[], x.tags),
        metadata = COALESCE($8::json, x.metadata),
        updated_at = $9
      RETURNING *`;
    this.#byId = `SELECT * FROM ${s}.sessions WHERE id = $1`;
    this.#ofNamespace = `SELECT * FROM ${s}.sessions WHERE namespace = $1
      ORDER BY created_at DESC, id`;
  }

  async upsert(namespace: string, input: SessionUpsert): Promise<SessionRecord> {
    const rows = await this.#db.query<SessionRow>(
      `create or update session ${input.workspace}/${input.name}`,
      {
        text: this.#upsert,
        values: [
          this.#newId(),
          namespace,
          input.workspace,
          input.name,
          input.writeProtected ?? null,
          input.description ?? null,
          input.tags ?? null,
          input.metadata === undefined ? null : JSON.stringify(input.metadata),
          isoFromSeconds(this.#clock.nowSeconds()),
        ],
      },
    );
    const record = toRecord(rows[0] as SessionRow);
    this.#resolved.remember(record);
    return record;
  }

  resolve(namespace: string, id: string): Promise<SessionAccess> {
    return this.#resolved.access(namespace, id, () => this.describe(namespace, id));
  }

  async describe(namespace: string, id: string): Promise<SessionRecord> {
    const rows = await this.#db.query<SessionRow>(`look up session ${id}`, {
      name: `${this.#db.schema}.sessionById`,
      text: this.#byId,
      values: [id],
    });
    const row = rows[0];
    // Another namespace's session is answered like one that does not exist.
    if (row?.namespace !== namespace) {
      throw new NotFoundError(`Session ${JSON.stringify(id)} not found`);
    }
    const record = toRecord(row);
    this.#resolved.remember(record);
    return record;
  }

  async list(namespace: string): Promise<readonly SessionRecord[]> {
    const rows = await this.#db.query<SessionRow>(`list the sessions of ${namespace}`, {
      text: this.#ofNamespace,
      values: [namespace],
    });
    return rows.map(toRecord);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function toRecord(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    namespace: row.namespace,
    workspace: row.workspace,
    name: row.name,
    writeProtected: row.write_protected,
    description: row.description,
    tags: row.tags,
    metadata: row.metadata,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
