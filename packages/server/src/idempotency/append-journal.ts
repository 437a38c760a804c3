/**
 * The append journal: how the embedded server stores a retried append once, even after a
 * crash between the write and its answer. Its files cannot hold the request key next to the
 * points (they are the Python SDK's format), so an append writes its intent first (the key,
 * the track, the index range it is about to take), then the points, then the confirmation.
 * An intent left unconfirmed by a crash is settled before the server serves again: the
 * points landed when the track holds the whole range (an append is one write, whole or not
 * at all), else the intent is dropped. A retry then finds its key recorded, and stores
 * nothing twice.
 *
 * (PostgreSQL needs no journal: there the key is recorded in the statement that stores the
 * points; see `appendOnce` in the hot tier's statements.)
 *
 * @module
 */
import type { JsonObject } from "dreamlake/engine";

/** What an append stored: its first index and its number of points. */
export type RecordedAppend = { readonly startIndex: number; readonly count: number };

/** An append about to be written: where, and the range it takes. */
export type AppendIntent = RecordedAppend & {
  /** Where the points go (the session and the track), for the recovery at start. */
  readonly target: JsonObject;
  /** When the record may be forgotten, seconds since the epoch. */
  readonly expiresAtSeconds: number;
};

/** An intent a crash left unconfirmed. */
export type UnconfirmedIntent = AppendIntent & { readonly scope: string; readonly key: string };

/**
 * Request keys of appends and what they stored. Every adapter keeps the contract
 * (`test/append-journal-contract.ts`): `recorded` answers a confirmed key until it expires;
 * an intent is not an answer; `unconfirmed` lists intents without a confirmation or an
 * abandonment; a file adapter answers the same after it is opened again.
 */
export interface AppendJournal {
  /** What the append with this key stored, if it was confirmed and has not expired. */
  recorded(scope: string, key: string, nowSeconds: number): RecordedAppend | undefined;
  /** Records what an append is about to store, before it stores it. */
  intend(scope: string, key: string, intent: AppendIntent): Promise<void>;
  /** Records what the append stored. */
  confirm(
    scope: string,
    key: string,
    stored: RecordedAppend,
    expiresAtSeconds: number,
  ): Promise<void>;
  /** Forgets an intent whose append did not store anything. */
  abandon(scope: string, key: string): Promise<void>;
  /** The intents a crash left unconfirmed. */
  unconfirmed(): readonly UnconfirmedIntent[];
  /** Releases the file. Idempotent. */
  close(): Promise<void>;
}

/** Entries a journal keeps at most (the newest); about 200 bytes of memory each. */
export const MAX_JOURNAL_ENTRIES = 100_000;
