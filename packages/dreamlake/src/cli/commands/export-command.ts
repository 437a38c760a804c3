import { InvalidArgumentError } from "../../core/errors.js";
import {
  EXPORT_FORMATS,
  tableFormat,
  type ExportFormatName,
} from "../../exchange/export-formats.js";
import { exportTables } from "../../exchange/export-tables.js";
import { exportMcap } from "../../exchange/mcap/mcap-export.js";
import { fileTarget, folderTarget } from "../../exchange/node/file-target.js";
import { nodeCrc32 } from "../../exchange/node/node-crc32.js";
import { workerMessageFormatter } from "../../exchange/node/worker-message-formatter.js";
import type { ExportedFile, TrackSource } from "../../exchange/track-source.js";
import type { SessionReader } from "../../session/session-reader.js";
import type { CliContext } from "../cli-io.js";
import { UsageError, type CommandInput, type CommandSpec } from "../command-spec.js";
import { JSON_OPTION, QUIET_OPTION, ROOT_OPTIONS, URL_OPTION } from "../common-options.js";
import { EXIT_CODES } from "../exit-codes.js";
import { jsonLine } from "../json-lines.js";
import { timeOption } from "../option-values.js";
import { progressOnTerminal } from "../progress-bar.js";
import { throwIfStopped } from "../stop-reasons.js";
import { withSessionReader } from "../session-access.js";
import { bytesText } from "../text-output.js";
import { assertTrackExists } from "./read-command.js";

/**
 * The `--format` asked for. An unknown name is an error of the request (exit code 1),
 * as for a missing session, rather than of the command line's shape.
 *
 * @throws {InvalidArgumentError} naming the formats
 */
function exportFormat(text: string | undefined): ExportFormatName {
  const found = EXPORT_FORMATS.find((name) => name === text);
  if (found === undefined) {
    throw new InvalidArgumentError(
      `--format must be one of ${EXPORT_FORMATS.join(", ")}, got ${text === undefined ? "nothing" : JSON.stringify(text)}`,
    );
  }
  return found;
}

/** The tracks to export, read from the session, with their expected points. */
async function trackSources(
  reader: SessionReader,
  names: readonly string[],
  range: { readonly startTime: number | undefined; readonly endTime: number | undefined },
): Promise<TrackSource[]> {
  const chosen = names.length > 0 ? names : await reader.tracks.list();
  const isRanged = range.startTime !== undefined || range.endTime !== undefined;
  const sources: TrackSource[] = [];
  for (const name of chosen) {
    await assertTrackExists(reader, name);
    const stats = await reader.tracks.stats(name);
    sources.push({
      name,
      expectedPoints: isRanged ? undefined : stats.totalDataPoints,
      scan: () => reader.tracks.scanColumns(name, { ...range, fields: undefined }),
    });
  }
  return sources;
}

/** `dreamlake export PREFIX [TRACK...]`: tracks to files other tools open. */
export const EXPORT_COMMAND: CommandSpec = {
  name: "export",
  summary: "write tracks to CSV, JSON Lines, Parquet or MCAP files",
  description:
    "Writes tracks to files other tools open: CSV, JSON Lines and Parquet hold one track per file " +
    "(--out is that file when one track is named, or the session's one track goes to a name ending " +
    "in the format's extension; else a folder of <track>.<format> files); " +
    "MCAP holds every track in one file, one channel each. Files are written under a temporary " +
    "name and renamed when complete, so a failed export leaves no half file.",
  arguments: [
    { name: "prefix", description: "the session (workspace/name)" },
    { name: "tracks", description: "the tracks to export (default: all)", isVariadic: true },
  ],
  options: [
    { flags: "--format <format>", description: `one of ${EXPORT_FORMATS.join(", ")}` },
    { flags: "--out <path>", description: "the output file or folder" },
    { flags: "--start <t>", description: "smallest _ts, inclusive (seconds or ISO-8601)" },
    { flags: "--end <t>", description: "_ts to stop before, exclusive" },
    QUIET_OPTION,
    JSON_OPTION,
    ...ROOT_OPTIONS,
    URL_OPTION,
  ],
  examples: [
    "dreamlake export project/my-experiment train --format parquet --out train.parquet",
    "dreamlake export project/my-experiment --format mcap --out run.mcap",
    "dreamlake export project/my-experiment --format csv --out csv/ --start 2026-11-30T10:00:00Z",
    "DREAMLAKE_API_KEY=<token> dreamlake export project/my-experiment --format mcap --out run.mcap --url http://127.0.0.1:3000",
  ],
  async run(input: CommandInput, context: CliContext): Promise<number> {
    const format = exportFormat(input.text("format"));
    const out = input.text("out");
    if (out === undefined || out === "")
      throw new UsageError("--out is required: the output file or folder");
    const range = {
      startTime: timeOption(input, "start", "--start"),
      endTime: timeOption(input, "end", "--end"),
    };
    const names = input.rest(1);
    // The format's packages are loaded (and their absence reported) before any file is made.
    const table = format === "mcap" ? undefined : await tableFormat(format);
    const files = await withSessionReader(input, context, input.arg(0), async (reader) => {
      const sources = await trackSources(reader, names, range);
      let total: number | undefined = 0;
      for (const source of sources) {
        total =
          total === undefined || source.expectedPoints === undefined
            ? undefined
            : total + source.expectedPoints;
      }
      const bar = progressOnTerminal(context.io, {
        label: "export",
        total,
        isQuiet: input.flag("quiet"),
      });
      const progress = {
        onPoints: (count: number) => {
          throwIfStopped(context);
          bar.add(count);
        },
        onRestart: () => {
          bar.restart();
        },
      };
      try {
        if (table === undefined) {
          const result = await exportMcap(sources, () => fileTarget(out).open(""), progress, {
            crc32: nodeCrc32,
            formatter: () => workerMessageFormatter(),
          });
          return [{ tracks: sources.map((source) => source.name), path: out, ...result }];
        }
        // One file when one track is named, or the one track exported goes to a name with
        // the format's extension; a folder of files otherwise.
        const isOneFile =
          names.length === 1 || (sources.length === 1 && out.endsWith(table.extension));
        const target = isOneFile ? fileTarget(out) : folderTarget(out);
        const written = await exportTables(
          sources,
          table,
          target,
          isOneFile ? "file" : "folder",
          progress,
        );
        return written.map((file): ExportedFile => ({
          ...file,
          path: file.path === "" ? out : `${out.replace(/\/+$/, "")}/${file.path}`,
        }));
      } finally {
        bar.finish();
      }
    });
    for (const file of files) {
      context.io.out(
        input.flag("json")
          ? `${jsonLine(file)}\n`
          : `${file.path}  ${file.points} points  ${bytesText(file.bytes)}\n`,
      );
    }
    return EXIT_CODES.ok;
  },
};
