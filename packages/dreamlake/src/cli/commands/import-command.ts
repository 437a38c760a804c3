import { importableChannels, importMcap } from "../../exchange/mcap/mcap-import.js";
import { openMcapFile } from "../../exchange/mcap/mcap-file-reader.js";
import { openFileSource } from "../../exchange/node/file-source.js";
import { API_KEY_VARIABLE } from "../../remote/remote-settings.js";
import { withSession } from "../../session/session.js";
import type { CliContext } from "../cli-io.js";
import { UsageError, type CommandInput, type CommandSpec } from "../command-spec.js";
import { JSON_OPTION, QUIET_OPTION, ROOT_OPTIONS, URL_OPTION, rootOf } from "../common-options.js";
import { EXIT_CODES } from "../exit-codes.js";
import { jsonLine } from "../json-lines.js";
import { progressOnTerminal } from "../progress-bar.js";
import { throwIfStopped } from "../stop-reasons.js";

/**
 * The token for `--url`, from the command's environment (`DREAMLAKE_API_KEY`; the session
 * refuses to open without one).
 */
function apiKeyOf(env: Readonly<Record<string, string | undefined>>): { apiKey?: string } {
  const apiKey = env[API_KEY_VARIABLE];
  return apiKey === undefined ? {} : { apiKey };
}

/** `dreamlake import FILE.mcap --prefix PREFIX`: the JSON channels of an MCAP file as tracks. */
export const IMPORT_COMMAND: CommandSpec = {
  name: "import",
  summary: "import the JSON channels of an MCAP file as tracks of a session",
  description:
    "Reads an MCAP file and appends each channel with JSON messages to the track named by its " +
    "topic (a leading / removed), one point per message, with _ts from its log_time. A file " +
    "with channels of other message encodings is refused whole, naming them.",
  arguments: [{ name: "file", description: "the MCAP file" }],
  options: [
    {
      flags: "--prefix <workspace/name>",
      description: "the session to import into (created when missing)",
    },
    QUIET_OPTION,
    JSON_OPTION,
    ...ROOT_OPTIONS,
    URL_OPTION,
  ],
  examples: [
    "dreamlake import run.mcap --prefix project/imported",
    "DREAMLAKE_API_KEY=<token> dreamlake import run.mcap --prefix project/imported --url http://127.0.0.1:3000",
  ],
  async run(input: CommandInput, context: CliContext): Promise<number> {
    const path = input.arg(0);
    const prefix = input.text("prefix");
    if (prefix === undefined)
      throw new UsageError("--prefix is required: the session to import into");
    const source = await openFileSource(path);
    let counts: ReadonlyMap<string, number>;
    try {
      const reader = await openMcapFile(source);
      // Refused before the session is opened, so that a refused file creates nothing.
      importableChannels(path, reader.channels);
      const bar = progressOnTerminal(context.io, {
        label: "import",
        total: reader.messageCount,
        isQuiet: input.flag("quiet"),
      });
      try {
        const url = input.text("url");
        counts = await withSession(
          url === undefined
            ? { prefix, localPath: rootOf(input), flushOnExit: false }
            : { prefix, url, ...apiKeyOf(context.env), flushOnExit: false },
          (session) =>
            importMcap(
              path,
              reader,
              {
                append: async (track, points) => {
                  await session.track(track).appendBatch(points);
                },
              },
              (count) => {
                throwIfStopped(context);
                bar.add(count);
              },
            ),
        );
      } finally {
        bar.finish();
      }
    } finally {
      await source.close();
    }
    for (const [track, points] of counts) {
      context.io.out(
        input.flag("json") ? `${jsonLine({ track, points })}\n` : `${track}  ${points} points\n`,
      );
    }
    return EXIT_CODES.ok;
  },
};
