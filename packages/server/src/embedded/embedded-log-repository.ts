import {
  LocalLogs,
  NEWEST_LOG_ENTRY,
  type FileSystem,
  type FsyncPolicy,
  type LockManager,
  type LogQuery,
  type LogReadResult,
  type NewLogEntry,
} from "dreamlake/engine";
import type { AppendJournal, UnconfirmedIntent } from "../idempotency/append-journal.js";
import type { RequestKey } from "../idempotency/request-key.js";
import type { LogRepository } from "../logs/log-repository.js";
import type { SessionRef } from "../sessions/session-ref.js";
import { KeyedMutex } from "./keyed-mutex.js";
import { sessionDirectory } from "./session-directory.js";

/**
 * The `kind` of a log append's target in the append journal, which track appends share:
 * each repository settles its own intents at start.
 */
export const LOG_INTENT_KIND = "logs";

/** Whether a journal intent is a log append's (else it is a track append's). */
export function isLogIntent(intent: UnconfirmedIntent): boolean {
  return intent.target["kind"] === LOG_INTENT_KIND;
}

/** Options of an {@link EmbeddedLogRepository}. */
export type EmbeddedLogRepositoryOptions = {
  readonly dataDir: string;
  readonly fs: FileSystem;
  readonly locks: LockManager;
  readonly lockTimeoutMs: number;
  readonly fsync: FsyncPolicy;
  /**
   * Where appends with a request key record their intent and result (the track appends'
   * journal), so that a retry stores nothing twice, even after a crash. Absent: request
   * keys are ignored.
   */
  readonly journal?: AppendJournal;
};

/**
 * {@link LogRepository} on the SDK's `LocalLogs`: `logs/logs.jsonl` in the session folder,
 * in the Python layout, numbered under `logs/.log_sequence.lock`.
 *
 * Appends of one session run one at a time in this process, so an append with a request
 * key can write its intent first: the key and the first number it may take (the newest
 * entry's + 1; the counter can only put it later, after a gap a crash left). After a
 * crash, the entries numbered from there on are that append's, since nothing else of the
 * session was appended after its intent.
 */
export class EmbeddedLogRepository implements LogRepository {
  readonly #options: EmbeddedLogRepositoryOptions;
  readonly #sessionQueue = new KeyedMutex();

  constructor(options: EmbeddedLogRepositoryOptions) {
    this.#options = options;
  }

  append(
    session: SessionRef,
    entries: readonly NewLogEntry[],
    request?: RequestKey,
  ): Promise<{ readonly firstSequence: number }> {
    const journal = request === undefined ? undefined : this.#options.journal;
    return this.#sessionQueue.run(session.id, async () => {
      const logs = this.#logs(session);
      if (request === undefined || journal === undefined) return logs.append(entries);
      const recorded = journal.recorded(request.scope, request.key, request.nowSeconds);
      if (recorded !== undefined) return { firstSequence: recorded.startIndex };
      await journal.intend(request.scope, request.key, {
        target: { ...session, kind: LOG_INTENT_KIND },
        startIndex: await nextAfterNewest(logs),
        count: entries.length,
        expiresAtSeconds: request.expiresAtSeconds,
      });
      let result: { readonly firstSequence: number };
      try {
        result = await logs.append(entries);
      } catch (error: unknown) {
        // `LocalLogs` writes the lines in one append, after the counter: none landed.
        await journal.abandon(request.scope, request.key);
        throw error;
      }
      await journal.confirm(
        request.scope,
        request.key,
        { startIndex: result.firstSequence, count: entries.length },
        request.expiresAtSeconds,
      );
      return result;
    });
  }

  read(session: SessionRef, query: LogQuery): Promise<LogReadResult> {
    return this.#logs(session).read(query);
  }

  /**
   * Settles the log intents a crash left unconfirmed in the journal: when the session's
   * log holds all of the append's entries at or after its first possible number, the append
   * landed and is confirmed with the numbers it took; any other is abandoned (its retry
   * stores the entries). Call before serving (nothing else may append meanwhile).
   */
  async recover(): Promise<{ readonly confirmed: number; readonly abandoned: number }> {
    const journal = this.#options.journal;
    let confirmed = 0;
    let abandoned = 0;
    for (const intent of journal?.unconfirmed().filter(isLogIntent) ?? []) {
      const { id, namespace, workspace, name } = intent.target;
      const landed =
        typeof id === "string" &&
        typeof namespace === "string" &&
        typeof workspace === "string" &&
        typeof name === "string"
          ? await landedFirstSequence(this.#logs({ id, namespace, workspace, name }), intent)
          : undefined;
      if (landed === undefined) {
        await journal?.abandon(intent.scope, intent.key);
        abandoned++;
      } else {
        const stored = { startIndex: landed, count: intent.count };
        await journal?.confirm(intent.scope, intent.key, stored, intent.expiresAtSeconds);
        confirmed++;
      }
    }
    return { confirmed, abandoned };
  }

  #logs(session: SessionRef): LocalLogs {
    const options = this.#options;
    return new LocalLogs(
      { fs: options.fs, locks: options.locks },
      sessionDirectory(options.dataDir, session),
      { lockTimeoutMs: options.lockTimeoutMs, fsync: options.fsync },
    );
  }
}

/** The newest entry's number + 1 (0 for an empty log). */
async function nextAfterNewest(logs: LocalLogs): Promise<number> {
  const [newest] = (await logs.read(NEWEST_LOG_ENTRY)).logs;
  return newest === undefined ? 0 : newest.sequenceNumber + 1;
}

/** The first number of the intent's append, when all its entries are in the log. */
async function landedFirstSequence(
  logs: LocalLogs,
  intent: UnconfirmedIntent,
): Promise<number | undefined> {
  const { logs: newest } = await logs.read({ ...NEWEST_LOG_ENTRY, limit: intent.count });
  const ours = newest.filter((entry) => entry.sequenceNumber >= intent.startIndex);
  if (intent.count === 0 || ours.length !== intent.count) return undefined;
  return Math.min(...ours.map((entry) => entry.sequenceNumber));
}
