import type { FileSystem, JsonObject } from "dreamlake/engine";
import { isJsonObject } from "../wire/wire-object.js";
import type {
  AppendIntent,
  AppendJournal,
  RecordedAppend,
  UnconfirmedIntent,
} from "./append-journal.js";
import { MemoryAppendJournal, type JournalEntry } from "./memory-append-journal.js";

/** Options of {@link FileAppendJournal.open}. */
export type FileAppendJournalOptions = {
  /** Now, seconds since the epoch: expired entries are left out when the file is rewritten. */
  readonly nowSeconds: number;
  /** Force every line to stable storage (the server's `DREAMLAKE_FSYNC=always`). */
  readonly fsync: boolean;
  /** @defaultValue {@link MAX_JOURNAL_ENTRIES} */
  readonly maxEntries?: number;
};

/**
 * An {@link AppendJournal} in a file of the embedded server's data folder: one JSON line per
 * intent, confirmation or abandonment, appended (so a crash leaves at worst a torn last line,
 * which is skipped), with the state kept in memory. Opening it replays the file and rewrites
 * it with the live entries only (expired ones and the oldest past `maxEntries` go), so the
 * file stays bounded across restarts.
 */
export class FileAppendJournal implements AppendJournal {
  readonly #fs: FileSystem;
  readonly #path: string;
  readonly #isSynced: boolean;
  readonly #memory: MemoryAppendJournal;

  private constructor(
    fs: FileSystem,
    path: string,
    isSynced: boolean,
    memory: MemoryAppendJournal,
  ) {
    this.#fs = fs;
    this.#path = path;
    this.#isSynced = isSynced;
    this.#memory = memory;
  }

  /** Reads the journal at `path` (none yet: empty) and rewrites it compacted. */
  static async open(
    fs: FileSystem,
    path: string,
    options: FileAppendJournalOptions,
  ): Promise<FileAppendJournal> {
    const memory = new MemoryAppendJournal(
      options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries },
    );
    const text = (await fs.readText(path)) ?? "";
    for (const line of text.split("\n")) replay(memory, line);
    const live = memory.entries(options.nowSeconds);
    await fs.writeTextAtomic(path, live.map((entry) => `${JSON.stringify(entry)}\n`).join(""), {
      fsync: options.fsync,
    });
    return new FileAppendJournal(fs, path, options.fsync, memory);
  }

  recorded(scope: string, key: string, nowSeconds: number): RecordedAppend | undefined {
    return this.#memory.recorded(scope, key, nowSeconds);
  }

  async intend(scope: string, key: string, intent: AppendIntent): Promise<void> {
    // The line first: the append that follows must never be on disk without its intent.
    await this.#write({ kind: "intent", scope, key, ...intent });
    await this.#memory.intend(scope, key, intent);
  }

  async confirm(
    scope: string,
    key: string,
    stored: RecordedAppend,
    expiresAtSeconds: number,
  ): Promise<void> {
    await this.#write({ kind: "done", scope, key, expiresAtSeconds, ...stored });
    await this.#memory.confirm(scope, key, stored, expiresAtSeconds);
  }

  async abandon(scope: string, key: string): Promise<void> {
    await this.#fs.appendText(this.#path, `${JSON.stringify({ kind: "abandon", scope, key })}\n`, {
      fsync: this.#isSynced,
    });
    await this.#memory.abandon(scope, key);
  }

  unconfirmed(): readonly UnconfirmedIntent[] {
    return this.#memory.unconfirmed();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  async #write(entry: JournalEntry): Promise<void> {
    await this.#fs.appendText(this.#path, `${JSON.stringify(entry)}\n`, { fsync: this.#isSynced });
  }
}

/** Applies one line of the file; a torn or foreign line is skipped. */
function replay(memory: MemoryAppendJournal, line: string): void {
  if (line.trim() === "") return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return;
  }
  if (!isJsonObject(parsed)) return;
  const { kind, scope, key, startIndex, count, expiresAtSeconds, target } = parsed;
  if (typeof scope !== "string" || typeof key !== "string") return;
  if (kind === "abandon") {
    memory.forget(scope, key);
    return;
  }
  if (
    typeof startIndex !== "number" ||
    typeof count !== "number" ||
    typeof expiresAtSeconds !== "number"
  ) {
    return;
  }
  if (kind === "done") {
    memory.apply({ kind, scope, key, startIndex, count, expiresAtSeconds });
  } else if (kind === "intent" && isJsonObject(target)) {
    memory.apply({
      kind,
      scope,
      key,
      startIndex,
      count,
      expiresAtSeconds,
      target: target as JsonObject,
    });
  }
}
