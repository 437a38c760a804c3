import type { LocalTracks } from "dreamlake/engine";

type Entry = {
  readonly tracks: LocalTracks;
  /** Operations using `tracks` right now; an entry in use is never closed. */
  users: number;
};

/**
 * The open {@link LocalTracks} of recently used sessions. Each holds open file handles
 * (data and index file per track), so at most `capacity` idle sessions stay open; the
 * least recently used idle ones are closed when more are opened.
 */
export class SessionTracksCache {
  readonly #capacity: number;
  /** Insertion order is recency order: a used entry is moved to the end. */
  readonly #entries = new Map<string, Entry>();
  readonly #closing = new Set<Promise<void>>();

  /** @param capacity sessions kept open; at least 1 */
  constructor(capacity: number) {
    this.#capacity = Math.max(1, capacity);
  }

  /**
   * Runs `use` with the session's tracks (created by `open` when not cached), which stay
   * open until it settles.
   */
  async with<T>(
    sessionId: string,
    open: () => LocalTracks,
    use: (tracks: LocalTracks) => Promise<T>,
  ): Promise<T> {
    let entry = this.#entries.get(sessionId);
    if (entry === undefined) {
      entry = { tracks: open(), users: 0 };
    } else {
      this.#entries.delete(sessionId);
    }
    this.#entries.set(sessionId, entry);
    entry.users++;
    try {
      return await use(entry.tracks);
    } finally {
      entry.users--;
      this.#evict();
    }
  }

  #evict(): void {
    if (this.#entries.size <= this.#capacity) return;
    for (const [id, entry] of this.#entries) {
      if (this.#entries.size <= this.#capacity) break;
      if (entry.users > 0) continue;
      this.#entries.delete(id);
      this.#track(entry.tracks.close());
    }
  }

  #track(closing: Promise<void>): void {
    const settled = closing.catch(() => undefined);
    this.#closing.add(settled);
    void settled.then(() => this.#closing.delete(settled));
  }

  /** Closes every cached session. Call when no operation is running. */
  async close(): Promise<void> {
    for (const entry of this.#entries.values()) this.#track(entry.tracks.close());
    this.#entries.clear();
    await Promise.all(this.#closing);
  }
}
