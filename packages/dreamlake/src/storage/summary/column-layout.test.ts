import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32 } from "../codec/crc32.js";
import { checksumBlocks, storedOffsets, type ColumnLayout } from "./column-layout.js";

/** Bytes cut into columns of blocks, with pieces (keys, headers) before each column and at the end. */
const pieces = fc
  .record({
    columns: fc.integer({ min: 1, max: 3 }),
    blocks: fc.integer({ min: 1, max: 4 }),
    seed: fc.uint8Array({ minLength: 1, maxLength: 600 }),
  })
  .chain(({ columns, blocks, seed }) =>
    fc.record({
      seed: fc.constant(seed),
      // Per column: the piece before it, then its blocks' lengths; then the piece at the end.
      lengths: fc.array(
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: blocks + 1, maxLength: blocks + 1 }),
        {
          minLength: columns,
          maxLength: columns,
        },
      ),
      tail: fc.integer({ min: 0, max: 3 }),
    }),
  );

function recordOf(seed: Uint8Array, lengths: readonly (readonly number[])[], tail: number) {
  const starts: number[][] = [];
  let at = 0;
  for (const [before, ...blocks] of lengths) {
    at += before as number;
    const column = [at];
    for (const length of blocks) column.push((at += length));
    starts.push(column);
  }
  const record = Uint8Array.from(
    { length: at + tail },
    (_, i) => (seed[i % seed.length] as number) ^ i,
  );
  const layout: ColumnLayout = { keys: starts.map((_, k) => `c${k}`), starts };
  return { record, layout };
}

describe("checksumBlocks", () => {
  it("gives each block's CRC-32 and the whole record's, for any layout", () => {
    fc.assert(
      fc.property(pieces, ({ seed, lengths, tail }) => {
        const { record, layout } = recordOf(seed, lengths, tail);
        const { crcs, recordCrc } = checksumBlocks(layout, record, crc32);
        expect(recordCrc).toBe(crc32(record));
        const blocks = (layout.starts[0] as number[]).length - 1;
        layout.starts.forEach((column, k) => {
          for (let b = 0; b < blocks; b++) {
            expect(crcs[k * blocks + b]).toBe(crc32(record.subarray(column[b], column[b + 1])));
          }
        });
        expect(storedOffsets({ ...layout, crcs }, record, crc32)).toEqual(
          storedOffsets(layout, record, crc32),
        );
      }),
      { numRuns: 500 },
    );
  });
});
