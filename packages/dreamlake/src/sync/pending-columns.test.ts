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

const parsed = (body: string): unknown => JSON.parse(body);

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
