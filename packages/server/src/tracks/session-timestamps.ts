import { TimestampResolver, type Clock } from "dreamlake/engine";

/** Sessions whose `_ts` state is kept; the least recently used beyond this are forgotten. */
export const DEFAULT_TIMESTAMP_SESSIONS = 10_000;

/**
 * The `_ts` rules of the SDK, applied per session on the server: a point sent without
 * `_ts` gets the server's clock time, strictly increasing within the session, and
 * `_ts: -1` takes the last `_ts` the session's points used. The state of a session idle
 * for long (past `capacity` more recent ones) is dropped; that only matters for `-1`.
 */
export class SessionTimestamps {
  readonly #clock: Clock;
  readonly #capacity: number;
  readonly #resolvers = new Map<string, TimestampResolver>();

  constructor(clock: Clock, capacity = DEFAULT_TIMESTAMP_SESSIONS) {
    this.#clock = clock;
    this.#capacity = Math.max(1, capacity);
  }

  /** The resolver of one session (created on first use). */
  for(sessionId: string): TimestampResolver {
    let resolver = this.#resolvers.get(sessionId);
    if (resolver === undefined) {
      resolver = new TimestampResolver(this.#clock);
      if (this.#resolvers.size >= this.#capacity) {
        const oldest = this.#resolvers.keys().next();
        if (oldest.done !== true) this.#resolvers.delete(oldest.value);
      }
    } else {
      this.#resolvers.delete(sessionId);
    }
    this.#resolvers.set(sessionId, resolver);
    return resolver;
  }
}
