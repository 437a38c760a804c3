import { run } from "./cli.js";

/**
 * Runs the `dreamlake-server` command in this process: its environment, working folder
 * and output, stopping on SIGINT or SIGTERM. Used by `dreamlake-server` and by
 * `dreamlake serve`.
 *
 * @returns the exit code
 */
export function runInProcess(args: readonly string[]): Promise<number> {
  const shutdown = new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  return run(args, {
    env: process.env,
    cwd: process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    waitForShutdown: () => shutdown,
  });
}
