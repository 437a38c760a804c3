#!/usr/bin/env node
/**
 * The `dreamlake-server` command: `npm start` in this package serves the API on port
 * 3000 with embedded storage; `dreamlake-server token <user>` prints a token.
 *
 * @module
 */
import { runInProcess } from "./process-io.js";

process.exitCode = await runInProcess(process.argv.slice(2));
