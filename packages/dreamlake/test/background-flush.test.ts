import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Session, type Track } from "../src/index.js";
import { FileLockManager } from "../src/storage/node/file-lock-manager.js";
import { makeTempDir } from "./test-utils.js";

let temp: { dir: string; cleanup(): Promise<void> };
let session: Session;
beforeEach(async () => {
  temp = await makeTempDir();
  session = await Session.open({
    prefix: "ws/run",
    localPath: temp.dir,
    flushOnExit: false,
    flushIntervalMs: 0,
  });
});
afterEach(async () => {
  await session.close();
  await temp.cleanup();
});

async function values(track: Track, field: string): Promise<unknown[]> {
  return (await track.read({ limit: 10_000 })).data.map((row) => row.data[field]);
}

/**
 * Starts a flush of `track` while another writer holds its lock, so that the flush has
 * taken its points and waits; `during` runs then. Returns when the flush is done.
 */
async function duringBlockedFlush(track: Track, during: () => void): Promise<void> {
  const lockPath = path.join(temp.dir, "ws", "run", "tracks", track.name, ".track.lock");
  const release = await new FileLockManager().acquire(lockPath, 1000);
  const flushed = track.flush();
  await new Promise((resolve) => setImmediate(resolve));
  during();
  await release();
  await flushed;
  await track.flush();
}

describe("the flush timer", () => {
  it("does not write a held group twice when it ticks during a flush", async () => {
    const track = session.track("tick");
    // Out of _ts order, so that the flush writes a merged copy of its points.
    track.append({ v: 1, _ts: 20 }).append({ v: 2, _ts: 10 });
    await duringBlockedFlush(track, () => {
      track.flushInBackground();
    });
    expect(await values(track, "v")).toEqual([2, 1]);
  });

  it("does not lose points appended after it ticks during a flush", async () => {
    const track = session.track("tock");
    track.append({ a: 1, _ts: 5 }).append({ b: 2, _ts: 5 });
    await duringBlockedFlush(track, () => {
      track.flushInBackground();
      track.append({ c: 3, _ts: 6 });
    });
    const rows = (await track.read()).data.map((row) => row.data);
    expect(rows).toEqual([
      { a: 1, b: 2, _ts: 5 },
      { c: 3, _ts: 6 },
    ]);
  });
});

describe("an automatic flush", () => {
  it("never splits a group of equal _ts still being appended", async () => {
    const options = { prefix: "ws/auto", localPath: temp.dir, flushOnExit: false };
    const auto = await Session.open({ ...options, flushEveryPoints: 2, flushIntervalMs: 0 });
    try {
      const track = auto.track("g");
      track.append({ a: 1, _ts: 1 }).append({ b: 2, _ts: 2 });
      track.append({ c: 3, _ts: 2 }).append({ d: 4, _ts: 2 });
      // Let the automatic flushes run before the group is complete.
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
      track.append({ e: 5, _ts: 2 });
      const rows = (await track.read()).data.map((row) => row.data);
      expect(rows).toEqual([
        { a: 1, _ts: 1 },
        { b: 2, c: 3, d: 4, e: 5, _ts: 2 },
      ]);
    } finally {
      await auto.close();
    }
  });

  it("writes points in the background once flushEveryPoints are buffered", async () => {
    const auto = await Session.open({
      prefix: "ws/auto2",
      localPath: temp.dir,
      flushOnExit: false,
      flushEveryPoints: 3,
      flushIntervalMs: 0,
    });
    try {
      const track = auto.track("g");
      for (let i = 0; i < 7; i++) track.append({ v: i, _ts: i });
      // Only the last group may stay held; the background writes need a few turns.
      for (let i = 0; i < 50 && track.bufferedPoints > 1; i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(track.bufferedPoints).toBeLessThanOrEqual(1);
      expect(await values(track, "v")).toEqual([0, 1, 2, 3, 4, 5, 6]);
    } finally {
      await auto.close();
    }
  });
});

describe("a point held back by an automatic flush", () => {
  it("keeps a field named __proto__ as a field", async () => {
    const auto = await Session.open({
      prefix: "ws/proto",
      localPath: temp.dir,
      flushOnExit: false,
      flushEveryPoints: 2,
      flushIntervalMs: 0,
    });
    try {
      const track = auto.track("p");
      track.append({ a: 1, _ts: 1 });
      // JSON.parse makes "__proto__" an own field, as a decoded message would.
      track.append(
        JSON.parse('{"__proto__": {"x": 1}, "b": 2, "_ts": 2}') as Record<string, unknown>,
      );
      await track.flush();
      const rows = (await track.read()).data.map((row) => row.data);
      expect(rows).toHaveLength(2);
      const held = rows[1] as Record<string, unknown>;
      expect(Object.getPrototypeOf(held)).toBe(Object.prototype);
      expect(Object.keys(held).sort()).toEqual(["__proto__", "_ts", "b"]);
      expect(Object.getOwnPropertyDescriptor(held, "__proto__")?.value).toEqual({ x: 1 });
    } finally {
      await auto.close();
    }
  });
});
