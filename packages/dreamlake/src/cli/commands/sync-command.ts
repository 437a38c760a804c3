import { openServerSession } from "../../sync/server-session.js";
import { syncSession } from "../../sync/session-sync.js";
import type { CliContext } from "../cli-io.js";
import { UsageError, type CommandInput, type CommandSpec } from "../command-spec.js";
import { JSON_OPTION, QUIET_OPTION, ROOT_OPTIONS, rootOf } from "../common-options.js";
import { EXIT_CODES } from "../exit-codes.js";
import { jsonLine } from "../json-lines.js";
import { progressOnTerminal, type Progress } from "../progress-bar.js";
import { openLocalSessionReader } from "../../session/local-session-reader.js";
import { throwIfStopped } from "../stop-reasons.js";

/** `dreamlake sync PREFIX --url URL`: pushes a local session to a server. */
export const SYNC_COMMAND: CommandSpec = {
  name: "sync",
  summary: "push a local session (tracks, params, logs, files) to a server",
  description:
    "Sends what the server lacks of a local session: each track's points after those it has, " +
    "log entries after those it has, params that differ, files it does not hold. It asks the " +
    "server each time, so a second run sends only what is missing and a run cut short (Ctrl-C, " +
    "a lost connection, kill -9) is finished by the next one, sending nothing twice. It can run " +
    "while the session is still being written (the points written meanwhile go with the next " +
    "run). Run one sync per session at a time. The token comes from DREAMLAKE_API_KEY.",
  arguments: [{ name: "prefix", description: "the session (workspace/name)" }],
  options: [
    { flags: "--url <url>", description: "the dreamlake server" },
    QUIET_OPTION,
    JSON_OPTION,
    ...ROOT_OPTIONS,
  ],
  examples: [
    "DREAMLAKE_API_KEY=<token> dreamlake sync project/my-experiment --url http://127.0.0.1:3000",
  ],
  async run(input: CommandInput, context: CliContext): Promise<number> {
    const url = input.text("url");
    if (url === undefined) throw new UsageError("--url is required: the server to sync to");
    const local = await openLocalSessionReader(rootOf(input), input.arg(0));
    let bar: Progress | undefined;
    try {
      const server = await openServerSession(url, await local.summary(), context.env);
      const report = await syncSession(local, server, {
        onPlan: (points) => {
          bar = progressOnTerminal(context.io, {
            label: "sync",
            total: points,
            isQuiet: input.flag("quiet"),
          });
        },
        onPoints: (count) => {
          throwIfStopped(context);
          bar?.add(count);
        },
      });
      bar?.finish();
      const json = input.flag("json");
      for (const track of report.tracks) {
        context.io.out(
          json
            ? `${jsonLine({ track: track.name, before: track.before, sent: track.sent })}\n`
            : `${track.name}  ${track.sent} points sent (the server had ${track.before})\n`,
        );
      }
      context.io.out(
        json
          ? `${jsonLine({ logs: report.logs.sent, params: report.params, files: report.files })}\n`
          : `logs  ${report.logs.sent} entries sent; params  ${report.params} keys sent; files  ${report.files} sent\n`,
      );
      return EXIT_CODES.ok;
    } finally {
      bar?.finish();
      await local.close();
    }
  },
};
