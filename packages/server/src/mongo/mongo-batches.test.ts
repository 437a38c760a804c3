import { describe, expect, it } from "vitest";
import { MAX_BATCH_POINTS } from "../tiers/hot/hot-store.js";
import { LimitExceededError } from "dreamlake/engine";
import { decodeBatch, MAX_BATCH_BYTES, MAX_POINT_BYTES, stageBatches } from "./mongo-batches.js";

describe("stageBatches", () => {
  it("cuts an append into runs of at most MAX_BATCH_POINTS points, in order", () => {
    const points = Array.from({ length: MAX_BATCH_POINTS * 2 + 5 }, (_, i) => ({ _ts: i, i }));
    const staged = stageBatches("t", "a", points, new Date(0));
    expect(staged.batches.map((batch) => [batch.offset, batch.count])).toEqual([
      [0, MAX_BATCH_POINTS],
      [MAX_BATCH_POINTS, MAX_BATCH_POINTS],
      [MAX_BATCH_POINTS * 2, 5],
    ]);
    expect(staged).toMatchObject({ minTs: 0, maxTs: points.length - 1 });
    const again = staged.documents.flatMap((document, b) =>
      decodeBatch("t", staged.batches[b]!.offset, document.data),
    );
    expect(again).toEqual(points);
  });

  it("keeps each batch under MAX_BATCH_BYTES, a point larger than it alone", () => {
    const big = new Uint8Array(MAX_BATCH_BYTES / 3);
    const points = [
      ...Array.from({ length: 7 }, (_, i) => ({ _ts: i, frame: big })),
      { _ts: 7, frame: new Uint8Array(MAX_BATCH_BYTES + 1) },
    ];
    const staged = stageBatches("t", "a", points, new Date(0));
    for (const [b, document] of staged.documents.entries()) {
      const count = staged.batches[b]!.count;
      expect(document.data.length() <= MAX_BATCH_BYTES || count === 1).toBe(true);
    }
    expect(staged.batches.reduce((total, batch) => total + batch.count, 0)).toBe(8);
    expect(staged.batches.at(-1)).toMatchObject({ offset: 7, count: 1 });
  });

  it("refuses a point MongoDB cannot hold in one document, at the limit and one past it", () => {
    // The bytes of the record besides the binary's: the columnar map, the keys, `_ts`, the
    // bin32 header and the record separator.
    const empty = stageBatches("t", "a", [{ _ts: 1, b: new Uint8Array(0) }], new Date(0));
    const overhead = empty.documents[0]!.data.length() + 3; // bin8 header: 2 bytes, bin32: 5
    const fits = [{ _ts: 1, b: new Uint8Array(MAX_POINT_BYTES - overhead) }];
    expect(stageBatches("t", "a", fits, new Date(0)).batches).toHaveLength(1);
    const over = [{ _ts: 1, b: new Uint8Array(MAX_POINT_BYTES - overhead + 1) }];
    expect(() => stageBatches("t", "a", over, new Date(0))).toThrow(LimitExceededError);
  });
});
