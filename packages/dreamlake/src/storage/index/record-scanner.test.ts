import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FieldValue } from "../../core/point.js";
import { crc32 } from "../codec/crc32.js";
import { FLAG_SORTED, FLAG_UNTIMED } from "./index-entry.js";
import { MsgpackWriter } from "../codec/msgpack-writer.js";
import { scanRecords } from "./record-scanner.js";

/** One top-level object of a data file: a record (with or without its 0x0A) or another object. */
type Piece =
  | { kind: "row"; ts: number | undefined; newline: boolean }
  | { kind: "columnar"; times: (number | null)[]; newline: boolean }
  | { kind: "other"; value: FieldValue };

const piece: fc.Arbitrary<Piece> = fc.oneof(
  fc.record({
    kind: fc.constant("row" as const),
    ts: fc.option(fc.constantFrom(0, 1.5, 7), { nil: undefined }),
    newline: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("columnar" as const),
    times: fc.array(fc.option(fc.constantFrom(0, 1, 2.5, 9), { nil: null, freq: 8 }), {
      minLength: 1,
      maxLength: 20,
    }),
    newline: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("other" as const),
    value: fc.constantFrom<FieldValue>(10, "text", [1, 2], null),
  }),
);

type Built = {
  bytes: Uint8Array;
  /** Per record: where it starts, where its map ends, where it ends (with its 0x0A), its times. */
  records: { start: number; mapEnd: number; end: number; times: (number | null | undefined)[] }[];
  /** Where every top-level object ends. */
  objectEnds: number[];
};

function build(pieces: readonly Piece[]): Built {
  const writer = new MsgpackWriter(16);
  const records: Built["records"] = [];
  const objectEnds: number[] = [];
  for (const p of pieces) {
    const start = writer.length;
    if (p.kind === "other") {
      writer.writeValue(p.value);
      objectEnds.push(writer.length);
      // A lone 10 right after a map is its 0x0A: the same byte.
      const last = records[records.length - 1];
      if (p.value === 10 && last?.end === start && last.end === last.mapEnd) {
        last.end = writer.length;
      }
      continue;
    }
    if (p.kind === "row") {
      writer.writeValue(p.ts === undefined ? { v: "no ts" } : { v: 1, _ts: p.ts });
    } else {
      writer.writeValue({ _ts: p.times, v: p.times.map((_, i) => i) });
    }
    const mapEnd = writer.length;
    objectEnds.push(mapEnd);
    if (p.newline) {
      writer.writeByte(0x0a);
      objectEnds.push(writer.length);
    }
    const times = p.kind === "row" ? [p.ts] : p.times;
    records.push({ start, mapEnd, end: writer.length, times });
  }
  return { bytes: writer.toBytes(), records, objectEnds };
}

describe("scanRecords", () => {
  it("finds the whole records before any cut, with their place, points and _ts facts", () => {
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 12 }),
        fc.nat(),
        fc.boolean(),
        fc.nat(1000),
        (pieces, at, isFileEnd, base) => {
          const { bytes, records, objectEnds } = build(pieces);
          const cut = at % (bytes.byteLength + 1);
          const result = scanRecords(bytes.subarray(0, cut), base, 5, crc32, isFileEnd);
          // A map that ends right at the cut is whole only at the end of the file.
          const whole = records.filter((r) => (isFileEnd ? r.mapEnd <= cut : r.mapEnd < cut));
          let firstIndex = 5;
          const expected = whole.map((r) => {
            const end = r.end <= cut ? r.end : r.mapEnd;
            const numeric = r.times.filter((ts): ts is number => typeof ts === "number");
            const hasUntimed = numeric.length < r.times.length;
            const isSorted =
              !hasUntimed && numeric.every((ts, i) => i === 0 || ts >= (numeric[i - 1] as number));
            const entry = {
              offset: base + r.start,
              length: end - r.start,
              count: r.times.length,
              firstIndex,
              minTs: numeric.length === 0 ? NaN : Math.min(...numeric),
              maxTs: numeric.length === 0 ? NaN : Math.max(...numeric),
              dataCrc: crc32(bytes.subarray(r.start, end)),
              flags: (isSorted ? FLAG_SORTED : 0) | (hasUntimed ? FLAG_UNTIMED : 0),
              summaryOffset: 0,
              summaryLength: 0,
            };
            firstIndex += r.times.length;
            return entry;
          });
          expect(result.entries).toEqual(expected);
          // validEnd: past the last whole object the scan accepted.
          const accepted = objectEnds.filter((end) => end <= cut);
          const stoppedAtMap = !isFileEnd && records.some((r) => r.mapEnd === cut);
          const expectedEnd = stoppedAtMap
            ? Math.max(0, ...accepted.filter((end) => end < cut))
            : Math.max(0, ...accepted);
          expect(result.validEnd).toBe(base + expectedEnd);
          expect(result.stop.kind).toBe(expectedEnd === cut ? "end" : "truncated");
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("stops at bytes that are not msgpack, saying where", () => {
    const { bytes, records } = build([
      { kind: "row", ts: 1, newline: true },
      { kind: "row", ts: 2, newline: true },
    ]);
    const damaged = bytes.slice();
    const second = records[1]?.start ?? 0;
    damaged[second] = 0xc1;
    const result = scanRecords(damaged, 100, 0, crc32, true);
    expect(result.entries).toHaveLength(1);
    expect(result.validEnd).toBe(100 + second);
    expect(result.stop).toMatchObject({ kind: "malformed", offset: 100 + second });
  });
});
