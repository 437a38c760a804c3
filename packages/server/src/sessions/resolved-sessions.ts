import { NotFoundError, type Clock } from "dreamlake/engine";
import type { SessionAccess, SessionRecord } from "./session-registry.js";

/** Sessions a replica's registry resolved lately, so that most requests ask no database. */
export class ResolvedSessions {
  readonly #clock: Clock;
  readonly #cacheMs: number;
  readonly #resolved = new Map<string, { readonly record: SessionRecord; readonly atMs: number }>();

  /**
   * @param cacheMs how long a resolved session is reused without asking the database: a
   *   change of `writeProtected` made through another replica takes effect within this time
   *   (0: never reused)
   */
  constructor(clock: Clock, cacheMs: number) {
    this.#clock = clock;
    this.#cacheMs = cacheMs;
  }

  /**
   * The access to session `id` of `namespace`: from a record remembered less than `cacheMs`
   * ago, else from `describe` (which remembers it).
   *
   * @throws {NotFoundError} for another namespace's session, answered like a missing one
   */
  async access(
    namespace: string,
    id: string,
    describe: () => Promise<SessionRecord>,
  ): Promise<SessionAccess> {
    const cached = this.#resolved.get(id);
    const record =
      cached !== undefined && this.#nowMs() - cached.atMs < this.#cacheMs
        ? cached.record
        : await describe();
    if (record.namespace !== namespace) {
      throw new NotFoundError(`Session ${JSON.stringify(id)} not found`);
    }
    const { workspace, name, writeProtected } = record;
    return { id: record.id, namespace, workspace, name, writeProtected };
  }

  /** Remembers a record just read or written, and gives it back. */
  remember(record: SessionRecord): SessionRecord {
    if (this.#cacheMs <= 0) return record;
    // Bounded: forgetting every entry at once is fine, each costs one query to learn again.
    if (this.#resolved.size >= 10_000) this.#resolved.clear();
    this.#resolved.set(record.id, { record, atMs: this.#nowMs() });
    return record;
  }

  #nowMs(): number {
    return this.#clock.nowSeconds() * 1000;
  }
}
