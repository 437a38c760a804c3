import type { CliContext } from "../cli-io.js";
import type { CommandInput, CommandSpec } from "../command-spec.js";
import { EXIT_CODES } from "../exit-codes.js";

/** `dreamlake serve`: the dreamlake server, when `@dreamlake/server` is installed. */
export const SERVE_COMMAND: CommandSpec = {
  name: "serve",
  summary: "start the dreamlake server (the package @dreamlake/server)",
  description:
    "Starts the dreamlake server. Its settings come from the environment (PORT, HOST, " +
    "DREAMLAKE_DATA_DIR, ...; see docs/server.md); arguments go to dreamlake-server.",
  arguments: [{ name: "args", description: "passed to dreamlake-server", isVariadic: true }],
  passesThrough: true,
  examples: ["PORT=3000 dreamlake serve"],
  async run(input: CommandInput, context: CliContext): Promise<number> {
    // The SDK never depends on the server: it is loaded only when asked for.
    const serverPackage = "@dreamlake/server";
    let server: { runInProcess?: (args: readonly string[]) => Promise<number> };
    try {
      server = (await import(serverPackage)) as typeof server;
    } catch {
      context.io.err("dreamlake: serve needs the server package: npm install @dreamlake/server\n");
      return EXIT_CODES.error;
    }
    if (typeof server.runInProcess !== "function") {
      context.io.err(
        "dreamlake: this version of @dreamlake/server cannot be started from the dreamlake command\n",
      );
      return EXIT_CODES.error;
    }
    return server.runInProcess(["serve", ...input.rest(0)]);
  },
};
