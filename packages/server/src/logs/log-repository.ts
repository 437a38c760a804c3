import type { LogQuery, LogReadResult, NewLogEntry } from "dreamlake/engine";
import type { RequestKey } from "../idempotency/request-key.js";
import type { SessionRef } from "../sessions/session-ref.js";

/**
 * The logs of every session: entries numbered from 0 per session in append order
 * (`sequenceNumber`), never reused, even under concurrent appends.
 */
export interface LogRepository {
  /**
   * Appends validated entries (not empty) with the next sequence numbers. With a `request`
   * key, an append repeated with the same key (unexpired) stores nothing and answers the
   * first append's numbers.
   *
   * @returns the number of the first entry; the others follow without gaps
   */
  append(
    session: SessionRef,
    entries: readonly NewLogEntry[],
    request?: RequestKey,
  ): Promise<{ readonly firstSequence: number }>;

  /** Entries in sequence order (reversed with `reverse`), filtered and paged as `query` says. */
  read(session: SessionRef, query: LogQuery): Promise<LogReadResult>;
}
