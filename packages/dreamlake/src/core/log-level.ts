import { describeValue } from "./describe-value.js";
import { InvalidArgumentError } from "./errors.js";

/** The log levels, least severe first (the Python SDK's set). */
export const LOG_LEVELS = ["debug", "info", "warn", "error", "fatal"] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The level of a log call without one. */
export const DEFAULT_LOG_LEVEL: LogLevel = "info";

/** Whether `value` is one of the log levels, exactly (lower case). */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === "string" && (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * Parses a log level. As in the Python SDK, case does not matter (`"WARN"` is `warn`);
 * absent means `info`.
 *
 * @throws {InvalidArgumentError} naming the value and the allowed levels (`"warning"` is not one)
 */
export function parseLogLevel(value: unknown): LogLevel {
  if (value === undefined) return DEFAULT_LOG_LEVEL;
  const lower = typeof value === "string" ? value.toLowerCase() : undefined;
  if (isLogLevel(lower)) return lower;
  throw new InvalidArgumentError(
    `Log level must be one of ${LOG_LEVELS.join(", ")}; got ${describeValue(value)}`,
  );
}
