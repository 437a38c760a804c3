import type { CliContext } from "../cli-io.js";
import type { CommandInput, CommandSpec } from "../command-spec.js";
import { EXIT_CODES } from "../exit-codes.js";
import { JSON_OPTION, ROOT_OPTIONS, URL_OPTION } from "../common-options.js";
import { jsonLine } from "../json-lines.js";
import { withSessionReader } from "../session-access.js";
import { assertTrackExists } from "./read-command.js";

/** `dreamlake stats PREFIX TRACK`: the track's statistics. */
export const STATS_COMMAND: CommandSpec = {
  name: "stats",
  summary: "print a track's statistics (points, time range, metadata)",
  arguments: [
    { name: "prefix", description: "the session (workspace/name)" },
    { name: "track", description: "the track name" },
  ],
  options: [JSON_OPTION, ...ROOT_OPTIONS, URL_OPTION],
  examples: ["dreamlake stats project/my-experiment train"],
  async run(input: CommandInput, context: CliContext): Promise<number> {
    const track = input.arg(1);
    await withSessionReader(input, context, input.arg(0), async (reader) => {
      await assertTrackExists(reader, track);
      const stats = await reader.tracks.stats(track);
      if (input.flag("json")) {
        context.io.out(`${jsonLine(stats)}\n`);
        return;
      }
      const width = Math.max(...Object.keys(stats).map((key) => key.length));
      for (const [key, value] of Object.entries(stats)) {
        const text = typeof value === "string" ? value : jsonLine(value);
        context.io.out(`${`${key}:`.padEnd(width + 2)}${text}\n`);
      }
    });
    return EXIT_CODES.ok;
  },
};
