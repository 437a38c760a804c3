import * as path from "node:path";
import { McapIndexedReader } from "@mcap/core";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PointInput } from "../src/core/point.js";
import { tableFormat } from "../src/exchange/export-formats.js";
import { exportTable, exportTables } from "../src/exchange/export-tables.js";
import { exportMcap } from "../src/exchange/mcap/mcap-export.js";
import { folderTarget } from "../src/exchange/node/file-target.js";
import type { SessionReader } from "../src/session/session-reader.js";
import { memoryFiles, sessionWith, sourceOf, ZOO_POINTS } from "./export-fixtures.js";
import { readParquet, readTextExport } from "./pyarrow-reader.js";
import { makeTempDir } from "./test-utils.js";

const NO_PROGRESS = { onPoints: () => undefined, onRestart: () => undefined };

describe("exports, read back by independent readers", () => {
  let temp: { dir: string; cleanup(): Promise<void> };
  let reader: SessionReader | undefined;
  beforeEach(async () => {
    temp = await makeTempDir();
  });
  afterEach(async () => {
    await reader?.close();
    reader = undefined;
    await temp.cleanup();
  });

  async function exportTo(format: "csv" | "jsonl" | "parquet", track: string): Promise<string> {
    const out = path.join(temp.dir, "out");
    await exportTables(
      [sourceOf(reader as SessionReader, track)],
      await tableFormat(format),
      folderTarget(out),
      "folder",
    );
    return path.join(out, `${track}.${format}`);
  }

  it("Parquet: typed columns, TIMESTAMP(MICROS) beside the raw _ts, structs and lists (pyarrow)", async () => {
    reader = await sessionWith(temp.dir, { zoo: ZOO_POINTS });
    const file = await exportTo("parquet", "zoo");
    const read = (await readParquet([file]))[file];
    expect(read?.schema).toEqual({
      _index: "int64",
      _ts: "double",
      _time: "timestamp[us, tz=UTC]",
      loss: "double",
      step: "int64",
      ok: "bool",
      name: "string",
      pose: "struct<x: double, y: double>",
      joints: "list<element: double>",
      big: "int64",
      bytes: "binary",
      any: "string",
      nothing: "string",
    });
    expect(read?.physical["_time"]?.logical).toMatch(
      /^Timestamp\(isAdjustedToUTC=true, timeUnit=microseconds/,
    );
    expect(read?.metadata).toEqual({ "dreamlake.track": "zoo" });
    expect(read?.rows).toEqual([
      {
        _index: 0,
        _ts: 1000.25,
        _time: "1970-01-01T00:16:40.250000+00:00",
        loss: 0.5,
        step: 1,
        ok: true,
        name: "a",
        pose: { x: 1.5, y: 2 },
        joints: [1, 2.5],
        big: null,
        bytes: null,
        any: null,
        nothing: null,
      },
      {
        _index: 1,
        _ts: 1001,
        _time: "1970-01-01T00:16:41+00:00",
        loss: 1,
        step: 2,
        ok: false,
        name: "",
        pose: { x: 2, y: 3.5 },
        joints: [],
        big: { int: (2n ** 60n + 1n).toString() },
        bytes: null,
        any: null,
        nothing: null,
      },
      {
        _index: 2,
        _ts: 1002.000001,
        _time: "1970-01-01T00:16:42.000001+00:00",
        loss: "nan",
        step: 3,
        ok: null,
        name: 'say "hi", then\nbye',
        pose: null,
        joints: null,
        big: null,
        bytes: { base64: "AQL/" },
        any: '"text"',
        nothing: null,
      },
      {
        _index: 3,
        _ts: 1003,
        _time: "1970-01-01T00:16:43+00:00",
        loss: null,
        step: null,
        ok: null,
        name: null,
        pose: { x: -1, y: null },
        joints: null,
        big: null,
        bytes: null,
        any: "3",
        nothing: null,
      },
    ]);
  });

  it("CSV: RFC 4180 quoting, dotted columns for nested fields, empty cells for null (Python's csv)", async () => {
    reader = await sessionWith(temp.dir, { zoo: ZOO_POINTS });
    const file = await exportTo("csv", "zoo");
    const read = (await readTextExport("csv", file)) as { rows: string[][]; endsWithCrlf: boolean };
    expect(read.endsWithCrlf).toBe(true);
    expect(read.rows).toEqual([
      [
        "_index",
        "_ts",
        "loss",
        "step",
        "ok",
        "name",
        "pose.x",
        "pose.y",
        "joints",
        "big",
        "bytes",
        "any",
        "nothing",
      ],
      ["0", "1000.25", "0.5", "1", "true", "a", "1.5", "2", "[1,2.5]", "", "", "", ""],
      [
        "1",
        "1001",
        "1",
        "2",
        "false",
        "",
        "2",
        "3.5",
        "[]",
        (2n ** 60n + 1n).toString(),
        "",
        "",
        "",
      ],
      [
        "2",
        "1002.000001",
        "NaN",
        "3",
        "",
        'say "hi", then\nbye',
        "",
        "",
        "",
        "",
        "AQL/",
        '"text"',
        "",
      ],
      ["3", "1003", "", "", "", "", "-1", "", "", "", "", "3", ""],
    ]);
  });

  it("JSON Lines: the points as stored, nulls left out, a big integer exact (Python's json)", async () => {
    reader = await sessionWith(temp.dir, { zoo: ZOO_POINTS });
    const file = await exportTo("jsonl", "zoo");
    expect(await readTextExport("jsonl", file)).toEqual([
      {
        _ts: 1000.25,
        loss: 0.5,
        step: 1,
        ok: true,
        name: "a",
        pose: { x: 1.5, y: 2 },
        joints: [1, 2.5],
      },
      {
        _ts: 1001,
        loss: 1,
        step: 2,
        ok: false,
        name: "",
        pose: { x: 2, y: 3.5 },
        joints: [],
        big: { int: (2n ** 60n + 1n).toString() },
      },
      { _ts: 1002.000001, step: 3, name: 'say "hi", then\nbye', bytes: "AQL/", any: "text" },
      { _ts: 1003, any: 3, pose: { x: -1 } },
    ]);
  });

  it("MCAP: one channel per track, JSON messages in time order, log_time in ns, chunked, indexed, with a summary (@mcap/core's indexed reader)", async () => {
    const pose = Array.from({ length: 3_000 }, (_, i) => ({
      x: i / 2,
      _ts: 1_700_000_000 + i / 100,
    }));
    const loss = Array.from({ length: 100 }, (_, i) => ({
      loss: 1 / (i + 1),
      step: i,
      _ts: 1_700_000_000.005 + i * 0.3,
    }));
    reader = await sessionWith(temp.dir, { "robot/pose": pose, loss });
    const files = memoryFiles();
    const result = await exportMcap(
      [sourceOf(reader, "robot/pose"), sourceOf(reader, "loss")],
      files.open,
      NO_PROGRESS,
    );
    const bytes = files.last().bytes();
    expect(result).toEqual({ points: 3_100, bytes: bytes.byteLength });
    expect(files.last().isCommitted).toBe(true);
    const mcap = await McapIndexedReader.Initialize({
      readable: {
        size: () => Promise.resolve(BigInt(bytes.byteLength)),
        read: (offset, length) =>
          Promise.resolve(bytes.slice(Number(offset), Number(offset + length))),
      },
    });
    expect(mcap.chunkIndexes.length).toBeGreaterThan(0);
    expect(mcap.statistics?.messageCount).toBe(3_100n);
    const channels = [...mcap.channelsById.values()];
    expect(channels.map((channel) => [channel.topic, channel.messageEncoding])).toEqual([
      ["robot/pose", "json"],
      ["loss", "json"],
    ]);
    const schema = mcap.schemasById.get(channels[1]?.schemaId ?? -1);
    expect(schema?.encoding).toBe("jsonschema");
    expect(JSON.parse(new TextDecoder().decode(schema?.data))).toEqual({
      title: "loss",
      type: "object",
      properties: {
        _ts: { type: "number", description: "seconds since the epoch (the point's _ts)" },
        loss: { type: "number" },
        step: { type: "integer" },
      },
    });
    const byTopic = new Map<string, unknown[]>([
      ["robot/pose", []],
      ["loss", []],
    ]);
    let lastLogTime = 0n;
    for await (const message of mcap.readMessages({ validateCrcs: true })) {
      const topic = mcap.channelsById.get(message.channelId)?.topic ?? "";
      const point = JSON.parse(new TextDecoder().decode(message.data)) as { _ts: number };
      expect(Math.abs(Number(message.logTime) / 1e9 - point._ts)).toBeLessThan(1e-6);
      expect(message.logTime >= lastLogTime).toBe(true);
      lastLogTime = message.logTime;
      byTopic.get(topic)?.push(point);
    }
    expect(byTopic.get("robot/pose")).toEqual(pose);
    expect(byTopic.get("loss")).toEqual(loss);
  });

  it("starts over with the whole track's schema when a later point does not fit the first ones", async () => {
    const points: PointInput[] = Array.from({ length: 70_000 }, (_, i) => ({ v: i, _ts: i }));
    points.push({ v: 0.5, extra: "late", _ts: 70_000 });
    reader = await sessionWith(temp.dir, { t: points });
    let restarts = 0;
    const files = memoryFiles();
    const result = await exportTable(sourceOf(reader, "t"), await tableFormat("csv"), files.open, {
      onPoints: () => undefined,
      onRestart: () => restarts++,
    });
    expect(restarts).toBe(1);
    expect(result.points).toBe(70_001);
    const text = new TextDecoder().decode(files.last().bytes());
    expect(text.startsWith("_index,_ts,v,extra\r\n0,0,0,\r\n")).toBe(true);
    expect(text.endsWith("\r\n70000,70000,0.5,late\r\n")).toBe(true);
    const file = await exportTo("parquet", "t");
    const read = (await readParquet([file], 1))[file];
    expect(read?.schema["v"]).toBe("double");
    expect(read?.rowGroups).toEqual([65_536, 4_465]);
    expect(read?.rows.at(-1)).toMatchObject({ _index: 70_000, v: 0.5, extra: "late" });
  });

  it("exports a time range only, and an empty track as a file with its header", async () => {
    reader = await sessionWith(temp.dir, {
      t: Array.from({ length: 100 }, (_, i) => ({ v: i, _ts: i })),
    });
    const files = memoryFiles();
    await exportTable(
      sourceOf(reader, "t", { startTime: 10, endTime: 13 }),
      await tableFormat("jsonl"),
      files.open,
    );
    expect(new TextDecoder().decode(files.last().bytes())).toBe(
      '{"_ts":10,"v":10}\n{"_ts":11,"v":11}\n{"_ts":12,"v":12}\n',
    );
    await exportTable(
      sourceOf(reader, "t", { startTime: 500 }),
      await tableFormat("csv"),
      files.open,
    );
    expect(new TextDecoder().decode(files.last().bytes())).toBe("_index,_ts\r\n");
    const out = path.join(temp.dir, "empty.parquet");
    await exportTable(sourceOf(reader, "t", { startTime: 500 }), await tableFormat("parquet"), () =>
      folderTarget(temp.dir).open("empty.parquet"),
    );
    expect((await readParquet([out]))[out]?.rows).toEqual([]);
  });

  it("Parquet holds the same points as the track, for any tracks of scalars, objects and lists (pyarrow)", async () => {
    const scalar = fc.oneof(
      fc.integer({ min: -1e6, max: 1e6 }),
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
      fc.string({ maxLength: 5 }),
      fc.boolean(),
      fc.constant(null),
    );
    const point = fc.record(
      {
        a: scalar,
        b: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constant(null)),
        pose: fc.oneof(
          fc.record({ x: fc.double({ noNaN: true, noDefaultInfinity: true }) }),
          fc.constant(null),
        ),
        list: fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 3 }),
      },
      { requiredKeys: [] },
    );
    const tracks = fc.sample(fc.array(point, { minLength: 1, maxLength: 30 }), {
      numRuns: 25,
      seed: 42,
    });
    const named = Object.fromEntries(
      tracks.map((points, k) => [`t${k}`, points.map((p, i) => ({ ...p, _ts: 1000 + i }))]),
    );
    reader = await sessionWith(temp.dir, named);
    const out = path.join(temp.dir, "prop");
    await exportTables(
      Object.keys(named).map((name) => sourceOf(reader as SessionReader, name)),
      await tableFormat("parquet"),
      folderTarget(out),
      "folder",
    );
    const files = Object.keys(named).map((name) => path.join(out, `${name}.parquet`));
    const read = await readParquet(files);
    for (const [name, points] of Object.entries(named)) {
      const rows = read[path.join(out, `${name}.parquet`)]?.rows ?? [];
      expect(rows, name).toHaveLength(points.length);
      points.forEach((input, i) => {
        const row = rows[i] ?? {};
        expect(row["_index"]).toBe(i);
        expect(row["_ts"]).toBe(1000 + i);
        for (const [field, value] of Object.entries(input)) {
          if (field === "_ts") continue;
          const column = read[path.join(out, `${name}.parquet`)]?.schema[field] ?? "";
          const expected =
            value === null
              ? null
              : column === "string" && typeof value !== "string"
                ? JSON.stringify(value)
                : column === "string" && isMixed(points, field)
                  ? JSON.stringify(value)
                  : value;
          expect(row[field], `${name}[${i}].${field} (${column})`).toEqual(expected);
        }
      });
    }
  });
});

/** Whether a field holds values of more than one JSON kind (then Parquet holds it as JSON text). */
function isMixed(points: readonly Record<string, unknown>[], field: string): boolean {
  const kinds = new Set(
    points
      .map((point) => point[field])
      .filter((value) => value !== null && value !== undefined)
      .map((value) => typeof value),
  );
  return kinds.size > 1;
}
