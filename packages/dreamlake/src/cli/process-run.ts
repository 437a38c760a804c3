import { EXIT_CODES } from "./exit-codes.js";
import { processIo } from "./process-io.js";
import { run } from "./run.js";
import { STOP_REASONS } from "./stop-reasons.js";

/** After Ctrl-C, how long a command may take to stop cleanly before the process is ended. */
const STOP_GRACE_MS = 3000;
const INTERRUPTED_EXIT_CODE = EXIT_CODES.interrupted;

/**
 * Runs the command line in this process: standard output and error, the environment, and
 * a stop signal raised by Ctrl-C, SIGTERM or a closed standard output. A command that
 * handles the signal (`tail -f`) ends by itself with its own exit code; one still running
 * after a grace period (or at a second Ctrl-C) is ended with code 130.
 */
export function runInProcess(args: readonly string[]): void {
  const controller = new AbortController();
  let isOutputClosed = false;
  const io = processIo(() => {
    isOutputClosed = true;
    controller.abort(STOP_REASONS.outputClosed);
  });
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(INTERRUPTED_EXIT_CODE);
    controller.abort(STOP_REASONS.interrupted);
    setTimeout(() => process.exit(INTERRUPTED_EXIT_CODE), STOP_GRACE_MS).unref();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  run(args, io, { env: process.env, signal: controller.signal }).then(
    (code) => {
      // A reader that went away is not an error of ours: `head -1` got what it wanted.
      process.exitCode = isOutputClosed ? 0 : code;
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
    (error: unknown) => {
      process.stderr.write(
        `dreamlake: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
