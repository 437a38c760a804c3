import type { LogQuery, LogReadResult, NewLogEntry } from "dreamlake/engine";
import type { SessionRef } from "../sessions/session-ref.js";

/**
 * The logs of every session: entries numbered from 0 per session in append order
 * (`sequenceNumber`), never reused, even under concurrent appends.
 */
export interface LogRepository {
  /**
   * Appends validated entries (not empty) with the next sequence numbers.
   *
   * @returns the number of the first entry; the others follow without gaps
   */
  append(
    session: SessionRef,
    entries: readonly NewLogEntry[],
  ): Promise<{ readonly firstSequence: number }>;

  /** Entries in sequence order (reversed with `reverse`), filtered and paged as `query` says. */
  read(session: SessionRef, query: LogQuery): Promise<LogReadResult>;
}
