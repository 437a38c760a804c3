import type { JsonObject } from "../core/json-value.js";
import type { LogEntry, LogQuery, LogReadResult, NewLogEntry } from "../core/log-entry.js";
import { isLogLevel } from "../core/log-level.js";
import type { LogsBackend } from "../session/logs-backend.js";
import { PartSender } from "./part-sender.js";
import type { RemoteContext } from "./remote-tracks.js";
import { WireFields } from "./wire-fields.js";

/** What the server says about a stored batch of entries. */
export type LogsAck = { readonly startSequence: number; readonly created: number };

/**
 * `POST /sessions/{id}/logs`: `{ created, startSequence, endSequence, sessionId }`.
 *
 * @throws {InternalError} when the answer is malformed
 */
export function parseLogsAppendAnswer(value: unknown, what: string): LogsAck {
  const fields = WireFields.of(value, what);
  return { startSequence: fields.integer("startSequence"), created: fields.integer("created") };
}

/**
 * `GET /sessions/{id}/logs`: `{ logs: [{ sequenceNumber, timestamp, level, message, metadata? }], hasMore }`.
 *
 * @throws {InternalError} when the answer is malformed
 */
export function parseLogsReadAnswer(value: unknown, what: string): LogReadResult {
  const fields = WireFields.of(value, what);
  const logs = fields.array("logs").map((item, i): LogEntry => {
    const entry = WireFields.of(item, `logs[${i}] of the ${what}`);
    const text = entry.string("level");
    const level = isLogLevel(text)
      ? text
      : entry.fail("level", "debug, info, warn, error or fatal");
    const metadata = entry.nullableRecord("metadata");
    return {
      sequenceNumber: entry.integer("sequenceNumber"),
      timestamp: entry.string("timestamp"),
      level,
      message: entry.string("message"),
      // JSON.parse gives JSON values only.
      ...(metadata === null ? {} : { metadata: metadata as JsonObject }),
    };
  });
  return { logs, hasMore: fields.boolean("hasMore"), skippedLines: 0 };
}

function logsBody(items: readonly string[]): string {
  return `{"logs":[${items.join(",")}]}`;
}

/**
 * The log of a session on a dreamlake server. Entries are sent as one or a few `POST
 * .../logs` requests, with the splitting, retries and idempotency keys of
 * {@link PartSender}, so a retried write stores no entry twice.
 */
export class RemoteLogs implements LogsBackend {
  readonly #context: RemoteContext;
  readonly #sender: PartSender<LogsAck>;

  constructor(context: RemoteContext) {
    this.#context = context;
    const { client, sessionId, limits, newKey } = context;
    this.#sender = new PartSender<LogsAck>({
      limits,
      newKey,
      bodyOf: logsBody,
      send: async (body, key) =>
        client.call(
          {
            method: "POST",
            path: ["sessions", await sessionId(), "logs"],
            json: body,
            idempotencyKey: key,
          },
          parseLogsAppendAnswer,
        ),
    });
  }

  async append(entries: readonly NewLogEntry[]): Promise<{ readonly firstSequence: number }> {
    const acks = await this.#sender.send(entries.map((entry) => JSON.stringify(entry)));
    return { firstSequence: acks[0]?.startSequence ?? 0 };
  }

  async read(query: LogQuery): Promise<LogReadResult> {
    const { client, sessionId } = this.#context;
    return client.call(
      {
        method: "GET",
        path: ["sessions", await sessionId(), "logs"],
        query: {
          limit: String(query.limit),
          offset: String(query.offset),
          level: query.levels?.join(","),
          since: query.sinceSeconds === undefined ? undefined : String(query.sinceSeconds),
          until: query.untilSeconds === undefined ? undefined : String(query.untilSeconds),
          reverse: String(query.reverse),
        },
      },
      parseLogsReadAnswer,
    );
  }
}
