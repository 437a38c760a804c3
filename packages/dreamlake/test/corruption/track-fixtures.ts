/**
 * The tracks the corruption suite damages: each fixture is a session folder with a track
 * `t` and its lockstep sibling `u` (the same writes, the same `_ts` and the same byte
 * layout, other values: the sidecars of `u` look like those of `t` but describe another
 * file). Records of every kind are written: point records, small flushes, batches cut into
 * records of several 256-point blocks (so that block tables are used), and records another
 * writer appended without sidecars (as the Python SDK does), indexed by the next write.
 */
import { appendFile, readFile } from "node:fs/promises";
import * as path from "node:path";
import { Session, type FieldValue, type Point, type PointInput } from "../../src/index.js";
import { crc32 } from "../../src/storage/codec/crc32.js";
import { MsgpackWriter } from "../../src/storage/codec/msgpack-writer.js";
import { scanRecords } from "../../src/storage/index/record-scanner.js";
import { SeededRandom } from "./seeded-random.js";

export const FIXTURE_PREFIX = "fuzz/run";
export const TRACK = "t";
export const SIBLING = "u";
/** Points per record: a batch makes records of up to 3 blocks of 256 points. */
export const MAX_RECORD_POINTS = 600;

/** One record of the pristine data file. */
export type RecordSpan = {
  readonly offset: number;
  readonly length: number;
  readonly firstIndex: number;
  readonly count: number;
};

/** A pristine fixture: where it is and what it holds. */
export type TrackFixture = {
  readonly number: number;
  /** The session's local path (the folder holding `fuzz/run`). */
  readonly root: string;
  /** Every point of track `t`, in index order, as read back. */
  readonly points: readonly Point[];
  /** The records of `t`'s data file, in file order. */
  readonly records: readonly RecordSpan[];
  /** Bytes of `t`'s data file. */
  readonly dataBytes: number;
  /**
   * Bytes at the start of the data file that the index describes: damage there must be
   * found. Past it (records another writer appended after the last dreamlake write) bytes
   * carry no checksum, and a change that still decodes cannot be told from data.
   */
  readonly describedBytes: number;
};

/** The folder of one track of a fixture (or of a copy of it). */
export function trackFolder(root: string, track = TRACK): string {
  return path.join(root, ...FIXTURE_PREFIX.split("/"), "tracks", track);
}

/** The options every session of the suite opens with. */
export function sessionOptions(root: string) {
  return {
    prefix: FIXTURE_PREFIX,
    localPath: root,
    flushOnExit: false,
    flushIntervalMs: 0,
    maxRecordPoints: MAX_RECORD_POINTS,
  } as const;
}

type WriteKind = "point" | "flush" | "batch" | "foreign";
type Shape = {
  readonly hasText: boolean;
  readonly hasPose: boolean;
  readonly hasFlag: boolean;
  readonly hasBytes: boolean;
};

/**
 * Writes fixture `number` below `root`. The same number gives the same bytes. Fixtures
 * whose number is 1 mod 4 end with records another writer appended (no index entry yet).
 */
export async function buildFixture(number: number, root: string): Promise<TrackFixture> {
  const random = new SeededRandom(0x5eed0000 + number);
  const isOutOfOrder = number % 3 === 2;
  const endsWithForeign = number % 4 === 1;
  const writes = random.int(5, 9);
  let next = 0;
  let session = await Session.open(sessionOptions(root));
  const writeOne = async (kind: WriteKind, isLast: boolean): Promise<void> => {
    const count =
      kind === "point"
        ? 1
        : kind === "flush"
          ? random.int(2, 40)
          : kind === "batch"
            ? random.int(100, 900)
            : random.int(1, 300);
    const shape: Shape = {
      hasText: random.chance(0.5),
      hasPose: random.chance(0.4),
      hasFlag: random.chance(0.3),
      hasBytes: random.chance(0.15),
    };
    const goesBack = isOutOfOrder && random.chance(0.4);
    const base = 1000 + next * 0.01 - (goesBack ? random.int(1, 8) : 0);
    const pairs = Array.from({ length: count }, (_, k) => {
      const point = pointOf(random, next + k, base + k * 0.01, shape);
      return { own: point, sibling: siblingOf(point) };
    });
    next += count;
    if (kind === "foreign") {
      await session.close();
      await appendForeignRecord(
        root,
        TRACK,
        pairs.map((pair) => pair.own),
      );
      await appendForeignRecord(
        root,
        SIBLING,
        pairs.map((pair) => pair.sibling),
      );
      if (!isLast) session = await Session.open(sessionOptions(root));
      return;
    }
    for (const [name, pick] of [
      [TRACK, "own"],
      [SIBLING, "sibling"],
    ] as const) {
      const track = session.track(name);
      const points = pairs.map((pair) => pair[pick]);
      if (kind === "batch") {
        await track.appendBatch(points);
      } else {
        for (const point of points) track.append(point);
        await track.flush();
      }
    }
  };
  for (let w = 0; w < writes; w++) {
    // The first write makes the track's folder, which another writer's record needs.
    const kind =
      w === 0
        ? "batch"
        : random.pick<WriteKind>(["point", "flush", "flush", "batch", "batch", "foreign"]);
    await writeOne(kind, false);
  }
  // The last write: a dreamlake one, so the index describes the whole file, or another writer's.
  if (endsWithForeign) await writeOne("foreign", true);
  else {
    await writeOne("batch", true);
    await session.close();
  }
  return describeFixture(number, root);
}

/** Reads a pristine fixture back: its points and its records. */
async function describeFixture(number: number, root: string): Promise<TrackFixture> {
  const data = new Uint8Array(await readFile(path.join(trackFolder(root), "data.msgpack")));
  const scan = scanRecords(data, 0, 0, crc32, true);
  if (scan.stop.kind !== "end") throw new Error(`fixture ${number} does not scan whole`);
  const records = scan.entries.map(({ offset, length, firstIndex, count }) => ({
    offset,
    length,
    firstIndex,
    count,
  }));
  const index = new Uint8Array(await readFile(path.join(trackFolder(root), "data.msgpack.idx")));
  const entries = (index.byteLength - 16) / 80;
  const lastDescribed = records[entries - 1];
  const session = await Session.open(sessionOptions(root));
  try {
    const points: Point[] = [];
    for (;;) {
      const page = await session.track(TRACK).read({ startIndex: points.length, limit: 10_000 });
      points.push(...page.data.map((row) => row.data));
      if (!page.hasMore) break;
    }
    return {
      number,
      root,
      points,
      records,
      dataBytes: data.byteLength,
      describedBytes: lastDescribed === undefined ? 0 : lastDescribed.offset + lastDescribed.length,
    };
  } finally {
    // Reading creates nothing in the track folder; closing writes no track file either.
    await session.close();
  }
}

function pointOf(random: SeededRandom, n: number, ts: number, shape: Shape): PointInput {
  const point: Record<string, FieldValue> = {
    x: Math.round((random.next() * 200 - 100) * 1000) / 1000 + 0.5,
    i: n,
    _ts: ts,
  };
  if (shape.hasText) point["s"] = `s-${n}`;
  if (shape.hasPose) {
    point["pose"] = { p: [random.next(), random.next() * 10, -random.next()], q: n % 7 };
  }
  if (shape.hasFlag) point["flag"] = n % 2 === 0;
  if (shape.hasBytes) point["b"] = new Uint8Array([n & 0xff, 0x0a, 0x81, (n >> 8) & 0xff]);
  return point;
}

/**
 * The same point for the lockstep sibling: every value changed, every byte length kept
 * (`i ^ 1` stays in its msgpack integer width, floats stay float64, strings keep length).
 */
function siblingOf(point: PointInput): PointInput {
  const out: Record<string, FieldValue> = { ...(point as Record<string, FieldValue>) };
  out["x"] = (point["x"] as number) + 1000.25;
  out["i"] = (point["i"] as number) ^ 1;
  if (typeof point["s"] === "string") out["s"] = point["s"].replace("s-", "t-");
  const pose = point["pose"] as { p: number[]; q: number } | undefined;
  if (pose !== undefined) out["pose"] = { p: pose.p.map((v) => v + 0.5), q: pose.q ^ 1 };
  if (typeof point["flag"] === "boolean") out["flag"] = !point["flag"];
  const bytes = point["b"];
  if (bytes instanceof Uint8Array) out["b"] = bytes.map((byte) => byte ^ 0x55);
  return out;
}

/**
 * Appends points as one columnar record, as another writer (the Python SDK) would: no
 * index entry, no summary. `_ts` first, as dreamlake writes it.
 */
async function appendForeignRecord(
  root: string,
  track: string,
  points: readonly PointInput[],
): Promise<void> {
  const keys = ["_ts", ...Object.keys(points[0] ?? {}).filter((key) => key !== "_ts")];
  const writer = new MsgpackWriter();
  writer.writeMapHeader(keys.length);
  for (const key of keys) {
    writer.writeKey(key);
    writer.writeArrayHeader(points.length);
    for (const point of points) {
      const value = point[key] as FieldValue | undefined;
      if (key === "_ts") writer.writeFloat64(value as number);
      else writer.writeValue(value ?? null);
    }
  }
  writer.writeByte(0x0a);
  await appendFile(path.join(trackFolder(root, track), "data.msgpack"), writer.toBytes());
}
