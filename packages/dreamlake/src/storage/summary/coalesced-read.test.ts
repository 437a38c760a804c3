import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RandomAccessFile } from "../ports.js";
import { readCoalesced } from "./coalesced-read.js";

/** A file in memory that counts its reads and keeps their lengths (only `read` is used). */
function memoryFile(bytes: Uint8Array): {
  file: RandomAccessFile;
  reads: () => number;
  lengths: number[];
} {
  let reads = 0;
  const lengths: number[] = [];
  const read = (position: number, length: number): Promise<Uint8Array> => {
    reads++;
    lengths.push(length);
    return Promise.resolve(bytes.slice(position, position + length));
  };
  return { file: { read } as unknown as RandomAccessFile, reads: () => reads, lengths };
}

describe("readCoalesced", () => {
  it("gives each stretch the bytes a read of it alone gives, in the order asked", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.record({ offset: fc.nat(320), length: fc.nat(40) }), { maxLength: 12 }),
        fc.nat(64),
        fc.option(fc.integer({ min: 1, max: 120 }), { nil: undefined }),
        async (content, stretches, gap, maxBytes) => {
          const { file, lengths } = memoryFile(content);
          const got = await readCoalesced(file, stretches, gap, maxBytes);
          expect(got.map((bytes) => [...bytes])).toEqual(
            stretches.map(({ offset, length }) => [...content.slice(offset, offset + length)]),
          );
          // No read passes the bound, unless it is one stretch longer than the bound.
          const longest = Math.max(0, ...stretches.map(({ length }) => length));
          for (const length of lengths) {
            expect(length).toBeLessThanOrEqual(Math.max(maxBytes ?? Infinity, longest));
          }
        },
      ),
    );
  });

  it("reads adjacent stretches at once and far ones apart", async () => {
    const { file, reads } = memoryFile(new Uint8Array(1000));
    const near = [0, 10, 20, 30].map((offset) => ({ offset, length: 10 }));
    await readCoalesced(file, [...near, { offset: 900, length: 10 }], 100);
    expect(reads()).toBe(2);
  });

  it("starts a new read where joining the next stretch would pass the bound", async () => {
    const { file, lengths } = memoryFile(new Uint8Array(1000));
    const near = [0, 10, 20, 30, 40].map((offset) => ({ offset, length: 10 }));
    await readCoalesced(file, near, 100, 25);
    expect(lengths).toEqual([20, 20, 10]);
  });
});
