/**
 * Live updates for the dashboard: one watcher per watched thing (a track, a session's
 * log), shared by every viewer. A watcher polls its value while at least one listener is
 * attached, and tells each listener when the value changed; the last listener to leave
 * stops it. So ten browser tabs on one track cost one poll per interval, not ten.
 *
 * @module
 */

/** Who hears a watcher. */
export type LiveListener<T> = {
  /** The current value on attach (once known), then every changed value. */
  readonly value: (value: T) => void;
  /** The hub closed: no more values come. */
  readonly closed: () => void;
};

/** Options of a {@link LiveHub}. */
export type LiveHubOptions = {
  /** Time between two polls of one watcher, in ms. @defaultValue 500 */
  readonly intervalMs?: number;
  /** Told about a poll that failed (the watcher keeps polling). */
  readonly onError?: (key: string, error: unknown) => void;
};

/** Default {@link LiveHubOptions.intervalMs}: updates show within about a second. */
export const DEFAULT_LIVE_INTERVAL_MS = 500;

type Watcher = {
  readonly poll: () => Promise<unknown>;
  readonly listeners: Set<LiveListener<unknown>>;
  /** JSON text of the last value sent, to tell a change. */
  lastText: string | undefined;
  lastValue: unknown;
  timer: ReturnType<typeof setTimeout> | undefined;
};

/** The watchers of one server. */
export class LiveHub {
  readonly #intervalMs: number;
  readonly #onError: (key: string, error: unknown) => void;
  readonly #watchers = new Map<string, Watcher>();
  #isClosed = false;

  constructor(options: LiveHubOptions = {}) {
    this.#intervalMs = options.intervalMs ?? DEFAULT_LIVE_INTERVAL_MS;
    this.#onError = options.onError ?? (() => undefined);
  }

  /** Watchers polling now (one per watched key with listeners). */
  get watcherCount(): number {
    return this.#watchers.size;
  }

  /**
   * Attaches a listener to the watcher of `key`, starting it (with `poll`) when it is the
   * first. Listeners of one key share the first listener's `poll`: a key must name one
   * thing.
   *
   * @returns detaches the listener (idempotent)
   */
  watch<T>(key: string, poll: () => Promise<T>, listener: LiveListener<T>): () => void {
    const attached = listener as LiveListener<unknown>;
    if (this.#isClosed) {
      queueMicrotask(() => {
        attached.closed();
      });
      return () => undefined;
    }
    let watcher = this.#watchers.get(key);
    if (watcher === undefined) {
      watcher = {
        poll,
        listeners: new Set(),
        lastText: undefined,
        lastValue: undefined,
        timer: undefined,
      };
      this.#watchers.set(key, watcher);
      watcher.listeners.add(attached);
      this.#schedule(key, watcher, 0);
    } else {
      watcher.listeners.add(attached);
      if (watcher.lastText !== undefined) {
        const value = watcher.lastValue;
        queueMicrotask(() => {
          attached.value(value);
        });
      }
    }
    const owner = watcher;
    return () => {
      owner.listeners.delete(attached);
      if (owner.listeners.size === 0 && this.#watchers.get(key) === owner) {
        clearTimeout(owner.timer);
        this.#watchers.delete(key);
      }
    };
  }

  /** Stops every watcher and tells every listener. Idempotent. */
  close(): void {
    this.#isClosed = true;
    for (const watcher of this.#watchers.values()) {
      clearTimeout(watcher.timer);
      for (const listener of watcher.listeners) listener.closed();
    }
    this.#watchers.clear();
  }

  #schedule(key: string, watcher: Watcher, delayMs: number): void {
    watcher.timer = setTimeout(() => {
      void this.#pollOnce(key, watcher);
    }, delayMs);
  }

  async #pollOnce(key: string, watcher: Watcher): Promise<void> {
    try {
      const value = await watcher.poll();
      const text = JSON.stringify(value);
      if (text !== watcher.lastText && this.#watchers.get(key) === watcher) {
        watcher.lastText = text;
        watcher.lastValue = value;
        for (const listener of watcher.listeners) listener.value(value);
      }
    } catch (error: unknown) {
      this.#onError(key, error);
    }
    // Detached or closed while polling: the watcher is gone, nothing more to do.
    if (this.#watchers.get(key) === watcher) this.#schedule(key, watcher, this.#intervalMs);
  }
}
