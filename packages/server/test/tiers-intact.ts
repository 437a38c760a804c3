import { expect } from "vitest";
import type { TimedPoint } from "dreamlake/engine";
import type { SessionRef } from "../src/sessions/session-ref.js";
import type { ObjectStore } from "../src/tiers/cold/object-store.js";
import type { HotStore } from "../src/tiers/hot/hot-store.js";
import type { TieredTrackRepository } from "../src/tiers/tiered-track-repository.js";

export const session: SessionRef = { id: "s1", namespace: "alice", workspace: "ws", name: "run" };
export const CHUNK = 4;

export const pointsFrom = (first: number, count: number): TimedPoint[] =>
  Array.from({ length: count }, (_, i) => ({ _ts: 100 + first + i, n: first + i }));

/** The calls archiving one chunk makes, in order: a crash can come before or after each. */
export const STEPS: readonly { readonly store: "hot" | "cold"; readonly method: string }[] = [
  { store: "hot", method: "archivalPlan" },
  { store: "hot", method: "trackById" },
  { store: "hot", method: "manifest" },
  { store: "hot", method: "beginArchival" },
  { store: "hot", method: "readBatches" },
  { store: "cold", method: "put" },
  { store: "hot", method: "commitChunk" },
  { store: "hot", method: "dropArchivedRows" },
];

/** Everything the tiers hold for the track, checked against the `total` points appended. */
export async function expectIntact(
  repository: TieredTrackRepository,
  hot: HotStore,
  objects: ObjectStore,
  total: number,
  options: { readonly isArchivalPending?: boolean; readonly chunkSizes?: readonly number[] } = {},
): Promise<void> {
  const all = await repository.read(session, "t", { startIndex: 0, limit: 10_000 });
  expect(all.data).toEqual(pointsFrom(0, total).map((data, index) => ({ index, data })));
  const byTime = await repository.readByTime(session, "t", {
    startTime: undefined,
    endTime: undefined,
    limit: 10_000,
    reverse: true,
  });
  expect(byTime.data.map((row) => row.index)).toEqual(
    Array.from({ length: total }, (_, i) => total - 1 - i),
  );
  const stats = await repository.stats(session, "t");
  expect(stats.totalDataPoints).toBe(total);
  expect(stats.bufferedDataPoints + stats.chunkedDataPoints).toBe(total);
  // Every object in the cold tier is a committed chunk (no orphan, no duplicate), except
  // the upload of an archival a crash interrupted, which its retry overwrites and commits.
  const track = await hot.track({ sessionId: session.id, name: "t" });
  const manifest = await hot.manifest(track!.trackId);
  const plan = await hot.archivalPlan(track!.trackId);
  const keys: string[] = [];
  for await (const object of objects.list("")) keys.push(object.key);
  const committed = manifest.map((chunk) => chunk.key);
  const uncommitted = keys.filter((key) => !committed.includes(key));
  expect(keys.filter((key) => committed.includes(key)).sort()).toEqual([...committed].sort());
  if (options.isArchivalPending === true && plan !== undefined) {
    expect(uncommitted.every((key) => key === plan.key)).toBe(true);
  } else {
    expect(uncommitted).toEqual([]);
    expect(plan).toBeUndefined();
  }
  let startIndex = 0;
  manifest.forEach((chunk, i) => {
    const count = options.chunkSizes?.[i] ?? CHUNK;
    expect(chunk).toMatchObject({ chunkNumber: i, startIndex, count });
    startIndex += count;
  });
}
