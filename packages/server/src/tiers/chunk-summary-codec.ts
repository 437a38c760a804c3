/**
 * The stored form of a {@link ChunkSummary}: JSON text, the same in every hot store. Each
 * path is one array `[path, count, min, max, sum, first, firstTs, last, lastTs]`; a number
 * JSON cannot hold exactly (`-0`, an infinite sum, NaN) is written as its string, so the
 * summary read back merges exactly as the one computed.
 *
 * @module
 */
import type { FieldSummary } from "dreamlake/engine";
import type { ChunkSummary } from "./chunk-summary.js";

/** The version of the stored form, written with it. */
const FORMAT_VERSION = 1;

/** The numbers JSON cannot hold exactly, by their stored string. */
const SPECIAL_NUMBERS: ReadonlyMap<string, number> = new Map([
  ["-0", -0],
  ["NaN", NaN],
  ["Infinity", Infinity],
  ["-Infinity", -Infinity],
]);

/** The summary as JSON text. */
export function encodeChunkSummary(summary: ChunkSummary): string {
  const fields = [...summary.fields].map(([path, s]) => [
    path,
    ...[s.count, s.min, s.max, s.sum, s.first, s.firstTs, s.last, s.lastTs].map(storedNumber),
  ]);
  return JSON.stringify({ v: FORMAT_VERSION, fields });
}

/**
 * The summary from its stored JSON (text, or the value a driver parsed it into).
 * `undefined` for anything else: a summary is a cache of the chunk's points, so a chunk
 * whose summary is absent, damaged or of an unknown version is read by its points instead.
 */
export function parseChunkSummary(stored: unknown): ChunkSummary | undefined {
  let value = stored;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return undefined;
    }
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { v, fields } = value as { v?: unknown; fields?: unknown };
  if (v !== FORMAT_VERSION || !Array.isArray(fields)) return undefined;
  const out = new Map<string, FieldSummary>();
  for (const item of fields as unknown[]) {
    const parsed = parseField(item);
    if (parsed === undefined || out.has(parsed[0])) return undefined;
    out.set(parsed[0], parsed[1]);
  }
  return { fields: out };
}

/**
 * A manifest entry's `summary` property from a stored value (see {@link parseChunkSummary}):
 * none when there is no usable summary, as `exactOptionalPropertyTypes` wants it spread.
 */
export function summaryProperty(stored: unknown): { summary?: ChunkSummary } {
  const summary = parseChunkSummary(stored);
  return summary === undefined ? {} : { summary };
}

function parseField(item: unknown): [string, FieldSummary] | undefined {
  if (!Array.isArray(item) || item.length !== 9) return undefined;
  const [path, ...rest] = item as unknown[];
  const numbers = rest.map(readNumber);
  if (typeof path !== "string" || numbers.some((n) => n === undefined)) return undefined;
  const [count, min, max, sum, first, firstTs, last, lastTs] = numbers as number[];
  if (!Number.isInteger(count) || (count as number) < 1) return undefined;
  return [
    path,
    {
      count: count as number,
      min: min as number,
      max: max as number,
      sum: sum as number,
      first: first as number,
      firstTs: firstTs as number,
      last: last as number,
      lastTs: lastTs as number,
    },
  ];
}

function storedNumber(n: number): number | string {
  if (Object.is(n, -0)) return "-0";
  return Number.isFinite(n) ? n : String(n);
}

function readNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  return typeof value === "string" ? SPECIAL_NUMBERS.get(value) : undefined;
}
