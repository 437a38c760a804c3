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
import { runInProcess } from "./process-run.js";

// This file is the command: it runs when loaded (by `bin/dreamlake.js`, the installed
// link, or `node dist/cli/main.js`). Code that wants the command without running it
// imports `run` from run.ts.
runInProcess(process.argv.slice(2));
