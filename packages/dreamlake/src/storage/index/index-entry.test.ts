import * as zlib from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32 } from "../codec/crc32.js";
import {
  decodeIndexEntries,
  encodeIndexEntries,
  encodeIndexHeader,
  INDEX_ENTRY_BYTES,
  INDEX_HEADER_BYTES,
  isValidIndexHeader,
  type IndexEntry,
} from "./index-entry.js";

const entry: fc.Arbitrary<IndexEntry> = fc.record({
  offset: fc.integer({ min: 0, max: 2 ** 50 }),
  length: fc.integer({ min: 1, max: 2 ** 32 - 1 }),
  count: fc.integer({ min: 1, max: 2 ** 32 - 1 }),
  firstIndex: fc.integer({ min: 0, max: 2 ** 52 }),
  minTs: fc.double(),
  maxTs: fc.double(),
  dataCrc: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  flags: fc.integer({ min: 0, max: 3 }),
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
        const decoded = decodeIndexEntries(bytes, crc32);
        expect(decoded.entries).toEqual(entries);
        expect(decoded.validBytes).toBe(bytes.byteLength);
      }),
    );
  });

  it("stop at the first entry that is torn or has a changed byte", () => {
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
          const kept = Math.floor(position / INDEX_ENTRY_BYTES);
          // Bytes 52..55 of an entry are padding, outside its checksum.
          const isPadding = position % INDEX_ENTRY_BYTES >= 52;
          expect(decodeIndexEntries(damaged, crc32).entries).toHaveLength(
            isPadding ? entries.length : kept,
          );
          const torn = bytes.subarray(0, position);
          expect(decodeIndexEntries(torn, crc32)).toEqual({
            entries: entries.slice(0, kept),
            validBytes: kept * INDEX_ENTRY_BYTES,
          });
        },
      ),
    );
  });

  it("follow a 16-byte header that says the format and the entry size", () => {
    const header = encodeIndexHeader();
    expect(header.byteLength).toBe(INDEX_HEADER_BYTES);
    expect(isValidIndexHeader(header)).toBe(true);
    expect(new TextDecoder().decode(header.subarray(0, 8))).toBe("DLKIDX01");
    for (let i = 0; i < 12; i++) {
      const changed = header.slice();
      changed[i] = (changed[i] as number) ^ 0x20;
      expect(isValidIndexHeader(changed)).toBe(false);
    }
    expect(isValidIndexHeader(header.subarray(0, 15))).toBe(false);
  });
});
