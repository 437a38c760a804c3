import { InvalidArgumentError, UnauthenticatedError, describeValue } from "dreamlake/engine";

/** Longest namespace, workspace or session name (one directory name on disk). */
export const MAX_SEGMENT_LENGTH = 255;
const SEGMENT = /^[A-Za-z0-9_.-]+$/;
/** A namespace starts with a letter or a digit, so it never collides with the data folder's own dot-files. */
const NAMESPACE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function segmentProblem(value: string): string | undefined {
  if (value.length === 0) return "it is empty";
  if (value === "." || value === "..") return `it is ${JSON.stringify(value)}`;
  if (value.length > MAX_SEGMENT_LENGTH)
    return `it is longer than ${MAX_SEGMENT_LENGTH} characters`;
  if (!SEGMENT.test(value)) return 'only letters, digits, "_", "-" and "." are allowed';
  return undefined;
}

/**
 * Checks a workspace or session name: one segment of letters, digits, `_`, `-`, `.`
 * (the SDK's rule for prefix segments), not `.` or `..`.
 *
 * @param what `Workspace` or `Session name`, for the message
 * @throws {InvalidArgumentError} naming the value and the rule
 */
export function validateSessionSegment(what: string, value: string): string {
  const problem = segmentProblem(value);
  if (problem !== undefined) {
    throw new InvalidArgumentError(`${what} ${describeValue(value)} is not allowed: ${problem}`);
  }
  return value;
}

/**
 * Checks the namespace a token names (its user name): a segment that starts with a letter
 * or a digit.
 *
 * @throws {UnauthenticatedError} since a token without a usable user name grants nothing
 */
export function validateNamespace(value: string): string {
  const problem =
    segmentProblem(value) ??
    (NAMESPACE.test(value) ? undefined : "it must start with a letter or a digit");
  if (problem !== undefined) {
    throw new UnauthenticatedError(
      `The token's user name ${describeValue(value)} cannot be a namespace: ${problem}`,
    );
  }
  return value;
}
