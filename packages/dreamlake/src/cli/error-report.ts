import { DreamlakeError } from "../core/errors.js";
import type { CliIo } from "./cli-io.js";
import { UsageError } from "./command-spec.js";
import { EXIT_CODES } from "./exit-codes.js";
import { StoppedError } from "./stop-reasons.js";

/** A Node system error (`ENOENT`, `EACCES`, ...): its message names the path. */
function isSystemError(error: unknown): error is Error & { readonly code: string } {
  return (
    error instanceof Error &&
    "code" in error &&
    typeof error.code === "string" &&
    /^E[A-Z]+$/.test(error.code)
  );
}

/** The error to report: the first dreamlake error inside an AggregateError (a failed close). */
function mainError(error: unknown): unknown {
  if (error instanceof AggregateError) {
    return (
      error.errors.find((inner) => inner instanceof DreamlakeError) ?? error.errors[0] ?? error
    );
  }
  return error;
}

/**
 * Reports a failed command as one line on standard error (never a stack trace, unless
 * `DREAMLAKE_DEBUG` is set) and gives its exit code: 2 for a usage mistake, 1 otherwise.
 */
export function reportError(
  error: unknown,
  io: CliIo,
  env: Readonly<Record<string, string | undefined>>,
): number {
  const shown = mainError(error);
  if (shown instanceof StoppedError) {
    io.err("dreamlake: interrupted\n");
    return EXIT_CODES.interrupted;
  }
  if (shown instanceof UsageError) {
    io.err(`dreamlake: ${shown.message}\n(dreamlake <command> --help shows the usage)\n`);
    return EXIT_CODES.usage;
  }
  if (shown instanceof DreamlakeError) {
    io.err(`dreamlake: ${shown.message} (${shown.code})\n`);
  } else if (isSystemError(shown)) {
    io.err(`dreamlake: ${shown.message}\n`);
  } else {
    io.err(
      `dreamlake: internal error: ${shown instanceof Error ? shown.message : String(shown)}\n`,
    );
  }
  if (env["DREAMLAKE_DEBUG"] !== undefined && shown instanceof Error && shown.stack !== undefined) {
    io.err(`${shown.stack}\n`);
  }
  return EXIT_CODES.error;
}
