import type { CliIo } from "./cli-io.js";

/** What a progress line shows. */
export type ProgressState = {
  readonly label: string;
  readonly done: number;
  /** Points expected in all; undefined when not known (no bar, no ETA). */
  readonly total: number | undefined;
  readonly elapsedSeconds: number;
  /** Characters the line may take. */
  readonly width: number;
};

function compact(count: number): string {
  if (count >= 1e6) return `${(count / 1e6).toFixed(1)}M`;
  if (count >= 1e4) return `${(count / 1e3).toFixed(0)}k`;
  return String(Math.round(count));
}

function duration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const minutes = Math.floor(whole / 60);
  return `${minutes}:${String(whole % 60).padStart(2, "0")}`;
}

/**
 * One progress line: `export [#######-----]  42%  4.2M/10M points  2.1M points/s  ETA 0:03`.
 * Pure: the caller draws it.
 */
export function progressLine(state: ProgressState): string {
  const rate = state.elapsedSeconds > 0 ? state.done / state.elapsedSeconds : 0;
  const rateText = `${compact(rate)} points/s`;
  if (state.total === undefined || state.total <= 0) {
    return `${state.label}  ${compact(state.done)} points  ${rateText}`.slice(0, state.width);
  }
  const fraction = Math.min(1, state.done / state.total);
  const eta = rate > 0 ? duration((state.total - state.done) / rate) : "-";
  const tail = `${String(Math.floor(fraction * 100)).padStart(3)}%  ${compact(state.done)}/${compact(state.total)} points  ${rateText}  ETA ${eta}`;
  const barWidth = Math.max(0, Math.min(30, state.width - state.label.length - tail.length - 5));
  const filled = Math.round(fraction * barWidth);
  const bar = barWidth > 0 ? ` [${"#".repeat(filled)}${"-".repeat(barWidth - filled)}]` : "";
  return `${state.label}${bar} ${tail}`.slice(0, state.width);
}

/** Counts points and draws the progress line, at most every `intervalMs`. */
export type Progress = {
  add(count: number): void;
  /** Starts counting again (an export that starts over). */
  restart(): void;
  /** Clears the line. */
  finish(): void;
};

const SILENT: Progress = {
  add: () => undefined,
  restart: () => undefined,
  finish: () => undefined,
};

/**
 * A progress line on standard error, redrawn in place, only when standard error is a
 * terminal and `--quiet` was not given; otherwise it draws nothing.
 */
export function progressOnTerminal(
  io: CliIo,
  options: {
    readonly label: string;
    readonly total: number | undefined;
    readonly isQuiet: boolean;
    readonly nowMs?: () => number;
    readonly intervalMs?: number;
  },
): Progress {
  if (options.isQuiet || io.isErrTerminal !== true) return SILENT;
  const nowMs = options.nowMs ?? (() => performance.now());
  const intervalMs = options.intervalMs ?? 100;
  // A pseudo-terminal may report 0 columns: then assume 80.
  const columns = io.errColumns !== undefined && io.errColumns > 0 ? io.errColumns : 80;
  const width = Math.max(20, columns - 1);
  let startMs = nowMs();
  let lastDrawMs = -Infinity;
  let done = 0;
  const draw = (): void => {
    const now = nowMs();
    lastDrawMs = now;
    const line = progressLine({
      label: options.label,
      done,
      total: options.total,
      elapsedSeconds: (now - startMs) / 1000,
      width,
    });
    // \r and "erase to end of line": the line is redrawn in place.
    io.err(`\r${line}\x1b[K`);
  };
  return {
    add: (count) => {
      done += count;
      if (nowMs() - lastDrawMs >= intervalMs) draw();
    },
    restart: () => {
      done = 0;
      startMs = nowMs();
      draw();
    },
    finish: () => {
      if (lastDrawMs !== -Infinity) io.err("\r\x1b[K");
    },
  };
}
