import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EntryList } from "./entry-list.js";
import type { IndexEntry } from "./index-entry.js";

const entry: fc.Arbitrary<IndexEntry> = fc.record({
  offset: fc.integer({ min: 0, max: 2 ** 50 }),
  length: fc.integer({ min: 1, max: 2 ** 32 - 1 }),
  count: fc.integer({ min: 1, max: 2 ** 32 - 1 }),
  firstIndex: fc.integer({ min: 0, max: 2 ** 52 }),
  minTs: fc.double(),
  maxTs: fc.double(),
  dataCrc: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  flags: fc.integer({ min: 0, max: 15 }),
  runningMinTs: fc.double(),
  runningMaxTs: fc.double(),
  summaryOffset: fc.integer({ min: 0, max: 2 ** 50 }),
  summaryLength: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
});

describe("EntryList", () => {
  it("gives back every entry pushed, past its initial capacity, and keeps a prefix when cut", () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 70 }), fc.nat(80), (entries, cut) => {
        const list = new EntryList(1);
        for (const e of entries) list.push(e);
        expect(list.size).toBe(entries.length);
        expect(Array.from({ length: list.size }, (_, i) => list.entry(i))).toEqual(entries);
        list.truncate(cut);
        expect(list.size).toBe(Math.min(cut, entries.length));
        expect(() => list.entry(list.size)).toThrow(RangeError);
      }),
    );
  });
});
