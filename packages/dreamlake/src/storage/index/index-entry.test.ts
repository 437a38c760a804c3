import * as zlib from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32 } from "../codec/crc32.js";
import {
  chainEntry,
  decodeIndexEntries,
  encodeIndexEntries,
  encodeIndexHeader,
  FLAG_ORDERED_SO_FAR,
  FLAG_SORTED,
  FLAG_UNTIMED,
  FLAG_UNTIMED_SO_FAR,
  indexVersionOf,
  INDEX_ENTRY_BYTES,
  INDEX_HEADER_BYTES,
  type IndexEntry,
  type RecordEntry,
} from "./index-entry.js";

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

describe("crc32", () => {
  it("equals zlib's CRC-32 for any bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        expect(crc32(bytes)).toBe(zlib.crc32(bytes));
      }),
    );
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });
});

describe("index entries", () => {
  it("decode to what was encoded", () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 20 }), (entries) => {
        const bytes = encodeIndexEntries(entries, crc32);
        expect(bytes.byteLength).toBe(entries.length * INDEX_ENTRY_BYTES);
        expect(decodeIndexEntries(bytes, 2, crc32)).toEqual(entries);
      }),
    );
  });

  it("read a torn or changed entry as undefined, and only that one", () => {
    fc.assert(
      fc.property(
        fc.array(entry, { minLength: 1, maxLength: 10 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (entries, at, xor) => {
          const bytes = encodeIndexEntries(entries, crc32);
          const position = at % bytes.byteLength;
          const damaged = bytes.slice();
          damaged[position] = (damaged[position] as number) ^ xor;
          const hit = Math.floor(position / INDEX_ENTRY_BYTES);
          // Every byte but the checksum itself is inside the checksum.
          expect(decodeIndexEntries(damaged, 2, crc32)).toEqual(
            entries.map((e, i) => (i === hit ? undefined : e)),
          );
          const torn = bytes.subarray(0, position);
          expect(decodeIndexEntries(torn, 2, crc32)).toEqual(entries.slice(0, hit));
        },
      ),
    );
  });

  it("follow a 16-byte header that says the format and the entry size", () => {
    const header = encodeIndexHeader();
    expect(header.byteLength).toBe(INDEX_HEADER_BYTES);
    expect(indexVersionOf(header)).toBe(2);
    const legacy = header.slice();
    legacy[7] = 0x31;
    new DataView(legacy.buffer).setUint32(8, 56, true);
    expect(indexVersionOf(legacy)).toBe(1);
    expect(indexVersionOf(header.subarray(0, 15))).toBeUndefined();
    const wrongSize = header.slice();
    new DataView(wrongSize.buffer).setUint32(8, 56, true);
    expect(indexVersionOf(wrongSize)).toBeUndefined();
  });
});

describe("running facts", () => {
  const record = fc.record({
    minTs: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(NaN)),
    span: fc.integer({ min: 0, max: 3 }),
    isSorted: fc.boolean(),
    hasUntimed: fc.boolean(),
  });

  it("say of the last entry what a look at every record would", () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 30 }), (specs) => {
        let previous: IndexEntry | undefined;
        const records: RecordEntry[] = specs.map((spec, i) => ({
          offset: i * 10,
          length: 10,
          count: 1,
          firstIndex: i,
          minTs: spec.minTs,
          maxTs: spec.minTs + spec.span,
          dataCrc: 0,
          flags: (spec.isSorted ? FLAG_SORTED : 0) | (spec.hasUntimed ? FLAG_UNTIMED : 0),
          summaryOffset: 0,
          summaryLength: 0,
        }));
        for (const r of records) previous = chainEntry(previous, r);
        const last = previous as IndexEntry;
        const timed = records.filter((r) => !Number.isNaN(r.minTs));
        expect(last.runningMinTs).toEqual(
          timed.length === 0 ? NaN : Math.min(...timed.map((r) => r.minTs)),
        );
        expect(last.runningMaxTs).toEqual(
          timed.length === 0 ? NaN : Math.max(...timed.map((r) => r.maxTs)),
        );
        const ordered = records.every(
          (r, i) =>
            (r.flags & FLAG_SORTED) !== 0 &&
            (r.flags & FLAG_UNTIMED) === 0 &&
            !Number.isNaN(r.minTs) &&
            (i === 0 || r.minTs >= (records[i - 1] as RecordEntry).maxTs),
        );
        expect((last.flags & FLAG_ORDERED_SO_FAR) !== 0).toBe(ordered);
        expect((last.flags & FLAG_UNTIMED_SO_FAR) !== 0).toBe(
          records.some((r) => (r.flags & FLAG_UNTIMED) !== 0),
        );
      }),
    );
  });
});
