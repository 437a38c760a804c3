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
import { pathToFileURL } from "node:url";
import { run } from "./run.js";

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  run(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `dreamlake: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
