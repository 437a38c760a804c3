import { describeValue } from "./describe-value.js";
import { InvalidArgumentError } from "./errors.js";
import { MAX_NAME_SEGMENT_LENGTH, MAX_TRACK_NAME_LENGTH } from "./limits.js";

const SEGMENT = /^[A-Za-z0-9_.-]+$/;

/**
 * The files in a track's folder (docs/FORMAT.md). A track whose name had one of them as a
 * segment would need a folder where its parent track keeps that file, and neither could
 * be written.
 */
const TRACK_FOLDER_FILES = new Set([
  "data.msgpack",
  "data.msgpack.idx",
  "data.msgpack.sum",
  "data.msgpack.blk",
  "metadata.json",
  ".track.lock",
  ".track.lock.excl",
  "data.msgpack.quarantine",
]);
/**
 * Temporary files in a track's folder: an atomic `metadata.json` rewrite's
 * (`.metadata.json.<...>.tmp`) and a repair's (`.data.msgpack.<...>.tmp`).
 */
const TEMPORARY_FILE_PREFIXES = [".metadata.json.", ".data.msgpack."] as const;

/**
 * Checks one `/`-separated segment of a track name or a session prefix. Segments
 * become directory names, so anything that could leave its folder is refused
 * before it touches the disk.
 */
function segmentProblem(segment: string): string | undefined {
  if (segment.length === 0) return "an empty segment";
  if (segment === "." || segment === "..") return `the segment ${JSON.stringify(segment)}`;
  if (segment.length > MAX_NAME_SEGMENT_LENGTH) {
    return `a segment longer than ${MAX_NAME_SEGMENT_LENGTH} characters`;
  }
  if (!SEGMENT.test(segment)) {
    return `the segment ${describeValue(segment)} (allowed: letters, digits, "_", "-", ".")`;
  }
  return undefined;
}

/**
 * Validates a track name: `/`-separated segments of letters, digits, `_`, `-` and `.`,
 * no empty, `.` or `..` segment, no leading `/`, and no segment named like a file of a
 * track's folder (`data.msgpack`, `data.msgpack.idx`, `metadata.json`, `.track.lock`).
 *
 * @returns the name, unchanged
 * @throws {InvalidArgumentError} naming the value and the rule it breaks
 */
export function validateTrackName(name: unknown): string {
  if (typeof name !== "string") {
    throw new InvalidArgumentError(`Track name must be a string, got ${describeValue(name)}`);
  }
  if (name.length > MAX_TRACK_NAME_LENGTH) {
    throw new InvalidArgumentError(
      `Track name ${describeValue(name)} is longer than ${MAX_TRACK_NAME_LENGTH} characters`,
    );
  }
  for (const segment of name.split("/")) {
    const problem =
      TRACK_FOLDER_FILES.has(segment) ||
      TEMPORARY_FILE_PREFIXES.some((prefix) => segment.startsWith(prefix))
        ? `the segment ${JSON.stringify(segment)}, the name of a file in a track's folder`
        : segmentProblem(segment);
    if (problem !== undefined) {
      throw new InvalidArgumentError(
        `Track name ${describeValue(name)} is not allowed: it has ${problem}`,
      );
    }
  }
  return name;
}

/** A parsed session prefix. */
export type SessionPrefix = {
  /** The prefix as given. */
  readonly prefix: string;
  /** The second-to-last segment (the Python SDK's workspace; the namespaced API's project). */
  readonly workspace: string;
  /** The last segment (the session name). */
  readonly name: string;
  /**
   * Every segment, in order: the session's folder is `<localPath>/<segments...>/`, so two
   * different prefixes never share a folder.
   */
  readonly segments: readonly string[];
};

/**
 * What a session folder holds (docs/FORMAT.md), besides names that start with `.` (its
 * lock and temporary files). A prefix segment after the second names a folder inside the
 * folder of a shorter prefix, which may be a session: it must not be one of these.
 */
const SESSION_FOLDER_ENTRIES = new Set([
  "tracks",
  "logs",
  "files",
  "session.json",
  "episode.json",
  "parameters.json",
]);

/**
 * Parses a session prefix such as `"project/my-experiment"`. As in the Python SDK, the
 * last two segments are the workspace and the session name. The data lives in
 * `<localPath>/<every segment>/`: `project/my-experiment` in `<localPath>/project/my-experiment/`
 * as in Python, and `teamA/proj/run1` in `<localPath>/teamA/proj/run1/` (Python would use
 * `proj/run1` for both `teamA/proj/run1` and `teamB/proj/run1`; Python reads ours with
 * `root="<localPath>/teamA"`).
 *
 * @throws {InvalidArgumentError} when it has fewer than two segments, an unsafe segment, or
 *   from the third segment on a segment named like an entry of a session folder
 */
export function parseSessionPrefix(prefix: unknown): SessionPrefix {
  if (typeof prefix !== "string" || prefix.length === 0) {
    throw new InvalidArgumentError(
      `Session prefix must be a non-empty string such as "workspace/name", got ${describeValue(prefix)}`,
    );
  }
  const segments = prefix.split("/");
  if (segments.length < 2) {
    throw new InvalidArgumentError(
      `Session prefix must have at least two segments (workspace/name), got ${describeValue(prefix)}`,
    );
  }
  segments.forEach((segment, position) => {
    const problem =
      segmentProblem(segment) ??
      (position >= 2 && (SESSION_FOLDER_ENTRIES.has(segment) || segment.startsWith("."))
        ? `the segment ${JSON.stringify(segment)} after the second, which would put the session inside the ${JSON.stringify(segments.slice(0, position).join("/"))} session's folder (segments from the third on may not be tracks, logs, files, *.json names of a session folder, or start with ".")`
        : undefined);
    if (problem !== undefined) {
      throw new InvalidArgumentError(
        `Session prefix ${describeValue(prefix)} is not allowed: it has ${problem}`,
      );
    }
  });
  return {
    prefix,
    workspace: segments[segments.length - 2] ?? "",
    name: segments[segments.length - 1] ?? "",
    segments,
  };
}
