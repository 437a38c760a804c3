import type { IndexedPoint } from "../core/track-results.js";
import type { CliContext } from "./cli-io.js";
import type { CommandInput } from "./command-spec.js";
import { jsonLine } from "./json-lines.js";
import { pointText } from "./text-output.js";

/** Prints points as the command line asks: JSON Lines with `--json`, text lines otherwise. */
export type PointPrinter = (points: readonly IndexedPoint[]) => Promise<void>;

/**
 * A printer of points to standard output that waits while the reader is behind (so a
 * long output never piles up in memory).
 */
export function pointPrinter(input: CommandInput, context: CliContext): PointPrinter {
  const format = input.flag("json") ? jsonLine : pointText;
  return async (points) => {
    if (points.length === 0) return;
    let text = "";
    for (const point of points) text += `${format(point)}\n`;
    context.io.out(text);
    await context.io.drain?.();
  };
}
