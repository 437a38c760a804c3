import { describe, expect, it } from "vitest";
import { DecodedRecord } from "../codec/decoded-record.js";
import { RecordCache } from "./record-cache.js";

function recordOf(points: number): DecodedRecord {
  return DecodedRecord.fromMap({ _ts: Array.from({ length: points }, (_, i) => i) });
}

describe("RecordCache", () => {
  it("forgets the least recently used records past its point budget", () => {
    const cache = new RecordCache(10, 1_000_000);
    cache.set(0, recordOf(4), 10);
    cache.set(1, recordOf(4), 10);
    expect(cache.get(0)?.count).toBe(4); // 0 is now the most recent
    cache.set(2, recordOf(4), 10);
    expect(cache.get(1)).toBeUndefined();
    expect(cache.get(0)?.count).toBe(4);
    expect(cache.get(2)?.count).toBe(4);
  });

  it("forgets the least recently used records past its byte budget, whatever their points", () => {
    const cache = new RecordCache(1_000_000, 3_000_000);
    for (let record = 0; record < 10; record++) cache.set(record, recordOf(1), 1_000_000);
    const kept = Array.from({ length: 10 }, (_, record) => cache.get(record) !== undefined);
    expect(kept).toEqual([false, false, false, false, false, false, false, true, true, true]);
  });

  it("does not keep a record larger than a budget, nor count one twice", () => {
    const cache = new RecordCache(5, 100);
    cache.set(0, recordOf(6), 10);
    cache.set(1, recordOf(1), 101);
    expect(cache.get(0)).toBeUndefined();
    expect(cache.get(1)).toBeUndefined();
    cache.set(2, recordOf(3), 60);
    cache.set(2, recordOf(3), 60);
    cache.set(3, recordOf(2), 40);
    expect(cache.get(2)?.count).toBe(3);
    expect(cache.get(3)?.count).toBe(2);
    cache.clear();
    expect(cache.get(2)).toBeUndefined();
  });
});
