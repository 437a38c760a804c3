import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FLAG_SORTED, FLAG_UNTIMED, type IndexEntry } from "./index-entry.js";
import { TrackIndex } from "./track-index.js";

type RecordSpec = { count: number; minTs: number; span: number; isSorted: boolean; gap: number };

const recordSpec: fc.Arbitrary<RecordSpec> = fc.record({
  count: fc.integer({ min: 1, max: 5 }),
  minTs: fc.integer({ min: 0, max: 30 }),
  span: fc.integer({ min: 0, max: 4 }),
  isSorted: fc.boolean(),
  gap: fc.constantFrom(0, 0, 0, 1),
});

function entriesOf(specs: readonly RecordSpec[]): IndexEntry[] {
  let offset = 0;
  let firstIndex = 0;
  return specs.map((spec) => {
    offset += spec.gap;
    const entry: IndexEntry = {
      offset,
      length: 10 + spec.count,
      count: spec.count,
      firstIndex,
      minTs: spec.minTs,
      maxTs: spec.minTs + spec.span,
      dataCrc: 0,
      flags: spec.isSorted ? FLAG_SORTED : 0,
    };
    offset += entry.length;
    firstIndex += spec.count;
    return entry;
  });
}

function indexOf(entries: readonly IndexEntry[]): TrackIndex {
  const index = new TrackIndex();
  for (const entry of entries) index.push(entry);
  return index;
}

describe("TrackIndex", () => {
  it("keeps its entries and totals, past its initial capacity", () => {
    fc.assert(
      fc.property(fc.array(recordSpec, { maxLength: 80 }), (specs) => {
        const entries = entriesOf(specs);
        const index = indexOf(entries);
        expect(index.size).toBe(entries.length);
        expect(index.entries()).toEqual(entries);
        expect(index.totalPoints).toBe(specs.reduce((sum, spec) => sum + spec.count, 0));
        const last = entries[entries.length - 1];
        expect(index.coveredBytes).toBe(last === undefined ? 0 : last.offset + last.length);
        expect(index.minTs).toBe(
          entries.length === 0 ? NaN : Math.min(...specs.map((s) => s.minTs)),
        );
        expect(index.maxTs).toBe(
          entries.length === 0 ? NaN : Math.max(...entries.map((e) => e.maxTs)),
        );
      }),
    );
  });

  it("finds the record of any point by binary search", () => {
    fc.assert(
      fc.property(fc.array(recordSpec, { minLength: 1, maxLength: 60 }), (specs) => {
        const entries = entriesOf(specs);
        const index = indexOf(entries);
        for (let point = -1; point <= index.totalPoints; point++) {
          const linear = entries.findIndex(
            (e) => e.firstIndex <= point && point < e.firstIndex + e.count,
          );
          expect(index.recordOfPoint(point)).toBe(linear);
        }
      }),
    );
  });

  it("is time-ordered exactly when every record is sorted and starts at or after the one before ends", () => {
    fc.assert(
      fc.property(fc.array(recordSpec, { maxLength: 30 }), (specs) => {
        const entries = entriesOf(specs);
        const expected = entries.every(
          (e, i) =>
            (e.flags & FLAG_SORTED) !== 0 &&
            (i === 0 || e.minTs >= (entries[i - 1] as IndexEntry).maxTs),
        );
        expect(indexOf(entries).isTimeOrdered).toBe(expected);
      }),
    );
  });

  it("finds the first and last records of a time range by binary search, when time-ordered", () => {
    const ordered = fc.array(
      fc.record({ count: fc.integer({ min: 1, max: 4 }), step: fc.nat(3), span: fc.nat(3) }),
      { minLength: 1, maxLength: 50 },
    );
    fc.assert(
      fc.property(ordered, fc.integer({ min: -2, max: 200 }), (steps, ts) => {
        let at = 0;
        const specs = steps.map((s) => {
          at += s.step;
          const spec = { count: s.count, minTs: at, span: s.span, isSorted: true, gap: 0 };
          at += s.span;
          return spec;
        });
        const entries = entriesOf(specs);
        const index = indexOf(entries);
        expect(index.isTimeOrdered).toBe(true);
        const firstEnding = entries.findIndex((e) => e.maxTs >= ts);
        expect(index.firstEndingAtOrAfter(ts)).toBe(
          firstEnding === -1 ? entries.length : firstEnding,
        );
        const lastStarting = entries.map((e) => e.minTs < ts).lastIndexOf(true);
        expect(index.lastStartingBefore(ts)).toBe(lastStarting);
      }),
    );
  });

  it("is not time-ordered once a record has points without _ts", () => {
    const index = new TrackIndex();
    index.push({
      offset: 0,
      length: 5,
      count: 2,
      firstIndex: 0,
      minTs: NaN,
      maxTs: NaN,
      dataCrc: 0,
      flags: FLAG_UNTIMED,
    });
    expect(index.isTimeOrdered).toBe(false);
    expect(index.hasUntimed).toBe(true);
    expect(() => index.entry(1)).toThrow(RangeError);
  });
});
