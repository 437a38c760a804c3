/**
 * Runs a synchronous step and returns its outcome as a Promise: a throw becomes a
 * rejection. In-memory adapters use it so that they fail like their I/O siblings, whose
 * callers write `await store.call()` and never expect a synchronous throw.
 */
export function promiseOf<T>(step: () => T): Promise<T> {
  try {
    return Promise.resolve(step());
  } catch (error: unknown) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
