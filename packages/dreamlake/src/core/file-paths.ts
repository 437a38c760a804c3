import { describeValue } from "./describe-value.js";
import { InvalidArgumentError } from "./errors.js";

/** Longest file name or prefix segment, in UTF-8 bytes (a directory entry on most file systems). */
export const MAX_FILE_NAME_BYTES = 255;

/** Names reserved in the `files/` folder for the index and its lock. */
const RESERVED_PREFIX = ".files_metadata";

const utf8 = new TextEncoder();

/** What is wrong with one path segment, or `undefined` when it is safe as a directory entry. */
function segmentProblem(segment: string): string | undefined {
  if (segment === "" || segment === "." || segment === "..") return "is empty, . or ..";
  if (segment.includes("/") || segment.includes("\\")) return "holds a / or \\";
  // Control characters (NUL included) are legal on Linux, but break terminals and tools.
  for (let i = 0; i < segment.length; i++) {
    const code = segment.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return "holds a control character";
  }
  if (utf8.encode(segment).byteLength > MAX_FILE_NAME_BYTES) {
    return `is longer than ${MAX_FILE_NAME_BYTES} bytes`;
  }
  return undefined;
}

/**
 * Checks a stored file's name: one path segment (no `/` or `\`), not `.` or `..`, no
 * control characters, at most 255 UTF-8 bytes. Spaces, dots and any other Unicode are fine.
 *
 * @returns the name, unchanged
 * @throws {InvalidArgumentError} naming the value
 */
export function validateFileName(name: unknown): string {
  if (typeof name !== "string") {
    throw new InvalidArgumentError(`File name must be a string, got ${describeValue(name)}`);
  }
  const problem = segmentProblem(name);
  if (problem !== undefined) {
    throw new InvalidArgumentError(
      `File name ${describeValue(name)} is not allowed: it ${problem} (it must stay inside the session's files folder)`,
    );
  }
  return name;
}

/** A file prefix (the Python SDK's `path`), parsed. */
export type FilePrefix = {
  /** The canonical form stored in `path`: `"/"` or `"/models/best"`. */
  readonly path: string;
  /** The folder below `files/`: `""` or `"models/best"`. */
  readonly folder: string;
};

/**
 * Parses a file prefix such as `"/models"`, `"models/"` or `"/"` into its canonical form
 * (`/`-separated, one leading `/`, no trailing `/`). Segments follow the file name rules,
 * so a prefix can never leave the session's `files/` folder.
 *
 * @throws {InvalidArgumentError} naming the value
 */
export function parseFilePrefix(prefix: unknown): FilePrefix {
  if (prefix === undefined) return { path: "/", folder: "" };
  if (typeof prefix !== "string") {
    throw new InvalidArgumentError(
      `File prefix must be a string such as "/models", got ${describeValue(prefix)}`,
    );
  }
  const segments = prefix.split("/");
  // One leading and one trailing "/" are allowed ("/models/", as the Python docs write).
  if (segments[0] === "") segments.shift();
  if (segments[segments.length - 1] === "") segments.pop();
  for (const segment of segments) {
    const problem = segmentProblem(segment);
    if (problem !== undefined) {
      throw new InvalidArgumentError(
        `File prefix ${describeValue(prefix)} is not allowed: the segment ${describeValue(segment)} ${problem} ` +
          "(a prefix must stay inside the session's files folder)",
      );
    }
  }
  if (segments[0]?.startsWith(RESERVED_PREFIX) === true) {
    throw new InvalidArgumentError(
      `File prefix ${describeValue(prefix)} is not allowed: ${RESERVED_PREFIX}* names are reserved for the files index`,
    );
  }
  const folder = segments.join("/");
  return { path: `/${folder}`, folder };
}

/**
 * The folder segments of a stored record's `path`, read as Python's pathlib does
 * (empty and `.` segments dropped). `undefined` when a segment could leave the folder
 * (`..`, a backslash): records written by the Python SDK are not validated.
 */
export function recordFolderSegments(recordPath: string): string[] | undefined {
  const segments = recordPath.split("/").filter((segment) => segment !== "" && segment !== ".");
  return segments.every((segment) => segmentProblem(segment) === undefined) ? segments : undefined;
}

/**
 * Whether a record's `path` lies in `prefix`: whole segments match, so `"/models"` finds
 * `"/models"` and `"/models/best"` but not `"/models2"` (the Python SDK compares plain
 * strings, and finds it).
 */
export function isInPrefix(recordPath: string, prefix: FilePrefix): boolean {
  if (prefix.folder === "") return true;
  const segments = recordFolderSegments(recordPath);
  if (segments === undefined) return false;
  const wanted = prefix.folder.split("/");
  return wanted.every((segment, i) => segments[i] === segment);
}
