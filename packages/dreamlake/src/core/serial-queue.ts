/**
 * Runs async operations one at a time, in call order: each starts when the one before it
 * has settled (resolved or rejected). A failed operation does not stop the queue; its
 * error goes to its own caller only.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `operation` after every operation queued before it has settled. */
  run<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(operation, operation);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
