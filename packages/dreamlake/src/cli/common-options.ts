import type { CommandInput, OptionSpec } from "./command-spec.js";

/** The default local data folder, as for `Session.open`. */
export const DEFAULT_ROOT = ".dreamlake";

/** `--root DIR` (and its old spelling `--local-path`). */
export const ROOT_OPTIONS: readonly OptionSpec[] = [
  { flags: "--root <dir>", description: "local data folder", defaultValue: DEFAULT_ROOT },
  { flags: "--local-path <dir>", description: "the same as --root", isHidden: true },
];

/** `--url URL`: read from a server. */
export const URL_OPTION: OptionSpec = {
  flags: "--url <url>",
  description: "a dreamlake server instead of the local folder (token: DREAMLAKE_API_KEY)",
};

/** `--json`: data as JSON Lines. */
export const JSON_OPTION: OptionSpec = {
  flags: "--json",
  description: "print one JSON object per line",
};

/** `--quiet`: no progress bar. */
export const QUIET_OPTION: OptionSpec = {
  flags: "-q, --quiet",
  description: "no progress bar (there is none when standard error is not a terminal)",
};

/** The local data folder a command was given. */
export function rootOf(input: CommandInput): string {
  return input.text("localPath") ?? input.text("root") ?? DEFAULT_ROOT;
}
