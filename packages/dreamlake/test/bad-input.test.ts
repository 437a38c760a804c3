import { access } from "node:fs/promises";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DreamlakeError,
  InvalidArgumentError,
  Session,
  type PointInput,
  type Track,
} from "../src/index.js";
import { snapshotFolder } from "./folder-snapshot.js";
import { makeTempDir } from "./test-utils.js";

// Each bad input gets a DreamlakeError subclass whose message names the value, and
// leaves the session folder byte for byte as it was (nothing flushed, nothing created).
// Every session below already holds written points and buffered ones, so that a call
// that wrongly flushed or wrote would change the folder.

let temp: { dir: string; cleanup(): Promise<void> };
let session: Session;
let track: Track;
beforeEach(async () => {
  temp = await makeTempDir();
  session = await Session.open({
    prefix: "bad/input",
    localPath: temp.dir,
    flushOnExit: false,
    flushIntervalMs: 0,
  });
  track = session.track("good");
  track.append({ v: 1, _ts: 1 });
  await track.flush();
  track.append({ v: 2, _ts: 2 });
});
afterEach(async () => {
  await session.close();
  await temp.cleanup();
});

/** Runs `act`, expects `errorClass` with `mention` in its message, and no byte changed. */
async function expectRefused(
  act: () => unknown,
  mention: string | RegExp,
  errorClass: new (...args: never[]) => DreamlakeError = InvalidArgumentError,
): Promise<void> {
  const before = await snapshotFolder(temp.dir);
  const buffered = session.bufferedPoints;
  let caught: unknown;
  try {
    await act();
  } catch (error: unknown) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(errorClass);
  expect(caught).toBeInstanceOf(DreamlakeError);
  expect((caught as Error).message).toMatch(mention);
  expect(await snapshotFolder(temp.dir)).toEqual(before);
  expect(session.bufferedPoints).toBe(buffered);
}

describe("a track name that would leave its folder", () => {
  it.each([
    ["../x", '"../x"'],
    ["a/../../escape", '"a/../../escape"'],
    ["/abs", '"/abs"'],
    ["a//b", '"a//b"'],
    ["trailing/", '"trailing/"'],
    ["", '""'],
    ["nul\0byte", "nul\\u0000byte"],
    [".", '"."'],
    ["good/data.msgpack", '"good/data.msgpack"'],
    ["good/metadata.json", '"good/metadata.json"'],
  ])("refuses %j", async (name, mention) => {
    await expectRefused(() => session.track(name), mention);
  });
});

describe("a _ts that is not a finite number of seconds", () => {
  it.each([
    [NaN, "NaN"],
    [Infinity, "Infinity"],
    [-Infinity, "-Infinity"],
    [-5, "-5"],
    ["12", '"12"'],
    [true, "true"],
    [10n, "10n"],
  ])("refuses %s in append", async (ts, mention) => {
    await expectRefused(() => track.append({ v: 3, _ts: ts }), mention);
  });

  it("refuses a batch with one such point, and writes none of it", async () => {
    await expectRefused(
      () => track.appendBatch([{ v: 3 }, { v: 4, _ts: NaN }, { v: 5 }]),
      /Point 1 of appendBatch.*NaN/,
    );
  });
});

describe("a value msgpack cannot store", () => {
  const circular: Record<string, unknown> = { a: 1 };
  circular["self"] = circular;
  const cases: [string, PointInput, string | RegExp][] = [
    ["a function", { v: () => 1 }, /"v".*function/],
    ["a symbol", { v: Symbol("s") }, /"v".*Symbol\(s\)/],
    ["a circular object", { v: circular }, /"v.self".*circular/],
    ["a class instance", { v: new Date(0) }, /"v".*a Date/],
    ["a Map", { v: new Map() }, /"v".*a Map/],
    ["an integer past 64 bits", { v: 2n ** 64n }, /"v".*18446744073709551616n/],
    ["a nested function", { v: { deep: [1, { f: Math.max }] } }, /"v.deep\[1\].f"/],
  ];

  it.each(cases)("refuses %s in append", async (_, point, mention) => {
    await expectRefused(() => track.append(point), mention);
  });

  it.each(cases)("refuses %s in appendBatch", async (_, point, mention) => {
    await expectRefused(() => track.appendBatch([{ ok: 1 }, point]), mention);
  });

  it("refuses a point that is not a plain object", async () => {
    await expectRefused(() => track.append([1, 2] as unknown as PointInput), /array\(2\)/);
    await expectRefused(() => track.append(null as unknown as PointInput), /null/);
    await expectRefused(() => track.appendBatch([]), /non-empty array/);
  });
});

describe("a read limit outside 1..10000", () => {
  it.each([0, -1, 10_001, 1.5, NaN, "10"])("refuses %s in read and readByTime", async (limit) => {
    const mention = /limit must be an integer from 1 to 10000/;
    await expectRefused(() => track.read({ limit: limit as number }), mention);
    await expectRefused(() => track.readByTime({ limit: limit as number }), mention);
  });

  it("refuses a negative or fractional startIndex and non-finite times", async () => {
    await expectRefused(() => track.read({ startIndex: -1 }), /startIndex.*-1/);
    await expectRefused(() => track.read({ startIndex: 0.5 }), /startIndex.*0.5/);
    await expectRefused(() => track.readByTime({ startTime: NaN }), /startTime.*NaN/);
    await expectRefused(() => track.readByTime({ endTime: Infinity }), /endTime.*Infinity/);
  });
});

describe("a string with a lone UTF-16 surrogate, which UTF-8 cannot store", () => {
  const LONE = "x\ud800y";
  it.each([
    ["a value", { name: LONE }, 'value of field "name"'],
    ["a field name", { [LONE]: 1 }, "name of field"],
    ["a nested value", { pose: { frame: ["ok", LONE] } }, 'value of field "pose.frame[1]"'],
    ["a nested field name", { pose: { [LONE]: 1 } }, 'name of field "pose.x\\ud800y"'],
    ["a low surrogate alone", { name: "\udc00" }, "U+DC00 at position 0"],
    ["a pair in the wrong order", { name: "\udc00\ud800" }, "U+DC00 at position 0"],
  ])("refuses %s in append, appendBatch and appendColumns", async (_label, fields, mention) => {
    await expectRefused(() => track.append({ ...fields, _ts: 3 }), mention);
    await expectRefused(
      () =>
        track.appendBatch([
          { v: 3, _ts: 3 },
          { ...fields, _ts: 4 },
        ]),
      new RegExp(`Point 1 of appendBatch.*lone UTF-16 surrogate`),
    );
    const columns = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, [1, v]]));
    await expectRefused(() => track.appendColumns({ _ts: [3, 4], ...columns }), "surrogate");
  });

  it("names the column of appendColumns and the point holding it", async () => {
    await expectRefused(
      () => track.appendColumns({ _ts: [3, 4], name: ["ok", LONE] }),
      /point 1 cannot be stored: the value of field "name" "x\\ud800y" holds a lone UTF-16 surrogate \(U\+D800 at position 1\)/,
    );
    await expectRefused(() => track.appendColumns({ [LONE]: [1] }), "name of column");
  });

  it("accepts surrogate pairs (characters beyond U+FFFF) and reads them back", async () => {
    track.append({ emoji: "robot \u{1F916}", ["\u{1F600}"]: ["\ud83d\ude00"], _ts: 3 });
    const rows = (await track.read()).data.map((row) => row.data);
    expect(rows[2]).toMatchObject({ emoji: "robot 🤖", "😀": ["😀"], _ts: 3 });
  });
});

describe("a session prefix with fewer than two segments", () => {
  it.each(["solo", "", "a//b", "../up", "a/b/.."])(
    "refuses %j and creates nothing",
    async (prefix) => {
      const root = path.join(temp.dir, "fresh");
      await expectRefused(
        () => Session.open({ prefix, localPath: root, flushOnExit: false }),
        JSON.stringify(prefix),
      );
      await expect(access(root)).rejects.toThrow();
    },
  );
});

describe("after refusing bad input", () => {
  it("still writes the good points, once", async () => {
    expect(() => track.append({ v: NaN, _ts: NaN })).toThrow(InvalidArgumentError);
    expect(() => track.append({ v: () => 1 })).toThrow(InvalidArgumentError);
    await expect(track.appendBatch([{ v: Symbol("x") }])).rejects.toThrow(InvalidArgumentError);
    track.append({ v: 3, _ts: 3 });
    expect((await track.read()).data.map((row) => row.data["v"])).toEqual([1, 2, 3]);
  });
});
