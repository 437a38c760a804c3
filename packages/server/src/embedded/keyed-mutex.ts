/**
 * Runs async sections one at a time per key, in call order, inside this process.
 * Sections on different keys run concurrently.
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Runs `section` after every earlier section on `key` has settled. */
  async run<T>(key: string, section: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(section, section);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    try {
      return await result;
    } finally {
      // The last section of a key removes it, so idle keys cost no memory.
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
