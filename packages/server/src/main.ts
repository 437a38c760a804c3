#!/usr/bin/env node
/**
 * The `dreamlake-server` command: `npm start` in this package serves the API on port
 * 3000 with embedded storage; `dreamlake-server token <user>` prints a token.
 *
 * @module
 */
import { run } from "./cli.js";

const shutdown = new Promise<void>((resolve) => {
  process.once("SIGINT", resolve);
  process.once("SIGTERM", resolve);
});

process.exitCode = await run(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  waitForShutdown: () => shutdown,
});
