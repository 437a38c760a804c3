import type { CliIo } from "../src/cli/cli-io.js";
import { run } from "../src/cli/run.js";

/** What a command printed, with its exit code. */
export type CliResult = { readonly code: number; readonly out: string; readonly err: string };

/** An in-memory {@link CliIo} that keeps what is written. */
export function captureIo(): { readonly io: CliIo; out(): string; err(): string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: (text) => out.push(text), err: (text) => err.push(text) },
    out: () => out.join(""),
    err: () => err.join(""),
  };
}

/** Runs `dreamlake ...args` in this process and returns its output and exit code. */
export async function runCli(
  args: readonly string[],
  options: { readonly env?: Record<string, string>; readonly signal?: AbortSignal } = {},
): Promise<CliResult> {
  const capture = captureIo();
  const code = await run(args, capture.io, {
    env: options.env ?? {},
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return { code, out: capture.out(), err: capture.err() };
}

/** The JSON Lines a command printed, parsed. */
export function jsonLines(text: string): unknown[] {
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as unknown);
}
