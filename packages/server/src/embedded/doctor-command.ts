import { readdir } from "node:fs/promises";
import * as path from "node:path";
import {
  doctorSessionFolder,
  hasFindings,
  outcomeJson,
  outcomeText,
  type TrackOutcome,
} from "dreamlake/engine";

/** What `dreamlake-server doctor` was asked, parsed. */
export type DoctorArgs = {
  /** `<namespace>/<workspace>/<name>`, or every session of the data folder. */
  readonly session: string | undefined;
  readonly track: string | undefined;
  readonly repair: boolean;
  readonly json: boolean;
};

/** The arguments of `doctor`, or what is wrong with them. */
export function parseDoctorArgs(args: readonly string[]): DoctorArgs | string {
  const positional: string[] = [];
  let repair = false;
  let json = false;
  for (const arg of args) {
    if (arg === "--repair") repair = true;
    else if (arg === "--json") json = true;
    else if (arg.startsWith("-")) return `Unknown option ${arg}`;
    else positional.push(arg);
  }
  const [session, track, ...extra] = positional;
  if (extra.length > 0) return `doctor takes a session and a track, got ${positional.join(" ")}`;
  if (session !== undefined) {
    const segments = session.split("/");
    if (segments.length !== 3 || segments.some((s) => s === "" || s === "." || s === "..")) {
      return `a session is <namespace>/<workspace>/<name> (its folder in the data folder), got ${JSON.stringify(session)}`;
    }
  }
  return { session, track, repair, json };
}

/**
 * Runs the doctor over the embedded server's data folder: one session, or every session
 * folder (`<namespace>/<workspace>/<name>`) in it, each line of output naming its session.
 *
 * @returns whether something was found to repair (exit code 1)
 */
export async function doctorDataFolder(
  dataDir: string,
  args: DoctorArgs,
  out: (text: string) => void,
): Promise<boolean> {
  const sessions = args.session === undefined ? await sessionsIn(dataDir) : [args.session];
  let found = false;
  for (const session of sessions) {
    const outcomes: TrackOutcome[] = await doctorSessionFolder(
      path.join(dataDir, ...session.split("/")),
      { track: args.track, repair: args.repair },
    );
    for (const outcome of outcomes) {
      out(
        args.json
          ? `${JSON.stringify({ session, ...outcomeJson(outcome) })}\n`
          : `${session} ${outcomeText(outcome)}`,
      );
    }
    found ||= hasFindings(outcomes);
  }
  if (sessions.length === 0 && !args.json) out(`no sessions in ${dataDir}\n`);
  return found;
}

/** The session folders of a data folder: `<namespace>/<workspace>/<name>` holding `tracks`. */
async function sessionsIn(dataDir: string): Promise<string[]> {
  const found: string[] = [];
  for (const namespace of await folders(dataDir)) {
    for (const workspace of await folders(path.join(dataDir, namespace))) {
      for (const name of await folders(path.join(dataDir, namespace, workspace))) {
        const tracks = path.join(dataDir, namespace, workspace, name, "tracks");
        if ((await folders(tracks)).length > 0) found.push(`${namespace}/${workspace}/${name}`);
      }
    }
  }
  return found.sort();
}

/** Sub-folders of a folder, without hidden ones; none when it is missing. */
async function folders(folder: string): Promise<string[]> {
  try {
    const entries = await readdir(folder, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory() && !e.name.startsWith(".")).map((e) => e.name);
  } catch {
    return [];
  }
}
