import type { Filter } from "mongodb";
import {
  UnavailableError,
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
import type { MongoDatabase } from "./mongo-database.js";
import type { LogDocument, LogRangeDocument } from "./mongo-documents.js";
import { isDuplicateKey } from "./mongo-errors.js";
import { requestTag } from "./mongo-request-keys.js";

/** Attempts of an append that lost the race to concurrent appends of its session. */
const MAX_RESERVE_ATTEMPTS = 1000;

/**
 * {@link LogRepository} on MongoDB (`logs`, one document per entry; `logRanges`, one per
 * append). An append takes its sequence numbers by inserting its range, `_id` =
 * `<session>:<first>` where `first` follows the session's last range: a range can be inserted
 * once, so numbers are unique across replicas and never reused, without gaps between appends
 * that succeed. Then it inserts its entries, `_id` = `<session>/<sequence>`. With an idempotency
 * key, the range records the key (unique): a repeat finds the range, inserts whatever entries
 * a crash left out (the same `_id`s, so none twice) and answers the same numbers.
 */
export class MongoLogRepository implements LogRepository {
  readonly #db: MongoDatabase;
  /** The last range this process saw per session: the next append's first guess. */
  readonly #next = new Map<string, number>();

  constructor(db: MongoDatabase) {
    this.#db = db;
  }

  async append(
    session: SessionRef,
    entries: readonly NewLogEntry[],
    request?: RequestKey,
  ): Promise<{ readonly firstSequence: number }> {
    const what = `append ${entries.length} log entries to session ${session.id}`;
    const tag = request === undefined ? undefined : await requestTag(this.#db, request, session.id);
    let range = tag === undefined ? null : await this.#rangeOf(tag);
    range ??= await this.#reserve(session.id, entries.length, tag, what);
    const documents: LogDocument[] = entries.map((entry, i) => ({
      _id: `${session.id}/${range.first + i}`,
      session: session.id,
      sequence: range.first + i,
      seconds: secondsFromIso(entry.timestamp) ?? null,
      timestamp: entry.timestamp,
      level: entry.level,
      message: entry.message,
      metadata: entry.metadata === undefined ? null : JSON.stringify(entry.metadata),
    }));
    try {
      await this.#db.run(what, () =>
        this.#db.collection("logs").insertMany(documents, { ordered: false }),
      );
    } catch (error: unknown) {
      // A repeat: the entries an earlier try inserted are refused, the others are in now.
      if (!isDuplicateKey(error)) throw error;
    }
    return { firstSequence: range.first };
  }

  async read(session: SessionRef, query: LogQuery): Promise<LogReadResult> {
    const filter: Filter<LogDocument> = { session: session.id };
    if (query.levels !== undefined) filter.level = { $in: [...query.levels] };
    // A bound never matches null: an entry whose timestamp does not parse is outside every window.
    if (query.sinceSeconds !== undefined || query.untilSeconds !== undefined) {
      filter.seconds = {
        ...(query.sinceSeconds === undefined ? {} : { $gte: query.sinceSeconds }),
        ...(query.untilSeconds === undefined ? {} : { $lt: query.untilSeconds }),
      };
    }
    if (query.search !== undefined) {
      // Contains the text, ignoring case: a regular expression of the text, every character
      // taken literally.
      filter.message = {
        $regex: query.search.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
        $options: "i",
      };
    }
    const found = await this.#db.run(`read the log of session ${session.id}`, () =>
      this.#db
        .collection("logs")
        .find(filter)
        .sort({ sequence: query.reverse ? -1 : 1 })
        .skip(query.offset)
        // One more than asked, so that hasMore is exact.
        .limit(query.limit + 1)
        .toArray(),
    );
    const logs = found.slice(0, query.limit).map(toEntry);
    return { logs, hasMore: found.length > query.limit, skippedLines: 0 };
  }

  /** The range recorded for a request tag, if an append with it was stored. */
  #rangeOf(tag: string): Promise<LogRangeDocument | null> {
    return this.#db.run("look up a repeated log append", () =>
      this.#db.collection("logRanges").findOne({ request: tag }),
    );
  }

  async #reserve(
    sessionId: string,
    count: number,
    tag: string | undefined,
    what: string,
  ): Promise<LogRangeDocument> {
    const ranges = this.#db.collection("logRanges");
    let first = this.#next.get(sessionId) ?? (await this.#end(sessionId, what));
    for (let attempt = 0; attempt < MAX_RESERVE_ATTEMPTS; attempt++) {
      const id = `${sessionId}:${first}`;
      const range: LogRangeDocument = {
        _id: id,
        session: sessionId,
        first,
        count,
        request: tag ?? `-#${id}`,
      };
      try {
        await this.#db.run(what, () => ranges.insertOne(range));
        this.#next.set(sessionId, first + count);
        if (this.#next.size > 10_000) this.#next.clear();
        return range;
      } catch (error: unknown) {
        if (!isDuplicateKey(error)) throw error;
        if (tag !== undefined) {
          const stored = await this.#rangeOf(tag);
          if (stored !== null) return stored;
        }
        first = await this.#end(sessionId, what);
        if (attempt >= 3) await sleep(Math.random() * Math.min(50, attempt));
      }
    }
    throw new UnavailableError(
      `could not ${what}: ${MAX_RESERVE_ATTEMPTS} concurrent appends took their numbers first`,
    );
  }

  /** The next free sequence number: after the session's last range. */
  async #end(sessionId: string, what: string): Promise<number> {
    const last = await this.#db.run(what, () =>
      this.#db
        .collection("logRanges")
        .find({ session: sessionId })
        .sort({ first: -1 })
        .limit(1)
        .toArray(),
    );
    return last[0] === undefined ? 0 : last[0].first + last[0].count;
  }
}

function toEntry(document: LogDocument): LogEntry {
  return {
    sequenceNumber: document.sequence,
    timestamp: document.timestamp,
    level: document.level as LogLevel,
    message: document.message,
    ...(document.metadata === null
      ? {}
      : { metadata: JSON.parse(document.metadata) as JsonObject }),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
