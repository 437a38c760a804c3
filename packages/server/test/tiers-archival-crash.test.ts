import { describe, expect, it } from "vitest";
import type { ObjectStore } from "../src/tiers/cold/object-store.js";
import { MemoryObjectStore } from "../src/tiers/cold/memory-object-store.js";
import type { HotStore } from "../src/tiers/hot/hot-store.js";
import { MemoryHotStore } from "../src/tiers/hot/memory-hot-store.js";
import { CHUNK, expectIntact, pointsFrom, session, STEPS } from "./tiers-intact.js";
import { crashingAt, FlakyObjectStore, InjectedCrash, type CrashPoint } from "./tiers-doubles.js";
import { realStores, tiered } from "./tiers-fixtures.js";
import { DATABASE_KINDS } from "./test-databases.js";

/**
 * Appends 10 points (two full chunks), crashes the archiver at `point`, checks what a
 * restarted server sees right away, appends more, then lets a new archiver recover.
 */
async function crashAndRecover(
  hot: HotStore,
  objects: ObjectStore,
  point: CrashPoint & { store: "hot" | "cold" },
): Promise<void> {
  const before = tiered(
    point.store === "hot" ? crashingAt(hot, point) : hot,
    point.store === "cold" ? crashingAt(objects, point) : objects,
    { chunkSize: CHUNK },
  );
  await before.repository.append(session, "t", pointsFrom(0, 10));
  const trackId = (await hot.track({ sessionId: session.id, name: "t" }))!.trackId;
  await expect(before.archiver.archiveTrack(trackId)).rejects.toBeInstanceOf(InjectedCrash);
  // The process is gone: its archiver and caches are dropped without closing the stores.

  const after = tiered(hot, objects, { chunkSize: CHUNK });
  await expectIntact(after.repository, hot, objects, 10, { isArchivalPending: true });
  await after.repository.append(session, "t", pointsFrom(10, 3));
  const result = await after.archiver.sweep();
  expect(result.failedTracks).toBe(0);
  await expectIntact(after.repository, hot, objects, 13);
  expect((await after.repository.stats(session, "t")).chunkedDataPoints).toBe(12);
  await after.repository.close();
}

// Each step of the first chunk, and of the second one (then the first is in the cold tier
// and reads cross the tiers while the second is half archived).
const CRASHES = STEPS.flatMap((step) =>
  [1, 2].flatMap((nth) => (["before", "after"] as const).map((when) => ({ ...step, when, nth }))),
);

describe("archival survives a crash at any step", () => {
  for (const crash of CRASHES) {
    const name = `crash ${crash.when} ${crash.store}.${crash.method} of chunk ${crash.nth - 1}`;
    it(`memory tiers: ${name}`, async () => {
      await crashAndRecover(new MemoryHotStore(), new MemoryObjectStore(), crash);
    });
    for (const { kind, label } of DATABASE_KINDS) {
      it(`${label} and Swift: ${name}`, async () => {
        const stores = await realStores(kind);
        try {
          await crashAndRecover(stores.hot, stores.objects, crash);
        } finally {
          await stores.dispose();
        }
      });
    }
  }
});

describe("two archivers on one track", () => {
  it("leave no stuck plan when one of them acts on a state read before the other finished", async () => {
    const hot = new MemoryHotStore();
    const objects = new MemoryObjectStore();
    const first = tiered(hot, objects, { chunkSize: CHUNK });
    await first.repository.append(session, "t", pointsFrom(0, 10));
    const trackId = (await hot.track({ sessionId: session.id, name: "t" }))!.trackId;
    // The second archiver reads the manifest, then waits until the first one archived both
    // chunks, then goes on with what it read: as a paused process whose lease expired
    // meanwhile would (its lease calls are not recorded, so the first one gets the lease).
    let firstDone: () => void = () => undefined;
    const isFirstDone = new Promise<void>((resolve) => (firstDone = resolve));
    const slowHot = new Proxy(hot, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== "function") return value;
        const method = (value as (...args: unknown[]) => Promise<unknown>).bind(target);
        if (property === "takeArchivalLease") return () => Promise.resolve(true);
        if (property === "releaseArchivalLease") return () => Promise.resolve();
        if (property !== "manifest") return method;
        return async (...args: unknown[]) => {
          const read = await method(...args);
          await isFirstDone;
          return read;
        };
      },
    });
    const second = tiered(slowHot, objects, { chunkSize: CHUNK });
    const late = second.archiver.archiveTrack(trackId);
    expect(await first.archiver.archiveTrack(trackId)).toBe(2);
    firstDone();
    await late.catch(() => undefined);
    const recovery = tiered(hot, objects, { chunkSize: CHUNK });
    expect(await recovery.archiver.sweep()).toEqual({ chunks: 0, failedTracks: 0 });
    await expectIntact(recovery.repository, hot, objects, 10);
  });
});

describe("archivers configured with different chunk sizes", () => {
  it("drop a plan the manifest passed and go on with their own chunk size", async () => {
    const hot = new MemoryHotStore();
    const objects = new MemoryObjectStore();
    const big = tiered(hot, objects, { chunkSize: 8 });
    await big.repository.append(session, "t", pointsFrom(0, 10));
    const trackId = (await hot.track({ sessionId: session.id, name: "t" }))!.trackId;
    // The big-chunk archiver records its plan (0..7) and stops before uploading.
    const stopped = tiered(crashingAt(hot, { method: "readBatches", when: "before" }), objects, {
      chunkSize: 8,
    });
    await expect(stopped.archiver.archiveTrack(trackId)).rejects.toBeInstanceOf(InjectedCrash);
    expect(await hot.archivalPlan(trackId)).toMatchObject({ startIndex: 0, endIndex: 7 });
    // A small-chunk archiver finishes that plan first (the plan in force wins)...
    const small = tiered(hot, objects, { chunkSize: CHUNK });
    expect(await small.archiver.archiveTrack(trackId)).toBe(1);
    expect((await hot.manifest(trackId)).map((chunk) => chunk.count)).toEqual([8]);
    // ...then, with more points, archives with its own size.
    await small.repository.append(session, "t", pointsFrom(10, 3));
    expect(await small.archiver.archiveTrack(trackId)).toBe(1);
    expect((await hot.manifest(trackId)).map((chunk) => chunk.count)).toEqual([8, 4]);
    await expectIntact(small.repository, hot, objects, 13, { chunkSizes: [8, 4] });
  });
});

describe("a plan that does not follow the manifest", () => {
  it("is abandoned, and archiving goes on", async () => {
    const hot = new MemoryHotStore();
    const objects = new MemoryObjectStore();
    const parts = tiered(hot, objects, { chunkSize: CHUNK });
    await parts.repository.append(session, "t", pointsFrom(0, 6));
    const trackId = (await hot.track({ sessionId: session.id, name: "t" }))!.trackId;
    // A plan left by some other version of the archiver: chunk 3 of a track with none.
    const stale = { chunkNumber: 3, startIndex: 12, endIndex: 15, key: "tracks/x/stale" };
    let abandoned: unknown;
    let isStaleServed = false;
    const staleHot = new Proxy(hot, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== "function") return value;
        const method = (value as (...args: unknown[]) => Promise<unknown>).bind(target);
        if (property === "archivalPlan" && !isStaleServed) {
          isStaleServed = true;
          return () => Promise.resolve(stale);
        }
        if (property === "abandonArchival") {
          return (id: string, plan: unknown) => {
            abandoned = plan;
            return method(id, plan);
          };
        }
        return method;
      },
    });
    const archiver = tiered(staleHot, objects, { chunkSize: CHUNK }).archiver;
    expect(await archiver.archiveTrack(trackId)).toBe(1);
    expect(abandoned).toEqual(stale);
    await expectIntact(parts.repository, hot, objects, 6);
  });
});

describe("archival while the object store is down", () => {
  it("keeps taking appends in the hot tier and catches up when the store is back", async () => {
    const objects = new FlakyObjectStore(new MemoryObjectStore());
    const hot = new MemoryHotStore();
    const parts = tiered(hot, objects, { chunkSize: CHUNK });
    objects.isDown = true;
    for (let batch = 0; batch < 5; batch++) {
      await parts.repository.append(session, "t", pointsFrom(batch * 3, 3));
    }
    expect(await parts.archiver.sweep()).toEqual({ chunks: 0, failedTracks: 1 });
    expect(await parts.archiver.sweep()).toEqual({ chunks: 0, failedTracks: 1 });
    expect(await parts.repository.stats(session, "t")).toMatchObject({
      totalDataPoints: 15,
      bufferedDataPoints: 15,
      chunkedDataPoints: 0,
    });
    expect(parts.log.errors[0]).toMatch(/archiving to the cold tier failed/);
    const recent = await parts.repository.readByTime(session, "t", {
      startTime: 110,
      endTime: undefined,
      limit: 100,
      reverse: false,
    });
    expect(recent.total).toBe(5);

    objects.isDown = false;
    expect(await parts.archiver.sweep()).toEqual({ chunks: 3, failedTracks: 0 });
    expect(await parts.repository.stats(session, "t")).toMatchObject({
      totalDataPoints: 15,
      bufferedDataPoints: 3,
      chunkedDataPoints: 12,
      totalChunks: 3,
    });
    await expectIntact(parts.repository, hot, objects, 15);
    await parts.repository.close();
  });

  it("retries in the background with a growing wait and catches up by itself", async () => {
    const objects = new FlakyObjectStore(new MemoryObjectStore());
    const hot = new MemoryHotStore();
    const parts = tiered(hot, objects, {
      chunkSize: CHUNK,
      minRetryDelayMs: 5,
      maxRetryDelayMs: 20,
      sweepIntervalMs: 10,
      clock: { nowSeconds: () => performance.now() / 1000 },
    });
    objects.isDown = true;
    parts.archiver.start();
    await parts.repository.append(session, "t", pointsFrom(0, 9));
    await expect.poll(() => parts.log.errors.length).toBeGreaterThan(2);
    objects.isDown = false;
    await expect
      .poll(async () => (await parts.repository.stats(session, "t")).chunkedDataPoints)
      .toBe(8);
    await parts.repository.close();
    await expectIntact(parts.repository, hot, objects, 9);
  });

  it.each(DATABASE_KINDS)(
    "loses nothing when the server restarts on $label and Swift",
    async ({ kind }) => {
      const stores = await realStores(kind);
      try {
        const first = tiered(stores.hot, stores.objects, { chunkSize: CHUNK });
        await first.repository.append(session, "t", pointsFrom(0, 10));
        await first.archiver.sweep();
        await first.repository.close();
        const again = await stores.reopen();
        const second = tiered(again.hot, again.objects, { chunkSize: CHUNK });
        await expectIntact(second.repository, again.hot, again.objects, 10);
        expect(await second.repository.stats(session, "t")).toMatchObject({
          chunkedDataPoints: 8,
          totalChunks: 2,
        });
        await second.repository.close();
        await again.hot.close();
        await again.objects.close();
      } finally {
        await stores.dispose();
      }
    },
  );
});
