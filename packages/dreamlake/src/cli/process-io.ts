import type { CliIo } from "./cli-io.js";

/** Whether an error is a write to a pipe whose reader went away. */
function isBrokenPipe(error: unknown): boolean {
  return error instanceof Error && "code" in error && error.code === "EPIPE";
}

/**
 * The process's standard output and error as a {@link CliIo}. When the reader of standard
 * output goes away (`dreamlake read ... | head -1`), writes stop quietly (no EPIPE stack
 * trace) and `onOutputClosed` is called once, so that the command stops.
 */
export function processIo(onOutputClosed: () => void): CliIo {
  const { stdout, stderr } = process;
  let isOutClosed = false;
  stdout.on("error", (error: unknown) => {
    if (!isBrokenPipe(error)) throw error;
    if (isOutClosed) return;
    isOutClosed = true;
    onOutputClosed();
  });
  // Standard error going away is no reason to fail: there is nobody left to tell.
  stderr.on("error", (error: unknown) => {
    if (!isBrokenPipe(error)) throw error;
  });
  return {
    out: (text) => {
      if (!isOutClosed) stdout.write(text);
    },
    err: (text) => {
      stderr.write(text);
    },
    drain: () => {
      if (isOutClosed || !stdout.writableNeedDrain) return Promise.resolve();
      return new Promise((resolve) => {
        const done = (): void => {
          stdout.off("drain", done).off("close", done).off("error", done);
          resolve();
        };
        stdout.on("drain", done).on("close", done).on("error", done);
      });
    },
    isErrTerminal: stderr.isTTY,
    errColumns: stderr.columns,
  };
}
