import { openLocalSessionReader } from "../../session/local-session-reader.js";
import { findLocalSessions, folderBytes } from "../../session/local-session-list.js";
import { listServerSessions } from "../../session/remote-session-reader.js";
import type { CliContext } from "../cli-io.js";
import type { CommandInput, CommandSpec } from "../command-spec.js";
import { EXIT_CODES } from "../exit-codes.js";
import { JSON_OPTION, ROOT_OPTIONS, URL_OPTION, rootOf } from "../common-options.js";
import { jsonLine } from "../json-lines.js";
import { bytesText, tableText } from "../text-output.js";

/** One line of `ls`. */
type SessionLine = {
  readonly prefix: string;
  readonly createdAt: string | null;
  readonly tracks: number;
  readonly points: number;
  /** Bytes on disk; null on a server (it does not say). */
  readonly bytes: number | null;
};

async function serverSessions(url: string, context: CliContext): Promise<SessionLine[]> {
  return (await listServerSessions(url, context.env))
    .map((session) => ({
      prefix: session.prefix,
      createdAt: session.createdAt,
      tracks: session.trackCount,
      points: session.pointCount,
      bytes: null,
    }))
    .sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
}

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
  options: [JSON_OPTION, ...ROOT_OPTIONS, URL_OPTION],
  examples: ["dreamlake ls", "dreamlake ls --root runs/.dreamlake --json"],
  async run(input: CommandInput, context: CliContext): Promise<number> {
    const url = input.text("url");
    const lines =
      url === undefined ? await localSessions(rootOf(input)) : await serverSessions(url, context);
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
          line.bytes === null ? "-" : bytesText(line.bytes),
        ]),
      ),
    );
    return EXIT_CODES.ok;
  },
};
