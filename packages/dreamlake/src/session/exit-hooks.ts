/**
 * Flushes open sessions when the process ends normally (the event loop drains) or on
 * SIGINT/SIGTERM, so that buffered points are written first. The listeners exist only
 * while a session with `flushOnExit` is open. After a signal, when no other listener of
 * the application handles it, the process then ends as it would have by default.
 *
 * `process.exit()` and uncaught exceptions end the process without this flush: call
 * `close()` (or use `withSession` / `await using`) in those paths.
 */

/** What the hooks need from a session. */
export type ExitFlushable = {
  /** Points not yet written, in all tracks. */
  readonly bufferedPoints: number;
  /** Log entries not yet written. */
  readonly bufferedLogs: number;
  /** Writes everything buffered. */
  flushAll(): Promise<void>;
};

const sessions = new Set<ExitFlushable>();
const SIGNALS = ["SIGINT", "SIGTERM"] as const;
let isInstalled = false;
let isFlushingForExit = false;
/** Whether an exit flush failed: the loop would drain again and again, so it is not retried. */
let hasExitFlushFailed = false;

function flushEverything(): Promise<PromiseSettledResult<void>[]> {
  return Promise.allSettled([...sessions].map((session) => session.flushAll()));
}

function reportFailures(results: readonly PromiseSettledResult<void>[]): void {
  for (const result of results) {
    if (result.status === "rejected") {
      // The process is ending: stderr is the only place left to say what was not written.
      process.stderr.write(
        `dreamlake: could not write buffered points before exit: ${String(result.reason)}\n`,
      );
      // Let scripts and CI see that data was lost, unless the application chose a code.
      process.exitCode ??= 1;
    }
  }
}

function onBeforeExit(): void {
  if (isFlushingForExit || hasExitFlushFailed) return;
  if (![...sessions].some((session) => session.bufferedPoints + session.bufferedLogs > 0)) return;
  isFlushingForExit = true;
  void flushEverything().then((results) => {
    isFlushingForExit = false;
    hasExitFlushFailed = results.some((result) => result.status === "rejected");
    reportFailures(results);
  });
}

function onSignal(signal: NodeJS.Signals): void {
  void flushEverything().then((results) => {
    reportFailures(results);
    const isOnlyListener = process.listeners(signal).every((listener) => listener === onSignal);
    if (isOnlyListener) {
      uninstall();
      process.kill(process.pid, signal);
    }
  });
}

function install(): void {
  if (isInstalled) return;
  isInstalled = true;
  process.on("beforeExit", onBeforeExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  if (!isInstalled) return;
  isInstalled = false;
  process.off("beforeExit", onBeforeExit);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/** Starts flushing `session` on exit. */
export function flushOnExit(session: ExitFlushable): void {
  sessions.add(session);
  install();
}

/** Stops flushing `session` on exit (it was closed). */
export function stopFlushingOnExit(session: ExitFlushable): void {
  sessions.delete(session);
  if (sessions.size === 0) uninstall();
}
