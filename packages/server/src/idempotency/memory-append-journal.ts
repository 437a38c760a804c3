import {
  MAX_JOURNAL_ENTRIES,
  type AppendIntent,
  type AppendJournal,
  type RecordedAppend,
  type UnconfirmedIntent,
} from "./append-journal.js";

/** One key's state. */
export type JournalEntry =
  | ({ readonly kind: "intent" } & UnconfirmedIntent)
  | ({
      readonly kind: "done";
      readonly scope: string;
      readonly key: string;
      readonly expiresAtSeconds: number;
    } & RecordedAppend);

/**
 * An {@link AppendJournal} in memory: for tests, and the state a {@link FileAppendJournal}
 * keeps beside its file. Holds at most `maxEntries`, forgetting the oldest first.
 */
export class MemoryAppendJournal implements AppendJournal {
  /** Map order is insertion order: the first entry is the oldest. */
  readonly #entries = new Map<string, JournalEntry>();
  readonly #maxEntries: number;

  constructor(options: { readonly maxEntries?: number } = {}) {
    this.#maxEntries = options.maxEntries ?? MAX_JOURNAL_ENTRIES;
  }

  recorded(scope: string, key: string, nowSeconds: number): RecordedAppend | undefined {
    const entry = this.#entries.get(idOf(scope, key));
    if (entry?.kind !== "done" || entry.expiresAtSeconds < nowSeconds) return undefined;
    return { startIndex: entry.startIndex, count: entry.count };
  }

  intend(scope: string, key: string, intent: AppendIntent): Promise<void> {
    this.apply({ kind: "intent", scope, key, ...intent });
    return Promise.resolve();
  }

  confirm(
    scope: string,
    key: string,
    stored: RecordedAppend,
    expiresAtSeconds: number,
  ): Promise<void> {
    this.apply({ kind: "done", scope, key, expiresAtSeconds, ...stored });
    return Promise.resolve();
  }

  abandon(scope: string, key: string): Promise<void> {
    this.#entries.delete(idOf(scope, key));
    return Promise.resolve();
  }

  unconfirmed(): readonly UnconfirmedIntent[] {
    const out: UnconfirmedIntent[] = [];
    for (const entry of this.#entries.values()) {
      if (entry.kind === "intent") {
        const { scope, key, target, startIndex, count, expiresAtSeconds } = entry;
        out.push({ scope, key, target, startIndex, count, expiresAtSeconds });
      }
    }
    return out;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Applies one entry (the file adapter replays its lines through this). */
  apply(entry: JournalEntry): void {
    const id = idOf(entry.scope, entry.key);
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries) break;
      this.#entries.delete(oldest);
    }
  }

  /** Forgets one key (the file adapter replays abandonments through this). */
  forget(scope: string, key: string): void {
    this.#entries.delete(idOf(scope, key));
  }

  /** The live entries, oldest first, without the expired ones. */
  entries(nowSeconds: number): JournalEntry[] {
    return [...this.#entries.values()].filter((entry) => entry.expiresAtSeconds >= nowSeconds);
  }
}

function idOf(scope: string, key: string): string {
  return `${scope}\u0000${key}`;
}
