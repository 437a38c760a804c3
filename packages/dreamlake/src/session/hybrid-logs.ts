import type { LogQuery, LogReadResult, NewLogEntry } from "../core/log-entry.js";
import { Outbox } from "../remote/outbox.js";
import type { RemoteLogs } from "../remote/remote-logs.js";
import type { OutboxSettings } from "./hybrid-tracks.js";
import type { LogsBackend } from "./logs-backend.js";

/**
 * The log of a hybrid session: entries are appended to the local `logs/logs.jsonl`
 * first (which numbers them), then sent to the server in the background, in order;
 * reads are answered locally. The server numbers its copy itself.
 */
export class HybridLogs implements LogsBackend {
  readonly #local: LogsBackend;
  readonly #outbox: Outbox<readonly NewLogEntry[]>;

  constructor(local: LogsBackend, remote: RemoteLogs, settings: OutboxSettings) {
    this.#local = local;
    this.#outbox = new Outbox<readonly NewLogEntry[]>({
      ...settings,
      name: "the log",
      unit: "log entries",
      sizeOf: (entries) => entries.length,
      send: async (entries) => {
        await remote.append(entries);
      },
    });
  }

  async append(entries: readonly NewLogEntry[]): Promise<{ readonly firstSequence: number }> {
    const result = await this.#local.append(entries);
    this.#outbox.push(entries);
    return result;
  }

  read(query: LogQuery): Promise<LogReadResult> {
    return this.#local.read(query);
  }

  /** The queue of entries not yet on the server. */
  get outbox(): Outbox<readonly NewLogEntry[]> {
    return this.#outbox;
  }
}
