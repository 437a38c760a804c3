import { SerialQueue } from "dreamlake/engine";

/**
 * Runs async sections one at a time per key, in call order, inside this process.
 * Sections on different keys run concurrently.
 */
export class KeyedMutex {
  readonly #queues = new Map<string, { readonly queue: SerialQueue; pending: number }>();

  /** Runs `section` after every earlier section on `key` has settled. */
  async run<T>(key: string, section: () => Promise<T>): Promise<T> {
    let entry = this.#queues.get(key);
    if (entry === undefined) {
      entry = { queue: new SerialQueue(), pending: 0 };
      this.#queues.set(key, entry);
    }
    entry.pending++;
    try {
      return await entry.queue.run(section);
    } finally {
      // The last section of a key removes it, so idle keys cost no memory.
      if (--entry.pending === 0) this.#queues.delete(key);
    }
  }
}
