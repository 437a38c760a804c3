/**
 * Serialises async critical sections per key inside one process. Two `Session`
 * objects of one process that write the same track queue here, instead of spinning on
 * the file lock.
 */
export class InProcessMutex {
  readonly #tails = new Map<string, Promise<void>>();

  /**
   * Waits for the section on `key`.
   *
   * @returns a release function, or `undefined` when `timeoutMs` passed first
   */
  async acquire(key: string, timeoutMs: number): Promise<(() => void) | undefined> {
    const previous = this.#tails.get(key);
    let release: () => void = () => undefined;
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous === undefined ? current : previous.then(() => current);
    this.#tails.set(key, tail);
    const done = (): void => {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    };
    // Uncontended (the common case): no timer, no waiting.
    if (previous === undefined) return done;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => {
        resolve(true);
      }, timeoutMs);
    });
    const isTimedOut = await Promise.race([previous.then(() => false), timedOut]);
    clearTimeout(timer);
    if (isTimedOut) {
      // Keep the queue intact: our turn passes as soon as it comes.
      void previous.then(done);
      return undefined;
    }
    return done;
  }
}
