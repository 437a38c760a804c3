import { openLocalSessionReader } from "../../session/local-session-reader.js";
import { findLocalSessions, folderBytes } from "../../session/local-session-list.js";
import type { CliContext } from "../cli-io.js";
import type { CommandInput, CommandSpec } from "../command-spec.js";
import { EXIT_CODES } from "../exit-codes.js";
import { JSON_OPTION, ROOT_OPTIONS, rootOf } from "../common-options.js";
import { jsonLine } from "../json-lines.js";
import { bytesText, tableText } from "../text-output.js";

/** One line of `ls`. */
type SessionLine = {
  readonly prefix: string;
  readonly createdAt: string | null;
  readonly tracks: number;
  readonly points: number;
  readonly bytes: number;
};

async function localSessions(root: string): Promise<SessionLine[]> {
  const lines: SessionLine[] = [];
  for (const entry of await findLocalSessions(root)) {
    const reader = await openLocalSessionReader(root, entry.prefix);
    try {
      const names = await reader.tracks.list();
      let points = 0;
      for (const name of names) points += (await reader.tracks.stats(name)).totalDataPoints;
      lines.push({
        prefix: entry.prefix,
        createdAt: (await reader.summary()).createdAt ?? null,
        tracks: names.length,
        points,
        bytes: await folderBytes(entry.directory),
      });
    } finally {
      await reader.close();
    }
  }
  return lines;
}

/** `dreamlake ls`: the sessions of a local folder (or a server). */
export const LS_COMMAND: CommandSpec = {
  name: "ls",
  summary: "list sessions with their start time, tracks, points and size",
  options: [JSON_OPTION, ...ROOT_OPTIONS],
  examples: ["dreamlake ls", "dreamlake ls --root runs/.dreamlake --json"],
  async run(input: CommandInput, context: CliContext): Promise<number> {
    const lines = await localSessions(rootOf(input));
    if (input.flag("json")) {
      for (const line of lines) context.io.out(`${jsonLine(line)}\n`);
      return EXIT_CODES.ok;
    }
    context.io.out(
      tableText(
        ["SESSION", "STARTED", "TRACKS", "POINTS", "SIZE"],
        lines.map((line) => [
          line.prefix,
          line.createdAt ?? "-",
          String(line.tracks),
          String(line.points),
          bytesText(line.bytes),
        ]),
      ),
    );
    return EXIT_CODES.ok;
  },
};
