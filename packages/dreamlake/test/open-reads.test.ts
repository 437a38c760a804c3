import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { systemClock } from "../src/core/clock.js";
import { Session } from "../src/session/session.js";
import { FileLockManager } from "../src/storage/node/file-lock-manager.js";
import { nodeCrc32 } from "../src/storage/node/node-checksum.js";
import { NodeFileSystem } from "../src/storage/node/node-file-system.js";
import type { ByteRange, FileSystem, RandomAccessFile } from "../src/storage/ports.js";
import { LocalTracks } from "../src/storage/track/local-tracks.js";
import { makeTempDir } from "./test-utils.js";

// Opening a track reads the index's header and last page and checks the last record: the
// same bytes for a track of 1,000 records as for one of 10,000 (its index ten times larger).

/** The bytes read through a file system, by file name. */
class ReadCounter {
  readonly bytes = new Map<string, number>();

  add(file: string, count: number): void {
    const name = path.basename(file);
    this.bytes.set(name, (this.bytes.get(name) ?? 0) + count);
  }

  get total(): number {
    return [...this.bytes.values()].reduce((sum, count) => sum + count, 0);
  }
}

/** `inner` with some methods replaced (the others called on `inner`, whose private fields they use). */
function withMethods<T extends object>(inner: T, replaced: Partial<T>): T {
  return new Proxy(inner, {
    get(target, key) {
      if (Object.hasOwn(replaced, key)) return replaced[key as keyof T];
      const value: unknown = Reflect.get(target, key);
      return typeof value === "function" ? (value as () => unknown).bind(target) : value;
    },
  });
}

/** The real file system, with the bytes each read returns counted (a second adapter of the port). */
function countingFileSystem(inner: FileSystem, counter: ReadCounter): FileSystem {
  const counted = (file: RandomAccessFile): RandomAccessFile =>
    withMethods(file, {
      read: async (position: number, length: number) => {
        const bytes = await file.read(position, length);
        counter.add(file.path, bytes.byteLength);
        return bytes;
      },
      readMany: async (ranges: readonly ByteRange[]) => {
        const all = await file.readMany(ranges);
        for (const bytes of all) counter.add(file.path, bytes.byteLength);
        return all;
      },
    });
  return withMethods(inner, {
    openForRead: async (filePath: string) => {
      const file = await inner.openForRead(filePath);
      return file === undefined ? undefined : counted(file);
    },
    openForWrite: async (filePath: string) => counted(await inner.openForWrite(filePath)),
  });
}

let temp: { dir: string; cleanup(): Promise<void> };
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.cleanup();
});

/** A track of `records` records of 100 points each. */
async function writeTrack(name: string, records: number): Promise<void> {
  const session = await Session.open({ prefix: "p/s", localPath: temp.dir, flushOnExit: false });
  const track = session.track(name);
  for (let r = 0; r < records; r++) {
    await track.appendBatch(
      Array.from({ length: 100 }, (_, i) => ({ v: r + i / 100, _ts: r * 100 + i })),
    );
  }
  await session.close();
}

/** The bytes read by opening the track and by reading 10 points from its middle. */
async function bytesRead(name: string, middle: number): Promise<{ open: number; read: number }> {
  const counter = new ReadCounter();
  const tracks = new LocalTracks(
    {
      fs: countingFileSystem(new NodeFileSystem(), counter),
      locks: new FileLockManager(),
      checksum: nodeCrc32,
    },
    path.join(temp.dir, "p", "s"),
    {
      maxRecordPoints: 4096,
      fsync: "never",
      lockTimeoutMs: 10_000,
      cachePoints: 65_536,
      clock: systemClock,
    },
  );
  try {
    const store = await tracks.store(name);
    const open = counter.total;
    const result = await store.read({ startIndex: middle, limit: 10 });
    expect(result.data.map(({ index }) => index)).toEqual(
      Array.from({ length: 10 }, (_, i) => middle + i),
    );
    return { open, read: counter.total - open };
  } finally {
    await tracks.close();
  }
}

describe("opening a track", () => {
  it("reads as many bytes for 10,000 records as for 1,000: the index's last page and the last record", async () => {
    await writeTrack("small", 1_000);
    await writeTrack("large", 10_000);
    const small = await bytesRead("small", 50_000);
    const large = await bytesRead("large", 500_000);
    // The index's header and last 64 entries, and the last record of 100 points.
    expect(large.open).toBe(small.open);
    expect(large.open).toBeLessThan(16 * 1024);
    // A read at another place reads one more index page and its record, not the index.
    expect(large.read).toBeLessThan(16 * 1024);
  });
});
