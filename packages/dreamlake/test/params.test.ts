import { readdir, readFile, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CorruptDataError,
  FailedPreconditionError,
  InvalidArgumentError,
  Session,
} from "../src/index.js";
import { copyPythonFixture, makeTempDir, steppingClock } from "./test-utils.js";

let temp: { dir: string; cleanup(): Promise<void> };
let session: Session;
let folder: string;
const open = (): Promise<Session> =>
  Session.open({
    prefix: "ws/run",
    localPath: temp.dir,
    flushOnExit: false,
    clock: steppingClock(1_800_000_000, 1),
  });
const stored = async (): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(path.join(folder, "parameters.json"), "utf8")) as Record<
    string,
    unknown
  >;

/** `{ k: { k: ... { k: 1 } } }`, `levels` objects deep. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { k: 1 };
  for (let i = 1; i < levels; i++) value = { k: value };
  return value;
}

/** `[[...[1]...]]`, `levels` arrays deep. */
function nestedArray(levels: number): unknown[] {
  let value: unknown[] = [1];
  for (let i = 1; i < levels; i++) value = [value];
  return value;
}

beforeEach(async () => {
  temp = await makeTempDir();
  folder = path.join(temp.dir, "ws", "run");
  session = await open();
});
afterEach(async () => {
  await session.close();
  await temp.cleanup();
});

describe("params.set and params.get", () => {
  it("stores nested objects as dotted keys and gives them back nested or flat", async () => {
    await session.params.set({ learning_rate: 0.001, model: { layers: 4, act: "relu" } });
    expect((await stored())["data"]).toEqual({
      learning_rate: 0.001,
      "model.layers": 4,
      "model.act": "relu",
    });
    expect(await session.params.get()).toEqual({
      learning_rate: 0.001,
      model: { layers: 4, act: "relu" },
    });
    expect(await session.params.get({ flatten: true })).toEqual({
      learning_rate: 0.001,
      "model.layers": 4,
      "model.act": "relu",
    });
  });

  it("merges: keys set again change, the others stay", async () => {
    await session.params.set({ a: 1, b: { c: 2, d: 3 } });
    await session.params.set({ b: { c: 20 }, e: 5 });
    expect(await session.params.get()).toEqual({ a: 1, b: { c: 20, d: 3 }, e: 5 });
  });

  it("resolves a: 1 then a.b: 2 as { a: { b: 2 } }, and the reverse as { a: 1 }", async () => {
    await session.params.set({ a: 1 });
    await session.params.set({ "a.b": 2 });
    expect(await session.params.get()).toEqual({ a: { b: 2 } });
    expect((await stored())["data"]).toEqual({ "a.b": 2 });
    await session.params.set({ a: 1 });
    expect(await session.params.get()).toEqual({ a: 1 });
    expect((await stored())["data"]).toEqual({ a: 1 });
  });

  it("writes the Python layout: version, data, createdAt, updatedAt; createdAt survives", async () => {
    await session.params.set({ x: 1 });
    const first = await stored();
    expect(Object.keys(first)).toEqual(["version", "data", "createdAt", "updatedAt"]);
    expect(first["version"]).toBe(1);
    await session.params.set({ y: 2 });
    await session.params.set({ z: 3 });
    const third = await stored();
    expect(Object.keys(third)).toEqual(["version", "data", "createdAt", "updatedAt"]);
    expect(third["version"]).toBe(3);
    // Python drops createdAt on the second write; we keep the first one.
    expect(third["createdAt"]).toBe(first["createdAt"]);
    expect(third["updatedAt"]).not.toBe(first["updatedAt"]);
  });

  it("writes indent 2 with non-ASCII escaped, as json.dump(ensure_ascii=True)", async () => {
    await session.params.set({ name: "résumé" });
    const text = await readFile(path.join(folder, "parameters.json"), "utf8");
    expect(text).toContain('\n  "data": {\n    "name": "r\\u00e9sum\\u00e9"\n  },\n');
  });

  it("writes nothing for an empty call", async () => {
    await session.params.set({});
    await session.params.set({ empty: {} });
    expect(await readdir(folder)).not.toContain("parameters.json");
    expect(await session.params.get()).toEqual({});
  });

  it.each([
    ["a Date", { start: new Date(0) }, /"start".*Date/],
    ["a bigint", { seed: 1n }, /"seed".*bigint/],
    ["NaN", { lr: Number.NaN }, /"lr".*NaN/],
    ["a key and a key below it", { a: 1, "a.b": 2 }, /"a" and "a\.b"/],
    ["an empty key segment", { "a..b": 1 }, /"a\.\.b".*empty segment/],
    ["100,000 levels of nesting", nested(100_000), /nests deeper than 64 levels/],
    ["a value nested 100,000 levels", { v: nestedArray(100_000) }, /at most 64 levels/],
  ])("refuses %s with a clear error and writes nothing", async (_name, input, message) => {
    await session.params.set({ kept: true });
    const before = await readFile(path.join(folder, "parameters.json"), "utf8");
    const attempt = session.params.set(input);
    await expect(attempt).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(session.params.set(input)).rejects.toThrow(message);
    expect(await readFile(path.join(folder, "parameters.json"), "utf8")).toBe(before);
  });

  it("leaves no temporary file behind (writes are rename-atomic)", async () => {
    for (let i = 0; i < 5; i++) await session.params.set({ [`k${i}`]: i });
    const names = await readdir(folder);
    expect(names.filter((name) => name.includes("tmp"))).toEqual([]);
    expect(names).toContain(".parameters.lock");
  });

  it("refuses to overwrite a damaged parameters.json, and leaves it as it is", async () => {
    const file = path.join(folder, "parameters.json");
    await writeFile(file, '{"version": 1, "data": {"lr": NaN');
    await expect(session.params.set({ a: 1 })).rejects.toBeInstanceOf(CorruptDataError);
    await expect(session.params.get()).rejects.toThrow(/parameters\.json cannot be read/);
    expect(await readFile(file, "utf8")).toBe('{"version": 1, "data": {"lr": NaN');
  });

  it("keeps __proto__ as a param and pollutes nothing", async () => {
    await session.params.set(JSON.parse('{"__proto__": {"x": 1}}') as Record<string, unknown>);
    const nested = await session.params.get();
    expect(Object.keys(nested)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(nested)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)["x"]).toBeUndefined();
  });

  it("refuses calls on a closed session", async () => {
    await session.close();
    await expect(session.params.set({ a: 1 })).rejects.toBeInstanceOf(FailedPreconditionError);
    await expect(session.params.get()).rejects.toBeInstanceOf(FailedPreconditionError);
  });
});

describe("params written by the Python SDK 0.4.0", () => {
  it("read back nested and flat, and merge with later writes", async () => {
    await copyPythonFixture(temp.dir);
    const python = await Session.open({
      prefix: "fixtures/run-a",
      localPath: temp.dir,
      flushOnExit: false,
    });
    try {
      expect(await python.params.get()).toEqual({
        learning_rate: 0.001,
        model: { layers: 4, act: "relu" },
      });
      await python.params.set({ model: { layers: 8 } });
      const file = path.join(temp.dir, "fixtures", "run-a", "parameters.json");
      const document = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
      expect(document["version"]).toBe(2);
      expect(document["createdAt"]).toBe("2026-11-26T15:16:28.244257Z");
      expect(document["data"]).toEqual({
        learning_rate: 0.001,
        "model.layers": 8,
        "model.act": "relu",
      });
    } finally {
      await python.close();
    }
  });
});
