import { UsageError, type CommandInput } from "./command-spec.js";

/**
 * An integer option within `[min, max]`, or undefined when absent.
 *
 * @throws {UsageError} naming the option and the value
 */
export function integerOption(
  input: CommandInput,
  name: string,
  flag: string,
  range: { readonly min: number; readonly max?: number } = { min: 0 },
): number | undefined {
  const text = input.text(name);
  if (text === undefined) return undefined;
  const value = Number(text);
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (text.trim() === "" || !Number.isSafeInteger(value) || value < range.min || value > max) {
    const bounds =
      range.max === undefined ? `>= ${range.min}` : `from ${range.min} to ${range.max}`;
    throw new UsageError(`${flag} must be an integer ${bounds}, got ${JSON.stringify(text)}`);
  }
  return value;
}

/**
 * A time option: seconds since the epoch (`1700000000.5`) or an ISO-8601 date and time
 * (`2026-11-30T10:00:00Z`); undefined when absent.
 *
 * @throws {UsageError} naming the option and the value
 */
export function timeOption(input: CommandInput, name: string, flag: string): number | undefined {
  const text = input.text(name);
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  const seconds = Number(trimmed);
  if (trimmed !== "" && Number.isFinite(seconds)) return seconds;
  // Only text that looks like a date: Date.parse also takes odd forms such as "1".
  if (/^\d{4}-\d{2}-\d{2}/.test(trimmed)) {
    const ms = Date.parse(trimmed);
    if (Number.isFinite(ms)) return ms / 1000;
  }
  throw new UsageError(
    `${flag} must be seconds since the epoch or an ISO-8601 time, got ${JSON.stringify(text)}`,
  );
}

/** A comma-separated list option (`--fields a,b`), without empty items; undefined when absent. */
export function listOption(input: CommandInput, name: string): readonly string[] | undefined {
  const text = input.text(name);
  if (text === undefined) return undefined;
  return text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/**
 * One of a fixed set of words (`--format csv`), or undefined when absent.
 *
 * @throws {UsageError} listing the allowed words
 */
export function choiceOption<T extends string>(
  input: CommandInput,
  name: string,
  flag: string,
  choices: readonly T[],
): T | undefined {
  const text = input.text(name);
  if (text === undefined) return undefined;
  const found = choices.find((choice) => choice === text);
  if (found === undefined) {
    throw new UsageError(
      `${flag} must be one of ${choices.join(", ")}, got ${JSON.stringify(text)}`,
    );
  }
  return found;
}
