import { rm } from "node:fs/promises";
import * as path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Session, type SessionOptions, type Point } from "../src/index.js";
import {
  expectedRead,
  expectedReadByTime,
  isValidWithAutoFlush,
  ModelTimestamps,
  storedWithoutAutoFlush,
  type ModelPoint,
  type TsChoice,
  type WriteUnit,
} from "./track-model.js";
import { makeTempDir } from "./test-utils.js";

// For any sequence of appends, batches, flushes and reads on two tracks of one session,
// the engine must store exactly what the model says (./track-model.ts), and every read
// must answer as a plain slice, filter and stable sort of the stored points would.

const TRACKS = ["a", "robot/pose"] as const;
const TIMES = [0, 1, 1.5, 2, 3, 5] as const;

type Fields = { readonly f?: number; readonly g?: string; readonly b?: Uint8Array };
type PointSpec = { readonly ts: TsChoice; readonly fields: Fields };
type Command =
  | {
      readonly kind: "append";
      readonly track: number;
      readonly clock: number;
      readonly point: PointSpec;
    }
  | {
      readonly kind: "batch";
      readonly track: number;
      readonly clock: number;
      readonly points: readonly PointSpec[];
    }
  | { readonly kind: "flush"; readonly track: number }
  | { readonly kind: "flushAll" }
  | {
      readonly kind: "read";
      readonly track: number;
      readonly startIndex: number;
      readonly limit: number;
    }
  | {
      readonly kind: "readByTime";
      readonly track: number;
      readonly startTime: number | null;
      readonly endTime: number | null;
      readonly limit: number;
      readonly reverse: boolean;
    };

const tsChoice: fc.Arbitrary<TsChoice> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: "absent" } as const) },
  { weight: 2, arbitrary: fc.constant({ kind: "inherit" } as const) },
  { weight: 4, arbitrary: fc.constantFrom(...TIMES) },
);
const fields: fc.Arbitrary<Fields> = fc.record(
  {
    f: fc.integer({ min: -3, max: 300 }),
    g: fc.constantFrom("x", "y", "ü", ""),
    b: fc.uint8Array({ maxLength: 3 }),
  },
  { requiredKeys: [] },
);
const pointSpec = fc.record({ ts: tsChoice, fields });
const trackNumber = fc.integer({ min: 0, max: TRACKS.length - 1 });
const clockValue = fc.constantFrom(1, 2, 2.5, 4);
const bound = fc.option(fc.constantFrom(...TIMES, 2.2, 4.5), { nil: null });
const limit = fc.constantFrom(1, 2, 3, 5, 1000);

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant("append" as const),
      track: trackNumber,
      clock: clockValue,
      point: pointSpec,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("batch" as const),
      track: trackNumber,
      clock: clockValue,
      points: fc.array(pointSpec, { minLength: 1, maxLength: 6 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("flush" as const), track: trackNumber }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("flushAll" as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("read" as const),
      track: trackNumber,
      startIndex: fc.integer({ min: 0, max: 12 }),
      limit,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("readByTime" as const),
      track: trackNumber,
      startTime: bound,
      endTime: bound,
      limit,
      reverse: fc.boolean(),
    }),
  },
);

type Settings = { readonly maxRecordPoints: number; readonly flushEveryPoints: number | undefined };
const settings: fc.Arbitrary<Settings> = fc.record({
  maxRecordPoints: fc.constantFrom(1, 2, 3, 4096),
  flushEveryPoints: fc.constantFrom(undefined, undefined, 2, 3),
});

/** Time reads checked on every track at the end of every run. */
const FINAL_QUERIES = [false, true].flatMap((reverse) =>
  [1, 2, 3, 1000].flatMap((limit) => [
    { limit, reverse },
    { startTime: 1, endTime: 3, limit, reverse },
    { startTime: 1.5, limit, reverse },
    { endTime: 2, limit, reverse },
  ]),
);

/** A point as compared: sorted keys, null fields dropped (a columnar record fills missing keys with null), bytes as hex. */
function canonical(point: Point | ModelPoint | undefined): string {
  if (point === undefined) return "<none>";
  const entries = Object.keys(point)
    .sort()
    .filter((key) => point[key] !== null && point[key] !== undefined)
    .map((key) => {
      const value = point[key];
      return [
        key,
        value instanceof Uint8Array ? `bytes:${Buffer.from(value).toString("hex")}` : value,
      ];
    });
  return JSON.stringify(entries);
}

function same(a: ModelPoint, b: ModelPoint | Point | undefined): boolean {
  return canonical(a) === canonical(b);
}

function canonicalRows(rows: readonly { index: number; data: Point | ModelPoint }[]): string[] {
  return rows.map((row) => `${row.index} ${canonical(row.data)}`);
}

async function storedPoints(session: Session, name: string): Promise<Point[]> {
  return (await session.track(name).read({ limit: 10_000 })).data.map((row) => row.data);
}

/** The state of one track in the model. */
type ModelTrack = { units: WriteUnit[]; open: WriteUnit | undefined };

async function runCommands(
  dir: string,
  config: Settings,
  commands: readonly Command[],
): Promise<void> {
  const timestamps = new ModelTimestamps();
  const clock = { nowSeconds: () => timestamps.now };
  const options: SessionOptions = {
    prefix: "prop/run",
    localPath: dir,
    clock,
    flushOnExit: false,
    flushIntervalMs: 0,
    maxRecordPoints: config.maxRecordPoints,
    ...(config.flushEveryPoints === undefined ? {} : { flushEveryPoints: config.flushEveryPoints }),
  };
  const isAuto = config.flushEveryPoints !== undefined;
  const model: ModelTrack[] = TRACKS.map(() => ({ units: [], open: undefined }));
  const cut = (track: ModelTrack): void => {
    track.open = undefined;
  };
  let nextId = 0;
  const finalStored: ModelPoint[][] = [];
  const session = await Session.open(options);
  try {
    for (const command of commands) {
      if (command.kind === "flushAll") {
        await session.tracks.flush();
        model.forEach(cut);
        continue;
      }
      const name = TRACKS[command.track] as string;
      const track = model[command.track] as ModelTrack;
      switch (command.kind) {
        case "append": {
          timestamps.now = command.clock;
          const id = nextId++;
          const ts = timestamps.resolve(command.point.ts);
          const input = { ...command.point.fields, id, ...tsInput(command.point.ts) };
          session.track(name).append(input);
          if (track.open === undefined) {
            track.open = { kind: "appended", points: [] };
            track.units.push(track.open);
          }
          track.open.points.push({ ...command.point.fields, id, _ts: ts });
          break;
        }
        case "batch": {
          timestamps.now = command.clock;
          const specs = command.points.map((spec) => ({ spec, id: nextId++ }));
          const modelPoints = specs.map(({ spec, id }) => ({
            ...spec.fields,
            id,
            _ts: timestamps.resolve(spec.ts),
          }));
          const result = await session
            .track(name)
            .appendBatch(
              specs.map(({ spec, id }) => ({ ...spec.fields, id, ...tsInput(spec.ts) })),
            );
          expect(result.count).toBe(specs.length);
          expect(result.endIndex - result.startIndex + 1).toBe(specs.length);
          cut(track);
          track.units.push({ kind: "batch", points: modelPoints });
          break;
        }
        case "flush":
          await session.track(name).flush();
          cut(track);
          break;
        case "read": {
          const page = await session.track(name).read({
            startIndex: command.startIndex,
            limit: command.limit,
          });
          cut(track);
          const stored = await checkStored(session, name, track, isAuto);
          const expected = expectedRead(stored, command.startIndex, command.limit);
          expect({ ...page, data: canonicalRows(page.data) }).toEqual({
            ...expected,
            data: canonicalRows(expected.data),
          });
          break;
        }
        case "readByTime": {
          const query = {
            startTime: command.startTime,
            endTime: command.endTime,
            limit: command.limit,
            reverse: command.reverse,
          };
          const window = await session.track(name).readByTime(query);
          cut(track);
          const stored = await checkStored(session, name, track, isAuto);
          const expected = expectedReadByTime(stored, query);
          expect({ ...window, data: canonicalRows(window.data) }).toEqual({
            ...expected,
            data: canonicalRows(expected.data),
          });
          break;
        }
      }
    }
    await session.tracks.flush();
    for (let t = 0; t < TRACKS.length; t++) {
      const name = TRACKS[t] as string;
      const track = model[t] as ModelTrack;
      const stored = await checkStored(session, name, track, isAuto);
      finalStored.push(stored);
      for (const query of FINAL_QUERIES) {
        const window = await session.track(name).readByTime(query);
        const expected = expectedReadByTime(stored, query);
        expect({ ...window, data: canonicalRows(window.data) }, JSON.stringify(query)).toEqual({
          ...expected,
          data: canonicalRows(expected.data),
        });
      }
      if (stored.length > 0) {
        const stats = await session.track(name).stats();
        const times = stored.map((point) => point._ts);
        expect(stats.totalDataPoints).toBe(stored.length);
        expect(stats.firstTs).toBe(Math.min(...times));
        expect(stats.lastTs).toBe(Math.max(...times));
      }
    }
  } finally {
    await session.close();
  }
  await checkReopened(dir, options, finalStored);
}

/** `_ts` as the command passes it to the engine. */
function tsInput(choice: TsChoice): { _ts?: number } {
  if (typeof choice === "number") return { _ts: choice };
  return choice.kind === "inherit" ? { _ts: -1 } : {};
}

/**
 * Reads the stored points of a track and checks them against the model: exactly,
 * or, with automatic flushes, against some cutting of the appends they allow.
 */
async function checkStored(
  session: Session,
  name: string,
  track: ModelTrack,
  isAuto: boolean,
): Promise<ModelPoint[]> {
  const stored = await storedPoints(session, name);
  if (isAuto) {
    expect(
      isValidWithAutoFlush(track.units, stored as ModelPoint[], same),
      `stored ${JSON.stringify(stored.map(canonical))}`,
    ).toBe(true);
  } else {
    expect(stored.map(canonical)).toEqual(storedWithoutAutoFlush(track.units).map(canonical));
  }
  return stored as ModelPoint[];
}

/**
 * A new session (index files loaded), then one with the index files deleted (rebuilt
 * from the data files), read the same points and answer time reads the same.
 */
async function checkReopened(
  dir: string,
  options: SessionOptions,
  stored: readonly ModelPoint[][],
): Promise<void> {
  const check = async (): Promise<void> => {
    const session = await Session.open(options);
    try {
      for (let t = 0; t < TRACKS.length; t++) {
        const name = TRACKS[t] as string;
        const points = stored[t] as ModelPoint[];
        expect((await storedPoints(session, name)).map(canonical)).toEqual(points.map(canonical));
        for (const query of FINAL_QUERIES.slice(0, 8)) {
          const window = await session.track(name).readByTime(query);
          expect(canonicalRows(window.data)).toEqual(
            canonicalRows(expectedReadByTime(points, query).data),
          );
        }
      }
    } finally {
      await session.close();
    }
  };
  await check();
  for (const name of TRACKS) {
    await rm(path.join(dir, "prop", "run", "tracks", name, "data.msgpack.idx"), { force: true });
  }
  await check();
}

describe("tracks, for any sequence of appends, batches, flushes and reads", () => {
  it("store exactly the model's points and answer every read as the model does", async () => {
    await fc.assert(
      fc.asyncProperty(
        settings,
        fc.array(command, { minLength: 1, maxLength: 50, size: "max" }),
        async (config, commands) => {
          const temp = await makeTempDir();
          try {
            await runCommands(temp.dir, config, commands);
          } finally {
            await temp.cleanup();
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("readByTime over many records, in time order or not", () => {
  it("equals a plain filter and stable sort of the points, for any bounds, limit and direction", async () => {
    // Batches are stored as given (no merging), so the stored points are known exactly.
    const layout = fc.constantFrom("ordered", "mostly-ordered", "random");
    const queries = fc.array(
      fc.record({
        startTime: fc.option(fc.integer({ min: -1, max: 9 }), { nil: undefined, freq: 2 }),
        endTime: fc.option(fc.integer({ min: -1, max: 41 }), { nil: undefined, freq: 2 }),
        limit: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constant(1000)),
        reverse: fc.boolean(),
      }),
      { minLength: 1, maxLength: 12 },
    );
    await fc.assert(
      fc.asyncProperty(
        layout,
        // Few distinct times make many ties, which the order of equal _ts must get right.
        fc
          .constantFrom(3, 8, 40)
          .chain((spread) =>
            fc.array(fc.integer({ min: 0, max: spread }), { minLength: 1, maxLength: 150 }),
          ),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 7 }),
        queries,
        async (kind, rawTimes, batchSizes, maxRecordPoints, reads) => {
          const times = [...rawTimes];
          if (kind !== "random") times.sort((a, b) => a - b);
          if (kind === "mostly-ordered") times.push(3, 1);
          const points: ModelPoint[] = times.map((ts, id) => ({ id, _ts: ts }));
          const temp = await makeTempDir();
          const options: SessionOptions = {
            prefix: "time/run",
            localPath: temp.dir,
            flushOnExit: false,
            flushIntervalMs: 0,
            maxRecordPoints,
          };
          try {
            const session = await Session.open(options);
            try {
              let at = 0;
              for (let b = 0; at < points.length; b++) {
                const size = batchSizes[b % batchSizes.length] as number;
                await session.track("t").appendBatch(points.slice(at, at + size));
                at += size;
              }
              await checkTimeReads(session, points, reads);
            } finally {
              await session.close();
            }
            // Again from the index file a new session loads.
            const again = await Session.open(options);
            try {
              await checkTimeReads(again, points, reads);
            } finally {
              await again.close();
            }
          } finally {
            await temp.cleanup();
          }
        },
      ),
      { numRuns: 80 },
    );
  });
});

async function checkTimeReads(
  session: Session,
  points: readonly ModelPoint[],
  reads: readonly {
    startTime: number | undefined;
    endTime: number | undefined;
    limit: number;
    reverse: boolean;
  }[],
): Promise<void> {
  for (const query of reads) {
    const options = {
      limit: query.limit,
      reverse: query.reverse,
      ...(query.startTime === undefined ? {} : { startTime: query.startTime }),
      ...(query.endTime === undefined ? {} : { endTime: query.endTime }),
    };
    const window = await session.track("t").readByTime(options);
    const expected = expectedReadByTime(points, query);
    expect({ ...window, data: canonicalRows(window.data) }, JSON.stringify(query)).toEqual({
      ...expected,
      data: canonicalRows(expected.data),
    });
  }
}
