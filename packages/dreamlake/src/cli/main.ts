#!/usr/bin/env node
/**
 * The `dreamlake` command.
 *
 * @example
 * ```sh
 * dreamlake demo                      # a training loop and a robot loop, read back
 * dreamlake tracks project/run-1      # list a session's tracks
 * dreamlake read project/run-1 train --limit 5
 * dreamlake serve                     # the dreamlake server (needs @dreamlake/server)
 * ```
 *
 * @module
 */
import { run } from "./run.js";

// This file is the command: it runs when loaded (by `bin/dreamlake.js`, the installed
// link, or `node dist/cli/main.js`). Code that wants the command without running it
// imports `run` from run.ts.
run(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`dreamlake: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
