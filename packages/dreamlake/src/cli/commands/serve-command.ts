import type { CliContext } from "../cli-io.js";
import type { CommandInput, CommandSpec } from "../command-spec.js";
import { runServerCommand } from "../server-package.js";

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
  run(input: CommandInput, context: CliContext): Promise<number> {
    return runServerCommand(["serve", ...input.rest(0)], context);
  },
};
