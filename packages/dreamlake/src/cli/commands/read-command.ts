import { NotFoundError } from "../../core/errors.js";
import { MAX_READ_LIMIT } from "../../core/limits.js";
import type { SessionReader } from "../../session/session-reader.js";
import type { CliContext } from "../cli-io.js";
import { UsageError, type CommandInput, type CommandSpec } from "../command-spec.js";
import { JSON_OPTION, ROOT_OPTIONS, URL_OPTION } from "../common-options.js";
import { EXIT_CODES } from "../exit-codes.js";
import { integerOption, timeOption } from "../option-values.js";
import { pointPrinter } from "../point-printer.js";
import { withSessionReader } from "../session-access.js";
import { stoppedExitCode } from "../stop-reasons.js";
import { timePages } from "../time-pages.js";

const TRACK_ARGUMENTS = [
  { name: "prefix", description: "the session (workspace/name)" },
  { name: "track", description: "the track name" },
] as const;

const LIMIT_OPTION = {
  flags: "--limit <n>",
  description: `most points to print, 1 to ${MAX_READ_LIMIT.toLocaleString("en-US")} (default 1,000)`,
};
const ALL_OPTION = {
  flags: "--all",
  description: `every point, read in pages of ${MAX_READ_LIMIT.toLocaleString("en-US")}`,
};

/**
 * Throws a `NotFoundError` naming the session unless the track was written: a read of a
 * missing track would print nothing, which hides a typing mistake.
 */
export async function assertTrackExists(reader: SessionReader, track: string): Promise<void> {
  const names = await reader.tracks.list();
  if (!names.includes(track)) {
    throw new NotFoundError(
      `No track ${JSON.stringify(track)} in session ${reader.prefix}` +
        (names.length === 0 ? " (it has no tracks)" : ` (tracks: ${names.join(", ")})`),
    );
  }
}

function pageLimit(input: CommandInput): {
  readonly limit: number | undefined;
  readonly isAll: boolean;
} {
  const limit = integerOption(input, "limit", "--limit", { min: 1, max: MAX_READ_LIMIT });
  const isAll = input.flag("all");
  if (isAll && limit !== undefined)
    throw new UsageError("--all reads every point: leave out --limit");
  return { limit, isAll };
}

/** `dreamlake read PREFIX TRACK`: points by index. */
export const READ_COMMAND: CommandSpec = {
  name: "read",
  summary: "print a track's points by index",
  arguments: TRACK_ARGUMENTS,
  options: [
    { flags: "--start <index>", description: "first index (default 0)" },
    LIMIT_OPTION,
    ALL_OPTION,
    JSON_OPTION,
    ...ROOT_OPTIONS,
    URL_OPTION,
  ],
  examples: [
    "dreamlake read project/my-experiment train --limit 5",
    "dreamlake read project/my-experiment train --all --json > train.jsonl",
  ],
  async run(input: CommandInput, context: CliContext): Promise<number> {
    const track = input.arg(1);
    const { limit, isAll } = pageLimit(input);
    let startIndex = integerOption(input, "start", "--start") ?? 0;
    const print = pointPrinter(input, context);
    return withSessionReader(input, context, input.arg(0), async (reader) => {
      await assertTrackExists(reader, track);
      for (;;) {
        const page = await reader.tracks.read(track, {
          startIndex,
          limit: isAll ? MAX_READ_LIMIT : (limit ?? 1000),
        });
        await print(page.data);
        if (context.signal.aborted) return stoppedExitCode(context);
        if (!isAll || !page.hasMore || page.data.length === 0) return EXIT_CODES.ok;
        startIndex = page.endIndex + 1;
      }
    });
  },
};

/** `dreamlake read-time PREFIX TRACK`: points by time. */
export const READ_TIME_COMMAND: CommandSpec = {
  name: "read-time",
  summary: "print a track's points by time (startTime <= _ts < endTime)",
  arguments: TRACK_ARGUMENTS,
  options: [
    { flags: "--start-time <t>", description: "smallest _ts, inclusive (seconds or ISO-8601)" },
    { flags: "--end-time <t>", description: "_ts to stop before, exclusive" },
    { flags: "--reverse", description: "newest first" },
    LIMIT_OPTION,
    ALL_OPTION,
    JSON_OPTION,
    ...ROOT_OPTIONS,
    URL_OPTION,
  ],
  examples: [
    "dreamlake read-time project/my-experiment robot/pose --reverse --limit 10",
    "dreamlake read-time project/my-experiment robot/pose --start-time 2026-11-30T10:00:00Z --all",
  ],
  async run(input: CommandInput, context: CliContext): Promise<number> {
    const track = input.arg(1);
    const { limit, isAll } = pageLimit(input);
    const query = {
      startTime: timeOption(input, "startTime", "--start-time"),
      endTime: timeOption(input, "endTime", "--end-time"),
      reverse: input.flag("reverse"),
    };
    const print = pointPrinter(input, context);
    return withSessionReader(input, context, input.arg(0), async (reader) => {
      await assertTrackExists(reader, track);
      if (!isAll) {
        const page = await reader.tracks.readByTime(track, { ...query, limit: limit ?? 1000 });
        await print(page.data);
        return EXIT_CODES.ok;
      }
      for await (const points of timePages(reader.tracks, track, query)) {
        await print(points);
        if (context.signal.aborted) return stoppedExitCode(context);
      }
      return EXIT_CODES.ok;
    });
  },
};
