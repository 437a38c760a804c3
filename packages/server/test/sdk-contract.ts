/**
 * One contract suite for the SDK's public API, run against local, remote and hybrid
 * sessions (a real server on a free port): tracks (`_ts` rules, merging, `-1`, reads by
 * index and time, stats, list), params, logs and files must behave the same in all three.
 */
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { InvalidArgumentError, NotFoundError, type Session } from "dreamlake";
import {
  APPEND_RESULT,
  COLUMN_BATCH,
  DOWNSAMPLE_RESULT,
  READ_RESULT,
  shapeOf,
  STATS_RESULT,
  TIME_READ_RESULT,
} from "./result-shapes.js";
import type { ServerUnderTest } from "./sdk-modes.js";
import {
  freshPrefix,
  modeSetup,
  MODES,
  readAll,
  steppingClock,
  type ModeSetup,
} from "./sdk-modes.js";

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts).toString("utf8");
}

const dataOf = (rows: readonly { data: unknown }[]): unknown[] => rows.map((row) => row.data);

/**
 * Registers the suite against one server: `start` gives a running server (its URL and a
 * token for user alice) and how to stop it.
 */
export function describeSdkContract(
  name: string,
  start: () => Promise<ServerUnderTest & { close(): Promise<void> }>,
): void {
  describe(`SDK contract against ${name}`, () => {
    let server: ServerUnderTest & { close(): Promise<void> };
    beforeAll(async () => {
      server = await start();
    });
    afterAll(async () => {
      await server.close();
    });

    describe.each(MODES)("a %s session", (mode) => {
      let setup: ModeSetup;
      let prefix: string;
      let session: Session;

      beforeEach(async () => {
        setup = await modeSetup(mode, server);
        prefix = freshPrefix();
        session = await setup.open(prefix, { clock: steppingClock(1000, 0.5) });
      });
      afterEach(async () => {
        if (session.isOpen) await session.close();
        await setup.cleanup();
      });

      it("reports its mode", () => {
        expect(session.mode).toBe(mode);
      });

      describe("tracks", () => {
        it("reads back appended points in order, with their indexes and _ts", async () => {
          const track = session.track("robot/pose");
          track
            .append({ position: [1, 2, 3], _ts: 10.25 })
            .append({ position: [4, 5, 6], _ts: 11 });
          const page = await track.read();
          expect(page).toEqual({
            data: [
              { index: 0, data: { _ts: 10.25, position: [1, 2, 3] } },
              { index: 1, data: { _ts: 11, position: [4, 5, 6] } },
            ],
            startIndex: 0,
            endIndex: 1,
            total: 2,
            hasMore: false,
          });
        });

        it("keeps every JSON value: nested objects, unicode, null, booleans, a field named __proto__", async () => {
          const point = JSON.parse(
            '{"_ts": 5, "s": "é ✓ \\u0000", "n": null, "b": false, "o": {"a": [1, {"b": -2.5}]}, "__proto__": {"x": 1}}',
          ) as Record<string, unknown>;
          session.track("values").append(point);
          const [row] = await readAll(session, "values");
          expect(row?.data).toEqual(point);
          expect(Object.getPrototypeOf(row?.data)).toBe(Object.prototype);
        });

        it("generates increasing _ts when absent, and -1 reuses the session's last _ts", async () => {
          session.track("a").append({ v: 1 }).append({ v: 2 });
          session.track("b").append({ w: 1, _ts: -1 });
          const [first, second] = dataOf(await readAll(session, "a")) as { _ts: number }[];
          const b = dataOf(await readAll(session, "b")) as { _ts: number }[];
          // The injected clock steps 0.5 s per read.
          expect(second!._ts - first!._ts).toBe(0.5);
          expect(b).toEqual([{ _ts: second!._ts, w: 1 }]);
        });

        it("refuses a _ts that is not a finite number >= 0 (other than -1) at append", () => {
          expect(() => session.track("a").append({ _ts: -2 })).toThrow(InvalidArgumentError);
          expect(() => session.track("a").append({ _ts: "10" })).toThrow(InvalidArgumentError);
          expect(session.bufferedPoints).toBe(0);
        });

        it("merges points of equal _ts flushed together, later fields winning", async () => {
          session
            .track("m")
            .append({ x: 1, y: 1, _ts: 5 })
            .append({ y: 2, z: 3, _ts: 5 })
            .append({ x: 9, _ts: 6 });
          const [merged, next, ...rest] = dataOf(await readAll(session, "m"));
          expect(merged).toEqual({ _ts: 5, x: 1, y: 2, z: 3 });
          // A flush is one columnar record: how absent fields read back is the engine's rule.
          expect(next).toMatchObject({ _ts: 6, x: 9 });
          expect(rest).toEqual([]);
        });

        it("writes a batch after the points appended before it, without merging it", async () => {
          const track = session.track("batch");
          track.append({ first: true, _ts: 1 });
          const result = await track.appendBatch([
            { v: 1, _ts: 2 },
            { v: 2, _ts: 2 },
          ]);
          expect(result).toEqual({ count: 2, startIndex: 1, endIndex: 2 });
          expect(dataOf(await readAll(session, "batch"))).toEqual([
            { _ts: 1, first: true },
            { _ts: 2, v: 1 },
            { _ts: 2, v: 2 },
          ]);
        });

        it("reads by index with startIndex and limit, saying whether more follow", async () => {
          await session
            .track("i")
            .appendBatch(Array.from({ length: 10 }, (_, v) => ({ v, _ts: v })));
          const page = await session.track("i").read({ startIndex: 3, limit: 4 });
          expect(page.data.map((row) => row.index)).toEqual([3, 4, 5, 6]);
          expect(page).toMatchObject({ startIndex: 3, endIndex: 6, total: 4, hasMore: true });
          const last = await session.track("i").read({ startIndex: 8, limit: 4 });
          expect(last).toMatchObject({ startIndex: 8, endIndex: 9, total: 2, hasMore: false });
        });

        it("reads by time: start inclusive, end exclusive, reverse and limit", async () => {
          const t = session.track("time");
          for (const ts of [1, 2, 3, 4, 5]) t.append({ ts, _ts: ts });
          const window = await t.readByTime({ startTime: 2, endTime: 4 });
          expect(dataOf(window.data)).toEqual([
            { _ts: 2, ts: 2 },
            { _ts: 3, ts: 3 },
          ]);
          expect(window).toMatchObject({ startTime: 2, endTime: 4, total: 2, hasMore: false });
          const newest = await t.readByTime({ reverse: true, limit: 2 });
          expect(newest.data.map((row) => row.data["_ts"])).toEqual([5, 4]);
          expect(newest).toMatchObject({ startTime: null, endTime: null, hasMore: true });
        });

        it("keeps write order for equal _ts in both directions", async () => {
          await session.track("eq").appendBatch([
            { n: 0, _ts: 7 },
            { n: 1, _ts: 7 },
          ]);
          const forward = await session.track("eq").readByTime();
          const backward = await session.track("eq").readByTime({ reverse: true });
          expect(forward.data.map((row) => row.index)).toEqual([0, 1]);
          expect(backward.data.map((row) => row.index)).toEqual([0, 1]);
        });

        it("refuses a read limit above 10000 instead of cutting it", async () => {
          await expect(session.track("x").read({ limit: 10_001 })).rejects.toThrow(
            InvalidArgumentError,
          );
          await expect(session.track("x").readByTime({ limit: 0 })).rejects.toThrow(
            InvalidArgumentError,
          );
        });

        it("reads a track never written as empty", async () => {
          expect(await session.track("nothing").read()).toMatchObject({ data: [], hasMore: false });
          expect((await session.track("nothing").readByTime()).data).toEqual([]);
        });

        it("reports stats: count and time range", async () => {
          session.track("s").append({ v: 1, _ts: 30 }).append({ v: 2, _ts: 10 });
          const stats = await session.track("s").stats();
          expect(stats).toMatchObject({ name: "s", totalDataPoints: 2, firstTs: 10, lastTs: 30 });
        });

        it("reports stats from where the session keeps its points: the server's answer in remote mode", async () => {
          session.track("robot/pose").append({ x: 1, _ts: 5 });
          const stats = await session.track("robot/pose").stats();
          if (mode === "remote") {
            // The same upsert the SDK made at open gives the session id the server chose.
            const [workspace, name] = prefix.split("/");
            const auth = { authorization: `Bearer ${server.token}` };
            const opened = (await (
              await fetch(`${server.url}/workspaces/${workspace}/sessions`, {
                method: "POST",
                headers: auth,
                body: JSON.stringify({ name }),
              })
            ).json()) as { session: { id: string } };
            const answer = (await (
              await fetch(`${server.url}/sessions/${opened.session.id}/tracks/robot%2Fpose/stats`, {
                headers: auth,
              })
            ).json()) as Record<string, unknown>;
            expect(stats).toEqual(answer);
            expect(stats.trackId).not.toMatch(/^local-track-/);
          } else {
            // Local files: the Python SDK's local track id (hybrid sessions read locally).
            expect(stats.trackId).toBe("local-track-robot/pose");
          }
          expect(stats).toMatchObject({ name: "robot/pose", totalDataPoints: 1, firstTs: 5 });
        });

        it("gives results of the documented shapes: counts and indexes integers, times numbers", async () => {
          // Times and values that are not whole numbers, so that each field's type shows.
          const track = session.track("shapes");
          const batch = await track.appendBatch([
            { v: 0.1, _ts: 10.25 },
            { v: 0.2, _ts: 10.75 },
          ]);
          expect(shapeOf(batch)).toEqual(APPEND_RESULT);
          const columns = await track.appendColumns({ _ts: [11.25, 11.75], v: [0.3, 0.4] });
          expect(shapeOf(columns)).toEqual(APPEND_RESULT);
          track.append({ v: 0.5, _ts: 12.25 });
          expect(shapeOf(await track.flush())).toEqual(APPEND_RESULT);
          expect(shapeOf(await track.read())).toEqual(READ_RESULT);
          expect(shapeOf(await track.readByTime({ startTime: 10.25 }))).toEqual(TIME_READ_RESULT);
          expect(shapeOf(await track.stats())).toEqual(STATS_RESULT);
          expect(shapeOf(await track.downsample({ buckets: 3 }))).toEqual(DOWNSAMPLE_RESULT);
          for await (const scanned of track.scanColumns()) {
            expect(shapeOf(scanned)).toEqual(COLUMN_BATCH);
          }
          expect(shapeOf(await session.tracks.list())).toEqual(["string"]);
        });

        it("says NotFoundError for the stats of a track never written", async () => {
          await expect(session.track("never").stats()).rejects.toThrow(NotFoundError);
        });

        it("lists the tracks written, sorted", async () => {
          session.track("train").append({ loss: 1 });
          session.track("robot/pose").append({ x: 1 });
          session.track("camera/left/image").append({ frame: 1 });
          expect(await session.tracks.list()).toEqual(["camera/left/image", "robot/pose", "train"]);
        });

        it("writes many points in several flushes, all readable in order", async () => {
          const track = session.track("many");
          for (let i = 0; i < 25_000; i++) track.append({ i, _ts: i });
          await session.tracks.flush();
          const rows = await readAll(session, "many");
          expect(rows).toHaveLength(25_000);
          expect(rows.every((row, i) => row.index === i && row.data["i"] === i)).toBe(true);
        });

        it("downsamples: per bucket, count and min, max, mean, first and last of each numeric field", async () => {
          const track = session.track("ds");
          await track.appendBatch([
            { _ts: 0, loss: 4, pos: [1, 10] },
            { _ts: 1, loss: 2, pos: [2, 20], note: "x" },
            { _ts: 2, loss: 9, pos: [3, 30] },
            { _ts: 3, loss: 1, pos: [4, 40] },
          ]);
          const result = await track.downsample({ buckets: 2, fields: ["loss", "pos.1"] });
          const stats = (
            count: number,
            min: number,
            max: number,
            mean: number,
            first: number,
            firstTs: number,
            last: number,
            lastTs: number,
          ) => ({ count, min, max, mean, first, firstTs, last, lastTs });
          expect(result).toEqual({
            startTime: 0,
            endTime: 3,
            bucketSeconds: 1.5,
            buckets: [
              {
                startTime: 0,
                endTime: 1.5,
                count: 2,
                fields: {
                  loss: stats(2, 2, 4, 3, 4, 0, 2, 1),
                  "pos.1": stats(2, 10, 20, 15, 10, 0, 20, 1),
                },
              },
              {
                startTime: 1.5,
                endTime: 3,
                count: 2,
                fields: {
                  loss: stats(2, 1, 9, 5, 9, 2, 1, 3),
                  "pos.1": stats(2, 30, 40, 35, 30, 2, 40, 3),
                },
              },
            ],
          });
          const window = await track.downsample({ startTime: 1, endTime: 3, buckets: 1 });
          expect(window.buckets.map((b) => [b.count, Object.keys(b.fields)])).toEqual([
            [2, ["loss", "pos.0", "pos.1"]],
          ]);
        });

        it("scans every point as columns, and writes columns", async () => {
          const track = session.track("cols");
          await track.appendColumns({
            _ts: new Float64Array([1, 2, 3]),
            v: [0.5, 1.5, 2.5],
            n: new Int32Array([7, 8, 9]),
          });
          const batches = [];
          for await (const batch of track.scanColumns({ startTime: 2 })) batches.push(batch);
          expect([
            batches.flatMap((b) => [...b.indexes]),
            batches.flatMap((b) => [...(b.fields["v"] ?? [])]),
          ]).toEqual([
            [1, 2],
            [1.5, 2.5],
          ]);
          expect(dataOf((await track.read()).data)).toEqual([
            { _ts: 1, v: 0.5, n: 7 },
            { _ts: 2, v: 1.5, n: 8 },
            { _ts: 3, v: 2.5, n: 9 },
          ]);
        });

        it("shows a new session on the same prefix what the first one wrote", async () => {
          session.track("kept").append({ v: 1, _ts: 1 });
          await session.close();
          const again = await setup.open(prefix);
          try {
            expect(dataOf(await readAll(again, "kept"))).toEqual([{ _ts: 1, v: 1 }]);
          } finally {
            await again.close();
          }
        });
      });

      describe("params", () => {
        it("gives back nested params, merged across sets", async () => {
          await session.params.set({ learning_rate: 0.001, model: { layers: 4, name: "mlp" } });
          await session.params.set({ model: { layers: 8 }, tags: ["a", "b"] });
          expect(await session.params.get()).toEqual({
            learning_rate: 0.001,
            model: { layers: 8, name: "mlp" },
            tags: ["a", "b"],
          });
          expect(await session.params.get({ flatten: true })).toEqual({
            learning_rate: 0.001,
            "model.layers": 8,
            "model.name": "mlp",
            tags: ["a", "b"],
          });
        });

        it("gives an empty object when none were set", async () => {
          expect(await session.params.get()).toEqual({});
        });

        it("refuses values JSON cannot hold, before writing", async () => {
          await expect(session.params.set({ lr: Number.NaN })).rejects.toThrow(
            InvalidArgumentError,
          );
          expect(await session.params.get()).toEqual({});
        });
      });

      describe("logs", () => {
        it("reads back logged entries with level and metadata, in order", async () => {
          session.log("starting");
          session.log("hot", { level: "warn", metadata: { gpu: 0, temp: 91.5 } });
          const { logs, hasMore } = await session.logs.read();
          expect(hasMore).toBe(false);
          expect(
            logs.map(({ sequenceNumber, level, message, metadata }) => ({
              sequenceNumber,
              level,
              message,
              metadata,
            })),
          ).toEqual([
            { sequenceNumber: 0, level: "info", message: "starting", metadata: undefined },
            { sequenceNumber: 1, level: "warn", message: "hot", metadata: { gpu: 0, temp: 91.5 } },
          ]);
          // Stamped by the session's clock, as Python writes it (microseconds, "Z").
          expect(logs[0]?.timestamp).toMatch(/^1970-01-01T00:16:4\d\.\d{6}Z$/);
        });

        it("filters by level, pages with limit and offset, and reverses", async () => {
          for (let i = 0; i < 6; i++)
            session.log(`m${i}`, { level: i % 2 === 0 ? "info" : "error" });
          const errors = await session.logs.read({ level: "error" });
          expect(errors.logs.map((e) => e.message)).toEqual(["m1", "m3", "m5"]);
          const page = await session.logs.read({ limit: 2, offset: 1 });
          expect(page.logs.map((e) => e.message)).toEqual(["m1", "m2"]);
          expect(page.hasMore).toBe(true);
          const newest = await session.logs.read({ reverse: true, limit: 1 });
          expect(newest.logs.map((e) => e.message)).toEqual(["m5"]);
        });

        it("filters by time: since inclusive, until exclusive", async () => {
          session.log("a");
          session.log("b");
          session.log("c");
          const seconds = (await session.logs.read()).logs.map(
            (e) => Date.parse(e.timestamp) / 1000,
          );
          const window = await session.logs.read({ since: seconds[1], until: seconds[2] });
          expect(window.logs.map((e) => e.message)).toEqual(["b"]);
        });
      });

      describe("files", () => {
        const content = "model weights é\n";
        const sha256 = createHash("sha256").update(content).digest("hex");

        it("uploads a file from disk and lists, gets and downloads it (checked)", async () => {
          const source = path.join(setup.localPath, "model.pt");
          await writeFile(source, content);
          const record = await session.files.upload(source, {
            prefix: "/models",
            description: "best",
            tags: ["best", "v1"],
            metadata: { epoch: 3 },
          });
          expect(record).toMatchObject({
            path: "/models",
            filename: "model.pt",
            description: "best",
            tags: ["best", "v1"],
            metadata: { epoch: 3 },
            sizeBytes: Buffer.byteLength(content),
            checksum: sha256,
          });
          expect((await session.files.list({ prefix: "/models" })).map((f) => f.id)).toEqual([
            record.id,
          ]);
          expect(await session.files.get(record.id)).toEqual(record);
          const target = path.join(setup.localPath, "out", "model.pt");
          expect(await session.files.download(record.id, target)).toBe(target);
          expect(await readFile(target, "utf8")).toBe(content);
          expect(await collect(session.files.stream(record.id))).toBe(content);
        });

        it("uploads bytes and a stream, with the name given", async () => {
          const bytes = await session.files.upload(new TextEncoder().encode(content), {
            filename: "a.bin",
          });
          // eslint-disable-next-line @typescript-eslint/require-await
          async function* chunks(): AsyncGenerator<Uint8Array> {
            yield new TextEncoder().encode("model ");
            yield new TextEncoder().encode("weights é\n");
          }
          const streamed = await session.files.upload(chunks(), {
            filename: "b.bin",
            prefix: "/s",
          });
          expect(bytes.checksum).toBe(sha256);
          expect(streamed.checksum).toBe(sha256);
          expect(await collect(session.files.stream(streamed.id))).toBe(content);
        });

        it("filters the list by prefix (whole segments) and by any tag", async () => {
          const up = (prefix: string, tags: string[]) =>
            session.files.upload(new TextEncoder().encode(prefix), {
              filename: "f.txt",
              prefix,
              tags,
            });
          await up("/models", ["a"]);
          await up("/models/best", ["b"]);
          await up("/models2", ["a", "c"]);
          const under = await session.files.list({ prefix: "/models" });
          expect(under.map((f) => f.path).sort()).toEqual(["/models", "/models/best"]);
          const tagged = await session.files.list({ tags: ["c", "b"] });
          expect(tagged.map((f) => f.path).sort()).toEqual(["/models/best", "/models2"]);
        });

        it("updates description, tags and metadata, keeping absent fields", async () => {
          const record = await session.files.upload(new TextEncoder().encode("x"), {
            filename: "u.txt",
            description: "old",
            tags: ["t"],
          });
          const updated = await session.files.update(record.id, { metadata: { score: 1 } });
          expect(updated).toMatchObject({
            description: "old",
            tags: ["t"],
            metadata: { score: 1 },
          });
          const cleared = await session.files.update(record.id, { description: null, tags: [] });
          expect(cleared.tags).toEqual([]);
          expect(cleared.description).toBeUndefined();
        });

        it("deletes softly: the file leaves the list and get says NotFoundError", async () => {
          const record = await session.files.upload(new TextEncoder().encode("x"), {
            filename: "d.txt",
          });
          const deleted = await session.files.delete(record.id);
          expect(deleted.id).toBe(record.id);
          expect(await session.files.list()).toEqual([]);
          await expect(session.files.get(record.id)).rejects.toThrow(NotFoundError);
          await expect(session.files.delete(record.id)).rejects.toThrow(NotFoundError);
        });

        it("replaces a file uploaded again with the same prefix and name", async () => {
          await session.files.upload(new TextEncoder().encode("one"), { filename: "r.txt" });
          const second = await session.files.upload(new TextEncoder().encode("two"), {
            filename: "r.txt",
          });
          const list = await session.files.list();
          expect(list.map((f) => f.id)).toEqual([second.id]);
        });

        it("says NotFoundError for a file that does not exist", async () => {
          await expect(session.files.get("1234567890123456")).rejects.toThrow(NotFoundError);
        });
      });
    });

    describe("JSON values in remote and hybrid sessions", () => {
      it.each(["remote", "hybrid"] as const)(
        "%s: append and appendBatch refuse NaN, Infinity, bigints and bytes at once, buffering nothing",
        async (mode) => {
          const setup = await modeSetup(mode, server);
          const session = await setup.open(freshPrefix());
          try {
            const track = session.track("t");
            for (const value of [Number.NaN, Infinity, 2n ** 70n, new Uint8Array([1])]) {
              expect(() => track.append({ value })).toThrow(/cannot be sent to the server/);
              await expect(track.appendBatch([{ ok: 1 }, { nested: [value] }])).rejects.toThrow(
                InvalidArgumentError,
              );
            }
            await expect(
              track.appendColumns({ v: new Float64Array([1, Number.NaN]) }),
            ).rejects.toThrow(/point 1 cannot be sent to the server/);
            expect(session.bufferedPoints).toBe(0);
            expect((await track.read()).data).toEqual([]);
          } finally {
            await session.close();
            await setup.cleanup();
          }
        },
      );

      it("local: keeps them (msgpack holds them)", async () => {
        const setup = await modeSetup("local", server);
        const session = await setup.open(freshPrefix());
        try {
          session
            .track("t")
            .append({ nan: Number.NaN, big: 2n ** 62n, bytes: new Uint8Array([1]) });
          const [row] = (await session.track("t").read()).data;
          expect(row?.data).toMatchObject({ big: 2n ** 62n, bytes: new Uint8Array([1]) });
          expect(Number.isNaN(row?.data["nan"])).toBe(true);
        } finally {
          await session.close();
          await setup.cleanup();
        }
      });
    });

    describe("a hybrid session", () => {
      it("leaves the same tracks, params, logs and files on the server as in its local copy", async () => {
        const setup = await modeSetup("hybrid", server);
        const prefix = freshPrefix();
        const session = await setup.open(prefix, { clock: steppingClock(2000, 1) });
        try {
          for (let i = 0; i < 50; i++) session.track("robot/pose").append({ i, _ts: i });
          await session.track("train").appendBatch([{ loss: 1 }, { loss: 0.5 }]);
          await session.params.set({ lr: 0.1 });
          session.log("done", { level: "info" });
          const file = await session.files.upload(new TextEncoder().encode("bytes"), {
            filename: "f.bin",
            tags: ["x"],
          });
          await session.files.update(file.id, { description: "kept" });
          const dropped = await session.files.upload(new TextEncoder().encode("x"), {
            filename: "gone.bin",
          });
          await session.files.delete(dropped.id);
          await session.close();

          const remote = await setup.openRemote(prefix);
          const localAgain = await setup.open(prefix);
          try {
            for (const track of ["robot/pose", "train"]) {
              expect(await readAll(remote, track)).toEqual(await readAll(localAgain, track));
            }
            expect(await remote.params.get()).toEqual({ lr: 0.1 });
            expect((await remote.logs.read()).logs.map((e) => e.message)).toEqual(["done"]);
            const files = await remote.files.list();
            expect(
              files.map(({ filename, description, tags, checksum }) => ({
                filename,
                description,
                tags,
                checksum,
              })),
            ).toEqual([
              { filename: "f.bin", description: "kept", tags: ["x"], checksum: file.checksum },
            ]);
          } finally {
            await remote.close();
            await localAgain.close();
          }
        } finally {
          if (session.isOpen) await session.close();
          await setup.cleanup();
        }
      });
    });
  });
}
