import { readFile, readdir } from "node:fs/promises";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  FailedPreconditionError,
  NotFoundError,
  Session,
  withSession,
  type PointInput,
  type SessionOptions,
} from "../src/index.js";
import { makeTempDir, steppingClock } from "./test-utils.js";

// The session and track API of issue 2 in local mode, as API.md and the seed describe it.

let temp: { dir: string; cleanup(): Promise<void> };
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.cleanup();
});

function options(extra: Partial<SessionOptions> = {}): SessionOptions {
  return {
    prefix: "project/my-experiment",
    localPath: temp.dir,
    flushOnExit: false,
    flushIntervalMs: 0,
    ...extra,
  };
}

function sessionFolder(): string {
  return path.join(temp.dir, "project", "my-experiment");
}

async function sessionJson(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path.join(sessionFolder(), "session.json"), "utf8")) as Record<
    string,
    unknown
  >;
}

describe("Session.open", () => {
  it("creates <localPath>/<workspace>/<name>/ with session.json in the Python layout", async () => {
    const session = await Session.open(
      options({ readme: "notes", tags: ["a"], metadata: { lr: 0.1 } }),
    );
    await session.close();
    expect(session.directory).toBe(sessionFolder());
    expect((await readdir(sessionFolder())).sort()).toEqual(
      expect.arrayContaining(["files", "logs", "session.json", "tracks"]),
    );
    const text = await readFile(path.join(sessionFolder(), "session.json"), "utf8");
    const record = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(record)).toEqual([
      "name",
      "workspace",
      "description",
      "tags",
      "folder",
      "metadata",
      "created_at",
      "write_protected",
    ]);
    expect(record).toMatchObject({
      name: "my-experiment",
      workspace: "project",
      description: "notes",
      tags: ["a"],
      folder: null,
      metadata: { lr: 0.1 },
      write_protected: false,
    });
    expect(record["created_at"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(text).toBe(JSON.stringify(record, null, 2));
  });

  it("updates session.json on reopen: keeps what is not given, replaces what is, adds updated_at", async () => {
    await (await Session.open(options({ readme: "first", tags: ["a"] }))).close();
    const created = (await sessionJson())["created_at"];
    await (await Session.open(options({ tags: ["b"] }))).close();
    const record = await sessionJson();
    expect(record).toMatchObject({ description: "first", tags: ["b"], created_at: created });
    expect(typeof record["updated_at"]).toBe("string");
  });
});

describe("close", () => {
  it("flushes, can be called again (also at once), and then refuses appends and reads", async () => {
    const session = await Session.open(options());
    const track = session.track("train");
    track.append({ loss: 0.5 });
    await Promise.all([session.close(), session.close()]);
    await session.close();
    expect(session.isOpen).toBe(false);
    expect(() => track.append({ loss: 0.4 })).toThrow(FailedPreconditionError);
    expect(() => session.track("other")).toThrow(FailedPreconditionError);
    await expect(track.appendBatch([{ loss: 0.3 }])).rejects.toThrow(FailedPreconditionError);
    // Reads too: they would open the files the session released, and keep them open.
    await expect(track.read()).rejects.toThrow(FailedPreconditionError);
    await expect(track.readByTime()).rejects.toThrow(FailedPreconditionError);
    await expect(track.stats()).rejects.toThrow(FailedPreconditionError);
    const again = await Session.open(options());
    try {
      expect((await again.track("train").read()).data.map((row) => row.data["loss"])).toEqual([
        0.5,
      ]);
    } finally {
      await again.close();
    }
  });
});

describe("withSession", () => {
  it("returns the callback's value and closes the session, flushing it", async () => {
    let inside: Session | undefined;
    const value = await withSession(options(), (session) => {
      inside = session;
      session.track("train").append({ loss: 0.5, epoch: 1 });
      return Promise.resolve(42);
    });
    expect(value).toBe(42);
    expect(inside?.isOpen).toBe(false);
    await withSession(options(), async (session) => {
      expect((await session.track("train").read()).total).toBe(1);
    });
  });

  it("flushes and closes when the callback throws, then rethrows its error", async () => {
    const failure = new Error("boom");
    let inside: Session | undefined;
    await expect(
      withSession(options(), async (session) => {
        inside = session;
        session.track("metrics").append({ accuracy: 0.85, step: 100, epoch: 1 });
        await Promise.resolve();
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(inside?.isOpen).toBe(false);
    await withSession(options(), async (session) => {
      expect((await session.track("metrics").read()).data[0]?.data).toMatchObject({
        accuracy: 0.85,
        step: 100,
        epoch: 1,
      });
    });
  });
});

describe("await using", () => {
  it("closes the session at the end of the scope, flushing it", async () => {
    let inside: Session | undefined;
    {
      await using session = await Session.open(options());
      inside = session;
      session.track("train").append({ loss: 0.5 });
    }
    expect(inside.isOpen).toBe(false);
    await withSession(options(), async (session) => {
      expect((await session.track("train").read()).total).toBe(1);
    });
  });
});

describe("tracks", () => {
  let session: Session;
  beforeEach(async () => {
    session = await Session.open(options({ clock: steppingClock(1_700_000_000, 0.5) }));
  });
  afterEach(async () => {
    await session.close();
  });

  it("are the same object for the same name, and append is chainable", () => {
    const track = session.track("robot/pose");
    expect(session.track("robot/pose")).toBe(track);
    expect(track.append({ a: 1 }).append({ b: 2 })).toBe(track);
    expect(track.bufferedPoints).toBe(2);
  });

  it("give points without _ts a strictly increasing one, in append and appendBatch", async () => {
    const track = session.track("train");
    track.append({ v: 0 }).append({ v: 1 });
    const batch = await track.appendBatch([{ v: 2 }, { v: 3, _ts: 5 }, { v: 4 }]);
    expect(batch).toEqual({ count: 3, startIndex: 2, endIndex: 4 });
    const times = (await track.read()).data.map((row) => row.data["_ts"] as number);
    expect(times[1]).toBeGreaterThan(times[0] as number);
    expect(times[2]).toBeGreaterThan(times[1] as number);
    expect(times[3]).toBe(5);
    expect(times[4]).toBeGreaterThan(times[2] as number);
  });

  it("resolve _ts -1 to the last timestamp of any track of the session", async () => {
    for (let step = 0; step < 3; step++) {
      session.track("robot/pose").append({ position: [1, 2, 3] });
      session.track("camera/left/image").append({ frame_id: step, _ts: -1 });
      session.track("robot/velocity").append({ linear: [0.1, 0, 0], _ts: -1 });
    }
    const times = async (name: string): Promise<unknown[]> =>
      (await session.track(name).read()).data.map((row) => row.data["_ts"]);
    const pose = await times("robot/pose");
    expect(new Set(pose).size).toBe(3);
    expect(await times("camera/left/image")).toEqual(pose);
    expect(await times("robot/velocity")).toEqual(pose);
  });

  it("resolve _ts -1 after appendBatch or appendColumns to the write's last point (Python: the last append's)", async () => {
    const follower = session.track("follower");
    session.track("single").append({ v: 0, _ts: 50 });
    // The batch's last point in the given order, not its largest _ts.
    await session.track("batch").appendBatch([
      { v: 1, _ts: 70 },
      { v: 2, _ts: 60 },
    ]);
    follower.append({ after: "appendBatch", _ts: -1 });
    await session.track("columns").appendColumns({ _ts: [90, 80], v: [3, 4] });
    follower.append({ after: "appendColumns", _ts: -1 });
    // -1 inside a batch inherits too, and the batch then ends on that timestamp.
    await session.track("batch").appendBatch([
      { v: 5, _ts: 100 },
      { v: 6, _ts: -1 },
    ]);
    follower.append({ after: "inheriting batch", _ts: -1 });
    const rows = (await follower.read()).data.map((row) => row.data);
    expect(rows).toEqual([
      { after: "appendBatch", _ts: 60 },
      { after: "appendColumns", _ts: 80 },
      { after: "inheriting batch", _ts: 100 },
    ]);
    expect((await session.track("batch").read()).data.map((row) => row.data["_ts"])).toEqual([
      70, 60, 100, 100,
    ]);
  });

  it("leave the _ts -1 of later appends as they were when a batch is refused", async () => {
    session.track("single").append({ v: 0, _ts: 50 });
    await expect(
      session.track("batch").appendBatch([
        { v: 1, _ts: 70 },
        { v: 2, _ts: "late" },
      ]),
    ).rejects.toThrow(/Point 1 of appendBatch/);
    await expect(session.track("columns").appendColumns({ _ts: [90, NaN] })).rejects.toThrow(
      /point 1: _ts/,
    );
    session.track("follower").append({ _ts: -1 });
    expect((await session.track("follower").read()).data[0]?.data["_ts"]).toBe(50);
  });

  it("merge points of equal _ts flushed together (later fields win), not across flushes", async () => {
    const state = session.track("robot/state");
    state.append({ q: [0.1, 0.2], _ts: 7 });
    state.append({ v: [0.01, 0.02], x: 1, _ts: 7 });
    state.append({ e: [0.5, 0.6, 0.7], x: 2, _ts: 7 });
    await state.flush();
    state.append({ late: true, _ts: 7 });
    const rows = (await state.read()).data;
    expect(rows.map((row) => row.data)).toEqual([
      { q: [0.1, 0.2], v: [0.01, 0.02], e: [0.5, 0.6, 0.7], x: 2, _ts: 7 },
      { late: true, _ts: 7 },
    ]);
  });

  it("answer read in the seed's shape, with what was appended before (read-your-writes)", async () => {
    const track = session.track("loss");
    for (let i = 0; i < 5; i++) track.append({ loss: 1 / (i + 1), step: i, _ts: 100 + i });
    const page = await track.read({ startIndex: 1, limit: 2 });
    expect(page).toEqual({
      data: [
        { index: 1, data: { loss: 0.5, step: 1, _ts: 101 } },
        { index: 2, data: { loss: 1 / 3, step: 2, _ts: 102 } },
      ],
      startIndex: 1,
      endIndex: 2,
      total: 2,
      hasMore: true,
    });
    expect(await track.read({ startIndex: 10 })).toEqual({
      data: [],
      startIndex: 10,
      endIndex: 9,
      total: 0,
      hasMore: false,
    });
  });

  it("answer readByTime in the seed's shape: start inclusive, end exclusive, newest first with reverse", async () => {
    const track = session.track("robot/pose");
    for (let i = 0; i < 10; i++) track.append({ i, _ts: 1000 + i * 0.5 });
    const window = await track.readByTime({ startTime: 1001, endTime: 1003, limit: 1000 });
    expect(window.data.map((row) => row.data["i"])).toEqual([2, 3, 4, 5]);
    expect(window).toMatchObject({ startTime: 1001, endTime: 1003, total: 4, hasMore: false });
    const latest = await track.readByTime({ reverse: true, limit: 3 });
    expect(latest.data.map((row) => [row.index, row.data["i"]])).toEqual([
      [9, 9],
      [8, 8],
      [7, 7],
    ]);
    expect(latest).toMatchObject({ startTime: null, endTime: null, total: 3, hasMore: true });
  });

  it("give stats with counts and the _ts range, and NotFoundError for a track never written", async () => {
    const track = session.track("stats");
    track.append({ v: 1, _ts: 30 }).append({ v: 2, _ts: 10 });
    await track.flush();
    await track.appendBatch([{ v: 3, _ts: 20 }]);
    const stats = await track.stats();
    expect(stats).toMatchObject({
      trackId: "local-track-stats",
      name: "stats",
      totalDataPoints: 3,
      firstTs: 10,
      lastTs: 30,
    });
    expect(stats.firstDataAt).toMatch(/^1970-01-01T00:00:10/);
    await expect(session.track("never").stats()).rejects.toBeInstanceOf(NotFoundError);
  });

  it("are listed sorted by full name after tracks.flush writes every buffer", async () => {
    session.track("robot/position/right-camera").append({ x: 1.1, _ts: 1 });
    session.track("robot/position/left-camera").append({ x: 1.0, _ts: 1 });
    session.track("robot/velocity").append({ vx: 0.5, _ts: 1 });
    session.track("a").append({ v: 0 });
    await session.tracks.flush();
    expect(session.bufferedPoints).toBe(0);
    expect(await session.tracks.list()).toEqual([
      "a",
      "robot/position/left-camera",
      "robot/position/right-camera",
      "robot/velocity",
    ]);
    const folder = path.join(sessionFolder(), "tracks", "robot", "position", "left-camera");
    expect((await readdir(folder)).sort()).toEqual(
      expect.arrayContaining(["data.msgpack", "metadata.json"]),
    );
  });

  it("keep a field named __proto__ as a field, through flushes, batches and a new session", async () => {
    const point = (v: number): PointInput =>
      JSON.parse(`{"__proto__": {"polluted": ${v}}, "v": ${v}, "_ts": ${v}}`) as PointInput;
    const track = session.track("proto");
    track.append(point(1));
    await track.flush();
    track.append(point(2)).append(point(3));
    await track.appendBatch([point(4), point(5)]);
    await session.close();
    session = await Session.open(options());
    const rows = (await session.track("proto").read()).data.map((row) => row.data);
    expect(rows).toHaveLength(5);
    for (const [k, row] of rows.entries()) {
      expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(row, "__proto__")?.value).toEqual({
        polluted: k + 1,
      });
    }
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });
});
