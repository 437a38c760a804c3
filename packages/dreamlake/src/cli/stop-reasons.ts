import type { CliContext } from "./cli-io.js";
import { EXIT_CODES } from "./exit-codes.js";

/** Why the context's signal stopped a command (its `reason`). */
export const STOP_REASONS = {
  /** Ctrl-C (SIGINT) or SIGTERM. */
  interrupted: "interrupted",
  /** The reader of standard output went away. */
  outputClosed: "output-closed",
} as const;

/**
 * The exit code of a command that stopped early because its signal was raised: 130 when
 * the user interrupted it, 0 when the reader of its output went away (it got what it wanted).
 */
export function stoppedExitCode(context: CliContext): number {
  return context.signal.reason === STOP_REASONS.interrupted
    ? EXIT_CODES.interrupted
    : EXIT_CODES.ok;
}

/** A command stopped by its signal part-way: it cleaned up (no half file) and ends with 130. */
export class StoppedError extends Error {
  override readonly name = "StoppedError";
}

/**
 * Throws a {@link StoppedError} once the context's signal was raised, so that a long
 * command stops at the next point it checks and cleans up on its way out.
 */
export function throwIfStopped(context: CliContext): void {
  if (context.signal.aborted) throw new StoppedError("interrupted");
}
