/**
 * What every read of a damaged track must give: exactly what a plain model of the points it
 * still holds gives, or `CorruptDataError`, nothing else.
 */
import {
  CorruptDataError,
  type ColumnBatch,
  type FieldValue,
  type Point,
  type Track,
} from "../../src/index.js";
import { modelDownsample, sameDownsample } from "../downsample-model.js";
import { expectedRead, expectedReadByTime, type ModelPoint } from "../track-model.js";
import type { Fraction } from "./damage.js";
import type { RecordSpan } from "./track-fixtures.js";

/** Which bounds of a time range are given. */
export type Bounds = "both" | "start" | "end" | "none";

/** One read a trial makes. */
export type ReadOp =
  | { readonly kind: "read"; readonly start: Fraction; readonly limit: number }
  | {
      readonly kind: "time";
      readonly from: Fraction;
      readonly span: Fraction;
      readonly bounds: Bounds;
      readonly limit: number;
      readonly reverse: boolean;
    }
  | {
      readonly kind: "downsample";
      readonly from: Fraction;
      readonly span: Fraction;
      readonly bounds: Bounds;
      readonly buckets: number;
      readonly fields: readonly string[] | undefined;
    }
  | {
      readonly kind: "scan";
      readonly from: Fraction;
      readonly span: Fraction;
      readonly bounds: Bounds;
    }
  | { readonly kind: "stats" };

/** A read that gave neither the model's answer nor `CorruptDataError`. */
export class WrongAnswer extends Error {
  override readonly name = "WrongAnswer";
}

/** How a read ended. */
export type ReadEnd = "exact" | "corrupt";

/**
 * Runs `op` on `track` and checks it against `world` (the points it must hold).
 *
 * @param span the `_ts` range time fractions map into
 * @param isDataIntact whether only sidecars were harmed: then the answer must be exact (a
 * damaged cache is read around, never an error)
 * @throws {WrongAnswer} when the answer is wrong, or the read threw another error
 */
export async function checkRead(
  track: Track,
  op: ReadOp,
  world: readonly Point[],
  span: { readonly min: number; readonly max: number },
  isDataIntact: boolean,
): Promise<ReadEnd> {
  const what = describeOp(op, world, span);
  const end = await settle(what, () => answer(track, op, world, span));
  if (end === "corrupt" && isDataIntact) {
    throw new WrongAnswer(`${what} threw CorruptDataError, but only sidecars were harmed`);
  }
  return end;
}

/**
 * Reads each record's points alone: those of records the damage left alone must come back
 * exactly; those of touched records exactly or as `CorruptDataError`.
 *
 * @param kept the original points the track still holds (the records past them are gone)
 */
export async function checkRecords(
  track: Track,
  records: readonly RecordSpan[],
  world: readonly Point[],
  kept: number,
  touched: ReadonlySet<number>,
): Promise<{ readonly exact: number; readonly corrupt: number }> {
  let exact = 0;
  let corrupt = 0;
  for (const [r, record] of records.entries()) {
    if (record.firstIndex + record.count > kept) break;
    const what = `record ${r} (points ${record.firstIndex}..${record.firstIndex + record.count - 1})`;
    const end = await settle(what, async () => {
      const result = await track.read({ startIndex: record.firstIndex, limit: record.count });
      expectSame(
        what,
        result,
        expectedRead(world as ModelPoint[], record.firstIndex, record.count),
      );
    });
    if (end === "corrupt" && !touched.has(r)) {
      throw new WrongAnswer(
        `${what} was left alone by the damage, but reading it threw CorruptDataError`,
      );
    }
    if (end === "exact") exact++;
    else corrupt++;
  }
  return { exact, corrupt };
}

async function settle(what: string, body: () => Promise<void>): Promise<ReadEnd> {
  try {
    await body();
    return "exact";
  } catch (error: unknown) {
    if (error instanceof WrongAnswer) throw error;
    if (error instanceof CorruptDataError) return "corrupt";
    throw new WrongAnswer(`${what} threw ${String(error)}, not CorruptDataError`, { cause: error });
  }
}

function timeRange(
  op: { readonly from: Fraction; readonly span: Fraction; readonly bounds: Bounds },
  span: { readonly min: number; readonly max: number },
): { startTime?: number; endTime?: number } {
  const width = span.max - span.min;
  const start = span.min - 0.5 + op.from * (width + 1);
  const end = start + op.span * (width + 1);
  return {
    ...(op.bounds === "both" || op.bounds === "start" ? { startTime: start } : {}),
    ...(op.bounds === "both" || op.bounds === "end" ? { endTime: end } : {}),
  };
}

function describeOp(
  op: ReadOp,
  world: readonly Point[],
  span: { readonly min: number; readonly max: number },
): string {
  switch (op.kind) {
    case "read":
      return `read(${JSON.stringify({ startIndex: startOf(op, world), limit: op.limit })})`;
    case "time":
      return `readByTime(${JSON.stringify({ ...timeRange(op, span), limit: op.limit, reverse: op.reverse })})`;
    case "downsample":
      return `downsample(${JSON.stringify({ ...timeRange(op, span), buckets: op.buckets, fields: op.fields })})`;
    case "scan":
      return `scanColumns(${JSON.stringify(timeRange(op, span))})`;
    case "stats":
      return "stats()";
  }
}

function startOf(op: { readonly start: Fraction }, world: readonly Point[]): number {
  return Math.floor(op.start * (world.length + 2));
}

async function answer(
  track: Track,
  op: ReadOp,
  world: readonly Point[],
  span: { readonly min: number; readonly max: number },
): Promise<void> {
  const what = describeOp(op, world, span);
  const model = world as ModelPoint[];
  switch (op.kind) {
    case "read": {
      const startIndex = startOf(op, world);
      const result = await track.read({ startIndex, limit: op.limit });
      expectSame(what, result, expectedRead(model, startIndex, op.limit));
      return;
    }
    case "time": {
      const range = timeRange(op, span);
      const result = await track.readByTime({ ...range, limit: op.limit, reverse: op.reverse });
      expectSame(
        what,
        result,
        expectedReadByTime(model, { ...range, limit: op.limit, reverse: op.reverse }),
      );
      return;
    }
    case "downsample": {
      const range = timeRange(op, span);
      const query = { ...range, buckets: op.buckets, fields: op.fields };
      const result = await track.downsample(query);
      const expected = modelDownsample(
        world.map((data, index) => ({ index, data })),
        query,
      );
      if (!sameDownsample(result, expected)) {
        throw new WrongAnswer(
          `${what} gave ${JSON.stringify(result)}, the model ${JSON.stringify(expected)}`,
        );
      }
      return;
    }
    case "scan": {
      const range = timeRange(op, span);
      const rows: { index: number; point: Point }[] = [];
      for await (const batch of track.scanColumns(range)) rows.push(...rowsOf(batch));
      const expected = world.flatMap((point, index) => {
        const ts = point["_ts"] as number;
        const isIn =
          (range.startTime === undefined || ts >= range.startTime) &&
          (range.endTime === undefined || ts < range.endTime);
        return isIn ? [{ index, point: withoutNulls(point) }] : [];
      });
      expectSame(what, rows, expected);
      return;
    }
    case "stats": {
      const stats = await track.stats();
      const times = world.map((point) => point["_ts"] as number);
      const expected = {
        totalDataPoints: world.length,
        firstTs: times.length === 0 ? null : Math.min(...times),
        lastTs: times.length === 0 ? null : Math.max(...times),
      };
      expectSame(
        what,
        { totalDataPoints: stats.totalDataPoints, firstTs: stats.firstTs, lastTs: stats.lastTs },
        expected,
      );
      return;
    }
  }
}

/** The points of a column batch (fields holding null left out). */
function rowsOf(batch: ColumnBatch): { index: number; point: Point }[] {
  const rows: { index: number; point: Point }[] = [];
  for (let i = 0; i < batch.count; i++) {
    const point: Record<string, FieldValue> = { _ts: batch.timestamps[i] as number };
    for (const [key, values] of Object.entries(batch.fields)) {
      const value = values[i];
      if (value !== null && value !== undefined) point[key] = value;
    }
    rows.push({ index: batch.indexes[i] as number, point });
  }
  return rows;
}

function withoutNulls(point: Point): Point {
  return Object.fromEntries(Object.entries(point).filter(([, value]) => value !== null));
}

/** Throws {@link WrongAnswer} unless both values are the same (key order aside). */
export function expectSame(what: string, actual: unknown, expected: unknown): void {
  if (isSame(actual, expected)) return;
  const a = canonical(actual);
  const b = canonical(expected);
  let at = 0;
  while (at < a.length && a[at] === b[at]) at++;
  const from = Math.max(0, at - 300);
  throw new WrongAnswer(
    `${what} differs from the model at character ${at}:\n  gave       ...${a.slice(from, at + 300)}\n  model says ...${b.slice(from, at + 300)}`,
  );
}

/** Whether two values are equal: numbers by `Object.is`, bytes by content, keys in any order. */
function isSame(a: unknown, b: unknown): boolean {
  if (typeof a === "number" || typeof b === "number") return Object.is(a, b);
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") {
    return (a ?? null) === (b ?? null);
  }
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return (
      a instanceof Uint8Array &&
      b instanceof Uint8Array &&
      a.byteLength === b.byteLength &&
      a.every((byte, i) => byte === b[i])
    );
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, i) => isSame(item, b[i]))
    );
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  return (
    keys.length === Object.keys(y).length &&
    keys.every((key) => Object.hasOwn(y, key) && isSame(x[key], y[key]))
  );
}

/** A text that two values share when they are equal: -0, NaN and bytes told apart, keys sorted. */
export function canonical(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "boolean") return String(value);
  if (value instanceof Uint8Array) return `bytes:${Buffer.from(value).toString("hex")}`;
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(",")}}`;
  }
  return typeof value;
}
