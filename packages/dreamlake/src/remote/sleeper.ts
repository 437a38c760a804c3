/** Waiting, injected so that tests of retries and background sending never sleep. */
export interface Sleeper {
  /**
   * Resolves after `ms`, or as soon as `signal` aborts (it never rejects).
   *
   * @param options.keepAlive whether the wait keeps the process alive: yes for a caller
   * awaiting a result, no for background work @defaultValue true
   */
  sleep(
    ms: number,
    options?: { readonly keepAlive?: boolean; readonly signal?: AbortSignal },
  ): Promise<void>;
}

/** {@link Sleeper} on `setTimeout`. */
export const timerSleeper: Sleeper = {
  sleep(ms, options = {}) {
    return new Promise<void>((resolve) => {
      const { signal } = options;
      if (signal?.aborted === true) {
        resolve();
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      if (options.keepAlive === false) timer.unref();
      signal?.addEventListener("abort", done, { once: true });
    });
  },
};
