import type { TrackStats } from "../../core/track-results.js";
import type { CliContext } from "../cli-io.js";
import type { CommandInput, CommandSpec } from "../command-spec.js";
import { EXIT_CODES } from "../exit-codes.js";
import { JSON_OPTION, ROOT_OPTIONS, URL_OPTION } from "../common-options.js";
import { jsonLine } from "../json-lines.js";
import { withSessionReader } from "../session-access.js";
import { tableText } from "../text-output.js";

function timeText(iso: string | null): string {
  return iso ?? "-";
}

/** `dreamlake tracks PREFIX`: the session's tracks with their point counts and time range. */
export const TRACKS_COMMAND: CommandSpec = {
  name: "tracks",
  summary: "list a session's tracks with their points and time range",
  arguments: [{ name: "prefix", description: "the session (workspace/name)" }],
  options: [JSON_OPTION, ...ROOT_OPTIONS, URL_OPTION],
  examples: [
    "dreamlake tracks project/my-experiment",
    "dreamlake tracks project/my-experiment --json",
  ],
  async run(input: CommandInput, context: CliContext): Promise<number> {
    await withSessionReader(input, context, input.arg(0), async (reader) => {
      const all: TrackStats[] = [];
      for (const name of await reader.tracks.list()) all.push(await reader.tracks.stats(name));
      if (input.flag("json")) {
        for (const stats of all) {
          context.io.out(
            `${jsonLine({
              name: stats.name,
              totalDataPoints: stats.totalDataPoints,
              firstTs: stats.firstTs,
              lastTs: stats.lastTs,
            })}\n`,
          );
        }
        return;
      }
      context.io.out(
        tableText(
          ["TRACK", "POINTS", "FIRST", "LAST"],
          all.map((stats) => [
            stats.name,
            String(stats.totalDataPoints),
            timeText(stats.firstDataAt),
            timeText(stats.lastDataAt),
          ]),
        ),
      );
    });
    return EXIT_CODES.ok;
  },
};
