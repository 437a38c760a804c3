import {
  InvalidArgumentError,
  LimitExceededError,
  checkJsonObject,
  describeValue,
  isoFromSeconds,
  parseLogLevel,
  secondsFromIso,
  DEFAULT_READ_LIMIT,
  MAX_READ_LIMIT,
  type JsonObject,
  type LogEntry,
  type LogQuery,
  type LogReadResult,
  type NewLogEntry,
} from "dreamlake/engine";
import { WireObject } from "../wire/wire-object.js";
import { WireQuery } from "../wire/wire-query.js";
import type { SessionIdField } from "../wire/dialect.js";

/**
 * The body of `POST /sessions/{id}/logs`: `{ logs: [{ timestamp?, level?, message,
 * metadata? }] }` (the Python client sends one entry per call). A missing timestamp gets
 * the server's time; a level is matched case-insensitively; a number or boolean message is
 * stored as its JSON text (Python's `log(123)`); empty metadata is left out.
 *
 * @param maxEntries the per-request limit
 * @throws {InvalidArgumentError} naming the entry and the field
 * @throws {LimitExceededError} when more than `maxEntries` entries are sent
 */
export function parseLogsBody(
  value: unknown,
  maxEntries: number,
  nowSeconds: number,
): NewLogEntry[] {
  const body = WireObject.open(value, "request body", ["logs"]);
  const raw = body.array("logs");
  if (raw.length === 0)
    throw new InvalidArgumentError("request body.logs must hold at least one entry");
  if (raw.length > maxEntries) {
    throw new LimitExceededError(
      `request body.logs holds ${raw.length} entries; at most ${maxEntries} are allowed per request (DREAMLAKE_MAX_POINTS_PER_REQUEST)`,
      { details: { limit: maxEntries, given: raw.length } },
    );
  }
  return raw.map((item, i) => parseEntry(item, `logs[${i}]`, nowSeconds));
}

function parseEntry(value: unknown, where: string, nowSeconds: number): NewLogEntry {
  const entry = WireObject.open(value, where, ["timestamp", "level", "message", "metadata"]);
  const timestamp = entry.optionalString("timestamp") ?? isoFromSeconds(nowSeconds);
  if (secondsFromIso(timestamp) === undefined) {
    throw new InvalidArgumentError(
      `${where}.timestamp must be ISO-8601 UTC such as 2026-11-26T15:01:43.959357Z, got ${describeValue(timestamp)}`,
    );
  }
  const message = entry.value("message");
  let text: string;
  if (typeof message === "string") text = message;
  else if (typeof message === "number" || typeof message === "boolean")
    text = JSON.stringify(message);
  else
    throw new InvalidArgumentError(
      `${where}.message must be a string, got ${describeValue(message)}`,
    );
  const rawMetadata = entry.optionalObject("metadata");
  const metadata: JsonObject | undefined =
    rawMetadata === undefined ? undefined : checkJsonObject(rawMetadata, `${where}.metadata`);
  const parsed: NewLogEntry = {
    timestamp,
    level: parseLogLevel(entry.value("level")),
    message: text,
    ...(metadata === undefined || Object.keys(metadata).length === 0 ? {} : { metadata }),
  };
  return parsed;
}

/**
 * `GET /sessions/{id}/logs?limit=&offset=&level=a,b&since=&until=&reverse=`: `since`
 * (inclusive) and `until` (exclusive) are seconds since the epoch.
 *
 * @throws {InvalidArgumentError} on a bad or unknown parameter, or a limit above 10000
 */
export function parseLogReadQuery(search: URLSearchParams): LogQuery {
  const query = WireQuery.open(search, ["limit", "offset", "level", "since", "until", "reverse"]);
  const levels = query.string("level");
  return {
    levels:
      levels === undefined || levels === ""
        ? undefined
        : levels.split(",").map((level) => parseLogLevel(level)),
    sinceSeconds: query.number("since"),
    untilSeconds: query.number("until"),
    limit: query.integer("limit", { min: 1, max: MAX_READ_LIMIT }) ?? DEFAULT_READ_LIMIT,
    offset: query.integer("offset", { min: 0, max: Number.MAX_SAFE_INTEGER }) ?? 0,
    reverse: query.boolean("reverse") ?? false,
  };
}

/**
 * The response of a log append: `{ created, startSequence, endSequence, sessionId }`
 * (`episodeId` instead of `sessionId` on the 0.8 routes).
 */
export function appendedLogsResponse(
  firstSequence: number,
  count: number,
  sessionId: string,
  idField: SessionIdField = "sessionId",
) {
  return {
    created: count,
    startSequence: firstSequence,
    endSequence: firstSequence + count - 1,
    [idField]: sessionId,
  };
}

/** The response of a log read: `{ logs: [{sequenceNumber, timestamp, level, message, metadata?}], hasMore }`. */
export function logsResponse(result: LogReadResult) {
  return {
    logs: result.logs.map((entry: LogEntry) => ({
      sequenceNumber: entry.sequenceNumber,
      timestamp: entry.timestamp,
      level: entry.level,
      message: entry.message,
      ...(entry.metadata === undefined ? {} : { metadata: entry.metadata }),
    })),
    hasMore: result.hasMore,
  };
}
