import type { CliContext } from "./cli-io.js";
import { EXIT_CODES } from "./exit-codes.js";

/**
 * Runs a command of `@dreamlake/server` (`serve`, `ui`) in this process. The SDK never
 * depends on the server: it is loaded only when asked for.
 *
 * @returns the server command's exit code, or 1 when the package is missing
 */
export async function runServerCommand(
  args: readonly string[],
  context: CliContext,
): Promise<number> {
  const serverPackage = "@dreamlake/server";
  let server: { runInProcess?: (args: readonly string[]) => Promise<number> };
  try {
    server = (await import(serverPackage)) as typeof server;
  } catch {
    context.io.err(
      `dreamlake: ${args[0] ?? "this command"} needs the server package: npm install @dreamlake/server\n`,
    );
    return EXIT_CODES.error;
  }
  if (typeof server.runInProcess !== "function") {
    context.io.err(
      "dreamlake: this version of @dreamlake/server cannot be started from the dreamlake command\n",
    );
    return EXIT_CODES.error;
  }
  return server.runInProcess(args);
}
