import type { CliContext, CliIo } from "./cli-io.js";
import { COMMANDS } from "./command-list.js";
import { runProgram } from "./commander-program.js";
import { reportError } from "./error-report.js";
import { packageVersion } from "./package-version.js";

// Commander wraps the text to the terminal's width: one paragraph per line here.
const DESCRIPTION = [
  "Track experiments and robot runs: list, read, follow, export, import and sync sessions.",
  "",
  "A session is named by its prefix (workspace/name). Commands read the local folder given by --root (default .dreamlake), or a dreamlake server given by --url (the token comes from DREAMLAKE_API_KEY). Exit codes: 0 done, 1 error, 2 usage mistake.",
].join("\n");

const EXAMPLES = [
  "dreamlake demo                           # write a demo session and read it back",
  "dreamlake ls                             # the sessions in .dreamlake",
  "dreamlake read project/run-1 train --limit 5",
  "dreamlake ui                             # the dashboard in the browser",
];

/**
 * Runs the command line `args` (without `node` and the script).
 *
 * @param context the environment and the stop signal; tests leave them out
 * @returns the exit code: 0 on success, 1 on an error, 2 on a usage error
 */
export async function run(
  args: readonly string[],
  io: CliIo,
  context: Partial<Omit<CliContext, "io">> = {},
): Promise<number> {
  const env = context.env ?? {};
  const full: CliContext = { io, env, signal: context.signal ?? new AbortController().signal };
  try {
    return await runProgram(
      {
        name: "dreamlake",
        version: packageVersion(),
        description: DESCRIPTION,
        examples: EXAMPLES,
      },
      COMMANDS,
      args,
      full,
    );
  } catch (error: unknown) {
    return reportError(error, io, env);
  }
}
