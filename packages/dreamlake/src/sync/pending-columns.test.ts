import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import type { ColumnBatch } from "../core/column-batch.js";
import { InvalidArgumentError } from "../core/errors.js";
import type { FieldValue } from "../core/point.js";
import { PendingColumns } from "./pending-columns.js";

function batch(
  firstIndex: number,
  timestamps: readonly number[],
  fields: Record<string, readonly FieldValue[]>,
): ColumnBatch {
  return {
    count: timestamps.length,
    indexes: Float64Array.from(timestamps, (_, i) => firstIndex + i),
    timestamps: Float64Array.from(timestamps),
    fields,
  };
}

/** A body with its `float64` columns decoded into arrays. */
const parsed = (body: string): unknown =>
  JSON.parse(body, (_key, value: unknown) => {
    if (typeof value !== "object" || value === null || !("float64" in value)) return value;
    const bytes = Buffer.from(value.float64 as string, "base64");
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Array.from({ length: bytes.byteLength / 8 }, (_, i) => view.getFloat64(i * 8, true));
  });

describe("PendingColumns", () => {
  it("gathers batches with other fields into one body, null where a point lacks a field", () => {
    const pending = new PendingColumns("t");
    pending.add(batch(0, [1, 2, 3], { x: [0.5, 1.5, 2.5], s: ["a", null, "c"] }), 1);
    pending.add(batch(3, [4, Number.NaN], { y: [{ k: [1, null] }, true] }), 0);
    expect(pending.count).toBe(4);
    expect(parsed(pending.bodyOf(0, 4))).toEqual({
      columns: {
        _ts: [2, 3, 4, null],
        x: [1.5, 2.5, null, null],
        s: [null, "c", null, null],
        y: [null, null, { k: [1, null] }, true],
      },
    });
    // A part leaves out the columns none of its points has.
    expect(parsed(pending.bodyOf(0, 2))).toEqual({
      columns: { _ts: [2, 3], x: [1.5, 2.5], s: [null, "c"] },
    });
    expect(parsed(pending.bodyOf(2, 2))).toEqual({
      columns: { _ts: [4, null], y: [{ k: [1, null] }, true] },
    });
  });

  it("writes a column of numbers every point has as base64 of little-endian doubles", () => {
    const pending = new PendingColumns("t");
    pending.add(batch(0, [1.5, 2], { v: [0.1, -3], w: [1, null] }), 0);
    const body = JSON.parse(pending.bodyOf(0, 2)) as { columns: Record<string, unknown> };
    const doubles = Buffer.alloc(16);
    doubles.writeDoubleLE(0.1, 0);
    doubles.writeDoubleLE(-3, 8);
    expect(body.columns["v"]).toEqual({ float64: doubles.toString("base64") });
    expect(body.columns["w"]).toEqual([1, null]);
    expect(Object.keys(body.columns["_ts"] as object)).toEqual(["float64"]);
  });

  it("gives back the body written ahead, and the same text as writing it again", () => {
    const pending = new PendingColumns("t");
    pending.add(batch(0, [1, 2], { x: [1, 2] }), 0);
    const fresh = pending.bodyOf(0, 2);
    pending.prepareBody();
    expect(pending.bodyOf(0, 2)).toBe(fresh);
  });

  it.each([
    ["NaN", Number.NaN],
    ["an infinity", Number.POSITIVE_INFINITY],
    ["bytes", new Uint8Array([1])],
    ["a bigint past 2^53", 2n ** 60n],
  ])("refuses %s, naming the track, the point and the field", (_name, value) => {
    const pending = new PendingColumns("robot/pose");
    pending.add(batch(10, [1, 2, 3], { v: [1, value, 3] }), 0);
    let error: unknown;
    try {
      pending.bodyOf(0, 3);
    } catch (caught: unknown) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/^Point 11 of track "robot\/pose", field "v",/);
  });
});
