import { parseArgs } from "node:util";
import { DreamlakeError } from "../core/errors.js";
import { withSession } from "../session/session.js";
import type { CliIo } from "./cli-io.js";
import { runDemo } from "./demo.js";

const HELP = `dreamlake: track experiments and robot runs

Usage:
  dreamlake demo [--local-path DIR] [--prefix WS/NAME]
  dreamlake tracks PREFIX [--local-path DIR]
  dreamlake read PREFIX TRACK [--start N] [--limit N] [--local-path DIR]
  dreamlake read-time PREFIX TRACK [--start-time S] [--end-time S] [--limit N] [--reverse] [--local-path DIR]
  dreamlake serve            start the dreamlake server (package @dreamlake/server)
  dreamlake help

--local-path defaults to .dreamlake. Output of read commands is one JSON object per line.
`;

const OPTIONS = {
  "local-path": { type: "string", default: ".dreamlake" },
  prefix: { type: "string" },
  start: { type: "string" },
  limit: { type: "string" },
  "start-time": { type: "string" },
  "end-time": { type: "string" },
  reverse: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

function numberOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value))
    throw new UsageError(`--${name} must be a number, got ${JSON.stringify(text)}`);
  return value;
}

class UsageError extends Error {}

/**
 * Runs the command line `args` (without `node` and the script).
 *
 * @returns the exit code: 0 on success, 1 on an error, 2 on a usage error
 */
export async function run(args: readonly string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(args, io);
  } catch (error: unknown) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n\n${HELP}`);
      return 2;
    }
    if (error instanceof DreamlakeError) {
      io.err(`dreamlake: ${error.message} (${error.code})\n`);
      return 1;
    }
    throw error;
  }
}

async function dispatch(args: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  const localPath = values["local-path"];
  if (command === undefined || command === "help" || values.help) {
    io.out(HELP);
    return command === undefined && !values.help ? 2 : 0;
  }
  switch (command) {
    case "demo":
      await runDemo({ localPath, prefix: values.prefix ?? `demo/run-${Date.now()}` }, io);
      return 0;
    case "tracks": {
      const [prefix] = rest;
      if (prefix === undefined) throw new UsageError("tracks needs a session PREFIX");
      await withSession({ prefix, localPath, flushOnExit: false }, async (session) => {
        for (const name of await session.tracks.list()) io.out(`${name}\n`);
      });
      return 0;
    }
    case "read":
    case "read-time": {
      const [prefix, track] = rest;
      if (prefix === undefined || track === undefined)
        throw new UsageError(`${command} needs PREFIX and TRACK`);
      await withSession({ prefix, localPath, flushOnExit: false }, async (session) => {
        const limit = numberOption("limit", values.limit);
        const result =
          command === "read"
            ? await session.track(track).read({
                startIndex: numberOption("start", values.start) ?? 0,
                ...(limit === undefined ? {} : { limit }),
              })
            : await session.track(track).readByTime({
                startTime: numberOption("start-time", values["start-time"]) ?? null,
                endTime: numberOption("end-time", values["end-time"]) ?? null,
                reverse: values.reverse,
                ...(limit === undefined ? {} : { limit }),
              });
        for (const row of result.data)
          io.out(
            `${JSON.stringify(row, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value))}\n`,
          );
      });
      return 0;
    }
    case "serve": {
      // The SDK never depends on the server: it is loaded only when asked for.
      const serverPackage = "@dreamlake/server";
      let server: { runInProcess?: (args: readonly string[]) => Promise<number> };
      try {
        server = (await import(serverPackage)) as typeof server;
      } catch {
        io.err("dreamlake: serve needs the server package: npm install @dreamlake/server\n");
        return 1;
      }
      if (typeof server.runInProcess !== "function") {
        io.err(
          "dreamlake: this version of @dreamlake/server cannot be started from the dreamlake command\n",
        );
        return 1;
      }
      return server.runInProcess(["serve", ...rest]);
    }
    default:
      throw new UsageError(`Unknown command ${JSON.stringify(command)}`);
  }
}
