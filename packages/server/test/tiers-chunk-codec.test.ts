import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import * as path from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CorruptDataError,
  MsgpackWriter,
  PointColumns,
  writeColumnarRecord,
  type Point,
  type IndexedPoint,
} from "dreamlake/engine";
import { assembleChunk, decodeChunk, encodeChunk, sha256Of } from "../src/tiers/chunk-codec.js";
import type { HotBatch } from "../src/tiers/hot/hot-store.js";
import { readTrackRecords, recordWriter, writeTrackRecords } from "../src/tiers/track-records.js";
import { makeTempDir } from "./tiers-services.js";

const rowsOf = (points: readonly Point[], first = 0): IndexedPoint[] =>
  points.map((data, i) => ({ index: first + i, data }));

function roundTrip(points: readonly Point[]): Point[] {
  const chunk = encodeChunk(rowsOf(points));
  return decodeChunk(chunk.bytes, {
    key: "k",
    count: chunk.count,
    byteSize: chunk.bytes.byteLength,
    checksum: chunk.checksum,
  });
}

describe("chunk codec", () => {
  it("writes points with the same fields as one columnar record, the bytes a track file holds", () => {
    const points = [
      { _ts: 1, loss: 0.5, step: 1 },
      { _ts: 2, loss: 0.4, step: 2 },
    ];
    const writer = new MsgpackWriter();
    writeColumnarRecord(writer, PointColumns.fromPoints(points), 0, 2);
    expect(encodeChunk(rowsOf(points)).bytes).toEqual(writer.toBytes());
  });

  it("reports count, _ts range and a sha256 checksum", () => {
    const chunk = encodeChunk(rowsOf([{ _ts: 5 }, { _ts: -1 }, { _ts: 3 }]));
    expect(chunk).toMatchObject({ count: 3, minTs: -1, maxTs: 5 });
    expect(chunk.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("gives back points with different fields exactly, without nulls for absent fields", () => {
    const points = [
      { _ts: 1, a: 1 },
      { _ts: 2, b: 2 },
      { _ts: 3, b: 3 },
      { b: 4, _ts: 4 },
      { _ts: 5, a: null },
    ];
    const decoded = roundTrip(points);
    expect(decoded).toEqual(points);
    expect(decoded.map((point) => Object.keys(point))).toEqual(points.map((p) => Object.keys(p)));
  });

  it("gives back any points unchanged", () => {
    const value = fc.oneof(
      fc.double({ noNaN: true }),
      fc.integer(),
      fc.string(),
      fc.boolean(),
      fc.constant(null),
      // msgpack has one integer type: a bigint within 2^53 reads back as a number (as in
      // the track files), so only bigints beyond it are expected back as bigints.
      fc.oneof(
        fc.bigInt({ min: -(2n ** 63n), max: -(2n ** 53n) }),
        fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n }),
      ),
      fc.uint8Array({ maxLength: 8 }),
      fc.array(fc.integer(), { maxLength: 3 }),
    );
    const point = fc
      .record({
        _ts: fc.double({ noNaN: true, noDefaultInfinity: true }),
        fields: fc.dictionary(fc.constantFrom("a", "b", "c", "__proto__", "constructor"), value, {
          maxKeys: 3,
        }),
      })
      .map(({ _ts, fields }) => {
        const out: Record<string, unknown> = { _ts };
        for (const [key, item] of Object.entries(fields)) {
          Object.defineProperty(out, key, { value: item, enumerable: true, writable: true });
        }
        return out as Point;
      });
    fc.assert(
      fc.property(fc.array(point, { minLength: 1, maxLength: 30 }), (points) => {
        expect(roundTrip(points)).toEqual(points);
      }),
    );
  });

  describe("with a python3 that has msgpack (Debian's /usr/bin/python3)", () => {
    let dir: string;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ dir, cleanup } = await makeTempDir());
    });
    afterEach(async () => {
      await cleanup();
    });

    it("is read by the Python msgpack reader as the track format", async () => {
      const points = [
        { _ts: 1.5, loss: 0.5 },
        { _ts: 2.5, loss: 0.25 },
        { _ts: 3.5, acc: 0.9 },
      ];
      const file = path.join(dir, "chunk.msgpack");
      await writeFile(file, encodeChunk(rowsOf(points)).bytes);
      const script = [
        "import json, msgpack, sys",
        "out = []",
        "for record in msgpack.Unpacker(open(sys.argv[1], 'rb'), raw=False):",
        "    if isinstance(record, dict):",
        "        columns = list(record.values())",
        "        if columns and all(isinstance(c, list) for c in columns):",
        "            for i in range(len(columns[0])):",
        "                out.append({k: v[i] for k, v in record.items()})",
        "print(json.dumps(out))",
      ].join("\n");
      const output = execFileSync("/usr/bin/python3", ["-c", script, file], { encoding: "utf8" });
      expect(JSON.parse(output)).toEqual(points);
    });
  });

  describe("decoding checks the object against its manifest entry", () => {
    const chunk = encodeChunk(
      rowsOf([
        { _ts: 1, x: 1 },
        { _ts: 2, x: 2 },
      ]),
    );
    const entry = {
      key: "tracks/1/chunk-00000000-0-1.msgpack",
      count: 2,
      byteSize: chunk.bytes.byteLength,
      checksum: chunk.checksum,
    };

    it("refuses a changed byte, naming the object", () => {
      const bytes = chunk.bytes.slice();
      bytes[3] = (bytes[3] as number) ^ 0xff;
      expect(() => decodeChunk(bytes, entry)).toThrow(CorruptDataError);
      expect(() => decodeChunk(bytes, entry)).toThrow(/tracks\/1\/chunk-00000000-0-1\.msgpack/);
    });

    it("refuses a cut object", () => {
      expect(() => decodeChunk(chunk.bytes.subarray(0, 5), entry)).toThrow(CorruptDataError);
    });

    it("refuses bytes that match the checksum but not the point count", () => {
      expect(() => decodeChunk(chunk.bytes, { ...entry, count: 3 })).toThrow(/holds 2 points/);
    });

    it("turns random bytes into CorruptDataError or points, never another error", () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
          const honest = {
            key: "k",
            count: 1,
            byteSize: bytes.byteLength,
            checksum: sha256Of(bytes),
          };
          try {
            expect(decodeChunk(bytes, honest)).toHaveLength(1);
          } catch (error: unknown) {
            expect(error).toBeInstanceOf(CorruptDataError);
          }
        }),
      );
    });
  });
});

/** Points cut into stored batches of the given sizes, as the hot tier keeps them. */
function batchesOf(points: readonly Point[], sizes: readonly number[]): HotBatch[] {
  const batches: HotBatch[] = [];
  let from = 0;
  for (const size of sizes) {
    const writer = recordWriter();
    const { minTs, maxTs } = writeTrackRecords(writer, points, from, from + size);
    batches.push({
      startIndex: from,
      endIndex: from + size - 1,
      minTs,
      maxTs,
      records: writer.toBytes(),
    });
    from += size;
  }
  return batches;
}

const decodedPoints = (bytes: Uint8Array): Point[] =>
  readTrackRecords(bytes, (problem) => new Error(problem));

describe("assembling a chunk from hot batches", () => {
  const points = Array.from({ length: 10 }, (_, i) => ({ _ts: 100 - i, step: i }));

  it("copies the records of batches inside the chunk as they are", () => {
    const batches = batchesOf(points, [4, 6]);
    const chunk = assembleChunk(batches, 0, 9, "chunk 0");
    expect(chunk.bytes).toEqual(new Uint8Array([...batches[0]!.records, ...batches[1]!.records]));
    expect(chunk).toMatchObject({
      count: 10,
      minTs: 91,
      maxTs: 100,
      checksum: sha256Of(chunk.bytes),
    });
  });

  it("holds exactly the points of the range when batches straddle its ends, with their _ts range", () => {
    const chunk = assembleChunk(batchesOf(points, [3, 4, 3]), 2, 7, "chunk 1");
    expect(chunk).toMatchObject({ count: 6, minTs: 93, maxTs: 98 });
    const read = decodeChunk(chunk.bytes, {
      key: "k",
      count: 6,
      byteSize: chunk.bytes.byteLength,
      checksum: chunk.checksum,
    });
    expect(read).toEqual(points.slice(2, 8));
  });

  it("refuses batches that leave a gap in the range, naming the chunk", () => {
    const batches = batchesOf(points, [3, 4, 3]);
    expect(() => assembleChunk([batches[0]!, batches[2]!], 0, 9, "chunk 7 of track 3")).toThrow(
      /holds 3 of the 10 points 0\.\.9 planned for chunk 7 of track 3/,
    );
    expect(() => assembleChunk(batches.slice(0, 2), 0, 9, "chunk 7")).toThrow(CorruptDataError);
  });

  it("refuses a batch whose records hold another number of points than its range", () => {
    const [batch] = batchesOf(points, [4]);
    const longer = { ...batch!, endIndex: 4 };
    expect(() => assembleChunk([longer], 0, 4, "chunk 0")).toThrow(CorruptDataError);
    expect(() =>
      assembleChunk([{ ...batch!, records: batch!.records.slice(1) }], 0, 3, "chunk 0"),
    ).toThrow(CorruptDataError);
  });

  it("gives the points of the range for any batch sizes and any range, as encodeChunk does", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.nat(),
        (sizes, a, b) => {
          const total = sizes.reduce((sum, size) => sum + size, 0);
          const all = Array.from({ length: total }, (_, i) =>
            i % 3 === 0 ? { _ts: i * 0.5, x: i } : { _ts: i * 0.5, y: `p${i}`, x: -i },
          );
          const start = a % total;
          const end = start + (b % (total - start));
          const chunk = assembleChunk(batchesOf(all, sizes), start, end, "chunk");
          const expected = encodeChunk(rowsOf(all.slice(start, end + 1), start));
          expect(decodedPoints(chunk.bytes)).toEqual(all.slice(start, end + 1));
          expect(chunk).toMatchObject({
            count: expected.count,
            minTs: expected.minTs,
            maxTs: expected.maxTs,
          });
        },
      ),
    );
  });
});
