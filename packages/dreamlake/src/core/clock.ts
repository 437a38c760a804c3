/** Where time comes from. Injected so that logic never reads the system clock itself. */
export interface Clock {
  /** Seconds since the Unix epoch, with sub-millisecond resolution where the platform has it. */
  nowSeconds(): number;
}

/** The system clock: wall time with microsecond resolution (`performance.now()` on top of the epoch). */
export const systemClock: Clock = {
  nowSeconds: () => (performance.timeOrigin + performance.now()) / 1000,
};

/**
 * Formats seconds since the epoch as the ISO-8601 UTC text the Python SDK writes:
 * microseconds and a trailing `Z`, for example `2026-11-26T15:16:28.240523Z`.
 */
export function isoFromSeconds(seconds: number): string {
  const millis = Math.floor(seconds * 1000);
  const micros = Math.min(999, Math.max(0, Math.floor((seconds * 1000 - millis) * 1000)));
  return `${new Date(millis).toISOString().slice(0, -1)}${String(micros).padStart(3, "0")}Z`;
}
