import { mkdir, readFile, rename, rm } from "node:fs/promises";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  LimitExceededError,
  LockTimeoutError,
  Session,
  type SessionOptions,
  type IndexedPoint,
} from "../src/index.js";
import { collect, waitForLine } from "./child-process.js";
import { snapshotFolder } from "./folder-snapshot.js";
import { spawnPython, toTagged } from "./python-bridge.js";
import { makeTempDir } from "./test-utils.js";

// Tests run as root, for whom permission bits fail nothing: every failure here is a path
// that is a folder where a file must be, which fails for root too (EISDIR). A file the
// engine keeps open is not failed that way (the open handle still reaches the old file), so
// a session that already wrote the track is failed through metadata.json, replaced each time.

let temp: { dir: string; cleanup(): Promise<void> };
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.cleanup();
});

// fsync "always" also rewrites metadata.json on every write (otherwise it is rewritten at
// most once a second), so that replacing it fails every write, not only the first.
function options(): SessionOptions {
  return {
    prefix: "ws/run",
    localPath: temp.dir,
    flushOnExit: false,
    flushIntervalMs: 0,
    fsync: "always",
  };
}

function trackFolder(name: string): string {
  return path.join(temp.dir, "ws", "run", "tracks", name);
}

async function readAll(session: Session, name: string): Promise<IndexedPoint[]> {
  return [...(await session.track(name).read({ limit: 10_000 })).data];
}

/** Puts a folder where `file` is, runs `body`, then puts the file back. */
async function withFolderInPlaceOf(file: string, body: () => Promise<void>): Promise<void> {
  const aside = `${file}.aside`;
  const existed = await rename(file, aside).then(
    () => true,
    () => false,
  );
  await mkdir(file, { recursive: true });
  try {
    await body();
  } finally {
    await rm(file, { recursive: true, force: true });
    if (existed) await rename(aside, file);
  }
}

describe("a flush that fails", () => {
  it.each([
    ["data.msgpack", "the data file"],
    ["data.msgpack.idx", "the index file"],
    ["metadata.json", "metadata.json"],
    [".track.lock", "the lock file"],
  ])(
    "keeps its points when %s cannot be written, leaves the files as they were, and writes the points once after the fix",
    async (file) => {
      const first = await Session.open(options());
      await first.track("t").appendBatch([
        { v: 0, _ts: 1 },
        { v: 1, _ts: 2 },
      ]);
      await first.close();
      const session = await Session.open(options());
      try {
        const track = session.track("t");
        expect((await readAll(session, "t")).map((row) => row.data["v"])).toEqual([0, 1]);
        track.append({ v: 2, _ts: 3 }).append({ v: 3, _ts: 4 });
        await withFolderInPlaceOf(path.join(trackFolder("t"), file), async () => {
          const before = await snapshotFolder(trackFolder("t"));
          await expect(track.flush()).rejects.toThrow();
          expect(track.bufferedPoints).toBe(2);
          expect(await snapshotFolder(trackFolder("t"))).toEqual(before);
        });
        const result = await track.flush();
        expect(result).toMatchObject({ count: 2, startIndex: 2, endIndex: 3 });
        const rows = await readAll(session, "t");
        expect(rows.map((row) => [row.index, row.data["v"]])).toEqual([
          [0, 0],
          [1, 1],
          [2, 2],
          [3, 3],
        ]);
      } finally {
        await session.close();
      }
      // A fresh process sees the same points: the index and metadata caught up too.
      const again = await Session.open(options());
      try {
        expect((await readAll(again, "t")).map((row) => row.data["v"])).toEqual([0, 1, 2, 3]);
        expect((await again.track("t").stats()).totalDataPoints).toBe(4);
      } finally {
        await again.close();
      }
      const metadata = JSON.parse(
        await readFile(path.join(trackFolder("t"), "metadata.json"), "utf8"),
      ) as Record<string, unknown>;
      expect(metadata).toMatchObject({ totalDataPoints: 4, nextIndex: 4 });
    },
  );

  it("keeps the points of a first write to a track whose data file is a folder", async () => {
    const session = await Session.open(options());
    try {
      const track = session.track("fresh");
      track.append({ v: 1, _ts: 1 });
      await withFolderInPlaceOf(path.join(trackFolder("fresh"), "data.msgpack"), async () => {
        await expect(track.flush()).rejects.toThrow();
        await expect(track.flush()).rejects.toThrow();
      });
      track.append({ v: 2, _ts: 2 });
      await track.flush();
      expect((await readAll(session, "fresh")).map((row) => row.data["v"])).toEqual([1, 2]);
    } finally {
      await session.close();
    }
  });

  it("keeps a batch that could not be written, in order before later appends", async () => {
    const session = await Session.open(options());
    try {
      const track = session.track("b");
      track.append({ v: 0, _ts: 1 });
      await track.flush();
      await withFolderInPlaceOf(path.join(trackFolder("b"), "metadata.json"), async () => {
        await expect(track.appendBatch([{ v: 1 }, { v: 2 }])).rejects.toThrow();
      });
      track.append({ v: 3, _ts: 1e12 });
      await track.flush();
      expect((await readAll(session, "b")).map((row) => row.data["v"])).toEqual([0, 1, 2, 3]);
    } finally {
      await session.close();
    }
  });

  it("makes close() fail and keep the session open while points cannot be written", async () => {
    const session = await Session.open(options());
    const track = session.track("c");
    track.append({ v: 0, _ts: 1 });
    await track.flush();
    track.append({ v: 1, _ts: 2 });
    await withFolderInPlaceOf(path.join(trackFolder("c"), "metadata.json"), async () => {
      await expect(session.close()).rejects.toThrow();
      expect(session.isOpen).toBe(true);
    });
    await session.close();
    expect(session.isOpen).toBe(false);
    const again = await Session.open(options());
    try {
      expect((await readAll(again, "c")).map((row) => row.data["v"])).toEqual([0, 1]);
    } finally {
      await again.close();
    }
  });
});

describe("a flush that waits for another writer's lock", () => {
  it("fails with LockTimeoutError after lockTimeoutMs, keeps its points, and writes them later", async () => {
    const session = await Session.open({ ...options(), lockTimeoutMs: 150 });
    try {
      const track = session.track("busy");
      track.append({ v: 0, _ts: 1 });
      await track.flush();
      const lockPath = path.join(trackFolder("busy"), ".track.lock");
      // Another process (here: a child holding flock, as the Python SDK would) keeps it.
      const holder = spawnPython("python_append_like_sdk.py", [
        trackFolder("busy"),
        JSON.stringify([toTagged({ v: "python", _ts: 2.5 })]),
        "1.5",
      ]);
      const done = collect(holder);
      await waitForLine(holder, "locked");
      track.append({ v: 1, _ts: 3 });
      const error: unknown = await track.flush().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(LockTimeoutError);
      expect((error as LockTimeoutError).retryable).toBe(true);
      expect((error as Error).message).toContain(lockPath);
      expect(track.bufferedPoints).toBe(1);
      await done;
      await track.flush();
      expect((await readAll(session, "busy")).map((row) => row.data["v"])).toEqual([
        0,
        "python",
        1,
      ]);
    } finally {
      await session.close();
    }
  });
});

describe("maxBufferedPoints", () => {
  it("takes points up to the limit, refuses one more with LimitExceededError, and takes more after a flush", async () => {
    const session = await Session.open({ ...options(), maxBufferedPoints: 3 });
    try {
      const track = session.track("full");
      track.append({ v: 0 }).append({ v: 1 }).append({ v: 2 });
      expect(() => track.append({ v: 3 })).toThrow(LimitExceededError);
      expect(() => track.append({ v: 3 })).toThrow(/maxBufferedPoints \(3\)/);
      await expect(track.appendBatch([{ v: 3 }])).rejects.toThrow(LimitExceededError);
      expect(track.bufferedPoints).toBe(3);
      await track.flush();
      await track.appendBatch([{ v: 3 }, { v: 4 }, { v: 5 }]);
      await expect(track.appendBatch([{ v: 6 }, { v: 7 }, { v: 8 }, { v: 9 }])).rejects.toThrow(
        LimitExceededError,
      );
      expect((await readAll(session, "full")).map((row) => row.data["v"])).toEqual([
        0, 1, 2, 3, 4, 5,
      ]);
    } finally {
      await session.close();
    }
  });
});
