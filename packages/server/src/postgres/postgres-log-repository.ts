import {
  ConflictError,
  InternalError,
  secondsFromIso,
  type JsonObject,
  type LogEntry,
  type LogLevel,
  type LogQuery,
  type LogReadResult,
  type NewLogEntry,
} from "dreamlake/engine";
import type { RequestKey } from "../idempotency/request-key.js";
import type { LogRepository } from "../logs/log-repository.js";
import type { SessionRef } from "../sessions/session-ref.js";
import { isDivisionByZero, type PostgresDatabase } from "./postgres-database.js";

type LogRow = {
  sequence: string;
  timestamp: string;
  level: LogLevel;
  message: string;
  metadata: JsonObject | null;
};

/**
 * {@link LogRepository} on PostgreSQL (`logs`, one row per entry): an append takes its
 * sequence numbers from the session's row (`next_log_sequence`, under the row's lock) and
 * inserts the entries in the same statement, so numbers are unique across replicas and
 * never reused.
 */
export class PostgresLogRepository implements LogRepository {
  readonly #db: PostgresDatabase;
  readonly #sql: {
    readonly append: string;
    readonly appendOnce: string;
    readonly recorded: string;
    readonly read: string;
    readonly readReverse: string;
  };

  constructor(db: PostgresDatabase) {
    this.#db = db;
    const s = db.schema;
    const reserve = `reserved AS (
        UPDATE ${s}.sessions SET next_log_sequence = next_log_sequence + $2 WHERE id = $1
        RETURNING next_log_sequence - $2 AS first
      )`;
    const insert = `inserted AS (
        INSERT INTO ${s}.logs (session_id, sequence, seconds, timestamp, level, message, metadata)
        SELECT $1, r.first + e.ord - 1, e.seconds, e.stamp, e.level, e.message, e.metadata
        FROM reserved r,
          unnest($3::float8[], $4::text[], $5::text[], $6::text[], $7::json[]) WITH ORDINALITY
            AS e (seconds, stamp, level, message, metadata, ord)
      )`;
    const read = (order: string): string => `SELECT sequence, timestamp, level, message, metadata
      FROM ${s}.logs
      WHERE session_id = $1
        AND ($2::text[] IS NULL OR level = ANY ($2::text[]))
        AND ($3::float8 IS NULL OR seconds >= $3)
        AND ($4::float8 IS NULL OR seconds < $4)
        AND ($7::text IS NULL OR strpos(lower(message), lower($7)) > 0)
      ORDER BY sequence ${order}
      OFFSET $5 LIMIT $6`;
    this.#sql = {
      append: `WITH ${reserve}, ${insert} SELECT first FROM reserved`,
      // As the hot tier's appendOnce: a key recorded already fails the statement (division
      // by zero), so that nothing is stored twice.
      appendOnce: `WITH ${reserve},
        claimed AS (
          INSERT INTO ${s}.idempotency_keys AS k (scope, key, expires_at, result)
          SELECT $8, $9, $10, json_build_object('firstSequence', r.first) FROM reserved r
          ON CONFLICT (scope, key) DO UPDATE SET
            expires_at = EXCLUDED.expires_at, result = EXCLUDED.result,
            status = NULL, body = NULL, content_type = NULL
          WHERE k.expires_at < $11
          RETURNING 1
        ),
        ${insert}
        SELECT first, 1 / (SELECT count(*)::integer FROM claimed) AS claimed FROM reserved`,
      recorded: `SELECT result FROM ${s}.idempotency_keys WHERE scope = $1 AND key = $2`,
      read: read("ASC"),
      readReverse: read("DESC"),
    };
  }

  async append(
    session: SessionRef,
    entries: readonly NewLogEntry[],
    request?: RequestKey,
  ): Promise<{ readonly firstSequence: number }> {
    const values: unknown[] = [
      session.id,
      entries.length,
      entries.map((entry) => secondsFromIso(entry.timestamp) ?? null),
      entries.map((entry) => entry.timestamp),
      entries.map((entry) => entry.level),
      entries.map((entry) => entry.message),
      entries.map((entry) =>
        entry.metadata === undefined ? null : JSON.stringify(entry.metadata),
      ),
    ];
    const what = `append ${entries.length} log entries to session ${session.id}`;
    let rows: { first: string }[];
    if (request === undefined) {
      rows = await this.#db.query(what, { text: this.#sql.append, values });
    } else {
      try {
        rows = await this.#db.query(what, {
          text: this.#sql.appendOnce,
          values: [
            ...values,
            request.scope,
            request.key,
            request.expiresAtSeconds,
            request.nowSeconds,
          ],
        });
      } catch (error: unknown) {
        if (!isDivisionByZero(error)) throw error;
        return this.#recorded(request);
      }
    }
    const first = rows[0];
    if (first === undefined) {
      throw new InternalError(`session ${session.id} has no row in ${this.#db.where}`);
    }
    return { firstSequence: Number(first.first) };
  }

  async read(session: SessionRef, query: LogQuery): Promise<LogReadResult> {
    const rows = await this.#db.query<LogRow>(`read the log of session ${session.id}`, {
      text: query.reverse ? this.#sql.readReverse : this.#sql.read,
      values: [
        session.id,
        query.levels ?? null,
        query.sinceSeconds ?? null,
        query.untilSeconds ?? null,
        query.offset,
        // One more than asked, so that hasMore is exact.
        query.limit + 1,
        query.search ?? null,
      ],
    });
    const logs = rows.slice(0, query.limit).map(toEntry);
    return { logs, hasMore: rows.length > query.limit, skippedLines: 0 };
  }

  async #recorded(request: RequestKey): Promise<{ readonly firstSequence: number }> {
    const rows = await this.#db.query<{ result: { firstSequence?: number } | null }>(
      `read the recorded log append of key ${request.key}`,
      { text: this.#sql.recorded, values: [request.scope, request.key] },
    );
    const first = rows[0]?.result?.firstSequence;
    if (first === undefined) {
      throw new ConflictError(
        `Idempotency-Key ${request.key} was used for another request than this log append`,
      );
    }
    return { firstSequence: first };
  }
}

function toEntry(row: LogRow): LogEntry {
  return {
    sequenceNumber: Number(row.sequence),
    timestamp: row.timestamp,
    level: row.level,
    message: row.message,
    ...(row.metadata === null ? {} : { metadata: row.metadata }),
  };
}
