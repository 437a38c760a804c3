import { MAX_READ_LIMIT } from "../../core/limits.js";
import type { IndexedPoint } from "../../core/track-results.js";
import { NotFoundError } from "../../core/errors.js";
import type { CliContext } from "../cli-io.js";
import type { CommandInput, CommandSpec } from "../command-spec.js";
import { JSON_OPTION, ROOT_OPTIONS, URL_OPTION } from "../common-options.js";
import { EXIT_CODES } from "../exit-codes.js";
import { integerOption, listOption } from "../option-values.js";
import { pointPrinter } from "../point-printer.js";
import { withSessionReader } from "../session-access.js";

/** How often a followed track is looked at, by default. */
const DEFAULT_INTERVAL_MS = 250;

/** Waits `ms`, or less when `signal` is raised. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** The points with only the fields asked for (and `_ts`). */
function withFields(
  points: readonly IndexedPoint[],
  fields: readonly string[] | undefined,
): readonly IndexedPoint[] {
  if (fields === undefined) return points;
  return points.map(({ index, data }) => {
    const kept: Record<string, unknown> = {};
    if (data["_ts"] !== undefined) kept["_ts"] = data["_ts"];
    for (const field of fields) if (data[field] !== undefined) kept[field] = data[field];
    return { index, data: kept as IndexedPoint["data"] };
  });
}

/** `dreamlake tail PREFIX TRACK`: the newest points, and with -f the new ones as they come. */
export const TAIL_COMMAND: CommandSpec = {
  name: "tail",
  summary: "print a track's newest points, and with -f follow new ones as they are written",
  description:
    "Prints the last points of a track; with -f, keeps printing the points another process " +
    "appends (locally by looking at the track's files, on a server by asking it) until Ctrl-C, " +
    "which ends it with exit code 0. With -f, a track not written yet is waited for.",
  arguments: [
    { name: "prefix", description: "the session (workspace/name)" },
    { name: "track", description: "the track name" },
  ],
  options: [
    { flags: "-f, --follow", description: "keep printing new points until Ctrl-C" },
    {
      flags: "-n, --lines <n>",
      description: "how many of the newest points to print first (default 10)",
    },
    { flags: "--fields <a,b>", description: "print only these fields (and _ts)" },
    {
      flags: "--interval-ms <ms>",
      description: `how often to look for new points (default ${DEFAULT_INTERVAL_MS})`,
    },
    JSON_OPTION,
    ...ROOT_OPTIONS,
    URL_OPTION,
  ],
  examples: [
    "dreamlake tail -f project/my-experiment train",
    "dreamlake tail -f project/my-experiment robot/pose --fields position --url http://127.0.0.1:3000",
  ],
  async run(input: CommandInput, context: CliContext): Promise<number> {
    const track = input.arg(1);
    const lines = integerOption(input, "lines", "--lines") ?? 10;
    const intervalMs =
      integerOption(input, "intervalMs", "--interval-ms", { min: 10, max: 60_000 }) ??
      DEFAULT_INTERVAL_MS;
    const fields = listOption(input, "fields");
    const isFollowing = input.flag("follow");
    const print = pointPrinter(input, context);
    return withSessionReader(input, context, input.arg(0), async (reader) => {
      const names = await reader.tracks.list();
      if (!names.includes(track) && !isFollowing) {
        throw new NotFoundError(`No track ${JSON.stringify(track)} in session ${reader.prefix}`);
      }
      let next = 0;
      if (names.includes(track)) {
        const total = (await reader.tracks.stats(track)).totalDataPoints;
        next = Math.max(0, total - lines);
      }
      for (;;) {
        // Everything from `next` on, a page at a time; then wait for more.
        for (;;) {
          const page = await reader.tracks.read(track, { startIndex: next, limit: MAX_READ_LIMIT });
          await print(withFields(page.data, fields));
          next += page.data.length;
          if (!page.hasMore || page.data.length === 0 || context.signal.aborted) break;
        }
        if (!isFollowing) return EXIT_CODES.ok;
        // Ctrl-C is how tail -f ends: not an error.
        if (context.signal.aborted) return EXIT_CODES.ok;
        await pause(intervalMs, context.signal);
      }
    });
  },
};
