import { describe, expect, it } from "vitest";
import { MAX_BATCH_POINTS } from "../tiers/hot/hot-store.js";
import { decodeBatch, MAX_BATCH_BYTES, stageBatches } from "./mongo-batches.js";

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
});
