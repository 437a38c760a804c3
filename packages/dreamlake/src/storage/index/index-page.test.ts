import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32 } from "../codec/crc32.js";
import {
  chainEntry,
  encodeIndexEntries,
  INDEX_ENTRY_BYTES,
  isNextEntry,
  type IndexEntry,
} from "./index-entry.js";
import { IndexDamagedError, IndexPage } from "./index-page.js";

// A page checks each entry when it is used: it must answer, entry by entry, as a page
// decoded and checked whole would (the entry when it and the one before it are sound and
// chained, IndexDamagedError otherwise), whatever bytes were damaged.

/** A chain of `counts.length` entries, as a writer leaves them. */
function chainOf(counts: readonly number[], gaps: readonly number[]): IndexEntry[] {
  const entries: IndexEntry[] = [];
  let offset = 0;
  let firstIndex = 0;
  counts.forEach((count, i) => {
    offset += gaps[i] ?? 0;
    const entry = chainEntry(entries[entries.length - 1], {
      offset,
      length: 10 + count,
      count,
      firstIndex,
      minTs: i,
      maxTs: i + 0.5,
      dataCrc: i,
      flags: 1,
      summaryOffset: 0,
      summaryLength: 0,
    });
    entries.push(entry);
    offset += entry.length;
    firstIndex += count;
  });
  return entries;
}

describe("IndexPage", () => {
  it("gives each entry as a whole-page check would, whatever bytes are damaged", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 70 }),
        fc.array(fc.nat(3), { maxLength: 70 }),
        fc.array(fc.record({ at: fc.nat(), flip: fc.integer({ min: 1, max: 255 }) }), {
          maxLength: 4,
        }),
        fc.nat(20),
        (counts, gaps, damage, firstEntry) => {
          const entries = chainOf(counts, gaps);
          const written = encodeIndexEntries(entries, crc32);
          const bytes = written.slice();
          for (const { at, flip } of damage) {
            const i = at % bytes.byteLength;
            bytes[i] = (bytes[i] as number) ^ flip;
          }
          const page = new IndexPage(bytes, firstEntry, crc32);
          expect(page.size).toBe(entries.length);
          // Whole-page truth: entry k is usable when its bytes are intact and it follows k - 1.
          const intact = entries.map((_, k) => {
            for (let j = k * INDEX_ENTRY_BYTES; j < (k + 1) * INDEX_ENTRY_BYTES; j++) {
              if (bytes[j] !== written[j]) return false;
            }
            return true;
          });
          // Entries are asked in a random-looking order: the answer must not depend on it.
          const order = entries.map((_, k) => (k * 7) % entries.length);
          for (const k of new Set(order)) {
            const sound =
              intact[k] === true &&
              (k === 0 ||
                (intact[k - 1] === true && isNextEntry(entries[k - 1], entries[k] as IndexEntry)));
            if (sound) expect(page.entry(k)).toEqual(entries[k]);
            else {
              expect(() => page.entry(k)).toThrow(IndexDamagedError);
              expect(() => page.entry(k)).toThrow(
                new RegExp(`index entry ${firstEntry + k} is damaged`),
              );
            }
          }
          expect(() => page.entry(entries.length)).toThrow(RangeError);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("refuses an entry that does not follow the one before it, though both are sound", () => {
    const entries = chainOf([3, 4, 5], [0, 0, 0]);
    const moved = { ...(entries[2] as IndexEntry), firstIndex: 99 };
    const bytes = encodeIndexEntries(
      [entries[0] as IndexEntry, entries[1] as IndexEntry, moved],
      crc32,
    );
    const page = new IndexPage(bytes, 0, crc32);
    expect(page.entry(1)).toEqual(entries[1]);
    expect(page.checked(2)).toEqual(moved);
    expect(() => page.entry(2)).toThrow(IndexDamagedError);
  });
});
