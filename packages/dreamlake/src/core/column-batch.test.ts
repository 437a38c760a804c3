import { describe, expect, it } from "vitest";
import { columnBatchOfPoints, parseScanQuery } from "./column-batch.js";
import type { FieldValue } from "./point.js";

// Pages read from a server become column batches: every stored `_ts` is read as
// docs/FORMAT.md's table says, whichever tool wrote it.
const STORED: readonly (FieldValue | undefined)[] = [5, NaN, Infinity, -Infinity, true, null, "x"];
const PAGE = STORED.map((ts, index) => ({
  index,
  data: ts === undefined ? { v: index } : { v: index, _ts: ts },
}));

function scan(startTime?: number, endTime?: number): { indexes: number[]; timestamps: number[] } {
  const batch = columnBatchOfPoints(PAGE, parseScanQuery({ startTime, endTime }));
  return {
    indexes: Array.from(batch?.indexes ?? []),
    timestamps: Array.from(batch?.timestamps ?? []),
  };
}

describe("columnBatchOfPoints", () => {
  it("keeps every point of an open scan, booleans as 1/0 and no time as NaN", () => {
    expect(scan()).toEqual({
      indexes: [0, 1, 2, 3, 4, 5, 6],
      timestamps: [5, NaN, Infinity, -Infinity, 1, NaN, NaN],
    });
  });

  it("counts +Infinity under an open end and -Infinity under an open start, never NaN", () => {
    expect(scan(1).indexes).toEqual([0, 2, 4]);
    expect(scan(undefined, 1).indexes).toEqual([3]);
    expect(scan(0, 10).indexes).toEqual([0, 4]);
  });
});
