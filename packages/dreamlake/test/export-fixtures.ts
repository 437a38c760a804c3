import type { PointInput } from "../src/core/point.js";
import type { ExportFile } from "../src/exchange/byte-sink.js";
import { MemorySink } from "../src/exchange/byte-sink.js";
import type { TrackSource } from "../src/exchange/track-source.js";
import { openLocalSessionReader } from "../src/session/local-session-reader.js";
import type { SessionReader } from "../src/session/session-reader.js";
import { Session } from "../src/session/session.js";

/**
 * Points of every kind a track can hold: numbers (a whole-number float, NaN), a bigint
 * past 2^53, text (empty, with a comma, a quote and a line break), booleans, bytes,
 * nested objects, lists, a field of mixed types, a sparse field and a null.
 */
export const ZOO_POINTS: readonly PointInput[] = [
  {
    loss: 0.5,
    step: 1,
    ok: true,
    name: "a",
    pose: { x: 1.5, y: 2 },
    joints: [1, 2.5],
    _ts: 1000.25,
  },
  {
    loss: 1,
    step: 2,
    ok: false,
    name: "",
    pose: { x: 2, y: 3.5 },
    joints: [],
    big: 2n ** 60n + 1n,
    _ts: 1001,
  },
  {
    loss: Number.NaN,
    step: 3,
    name: 'say "hi", then\nbye',
    bytes: new Uint8Array([1, 2, 255]),
    any: "text",
    _ts: 1002.000001,
  },
  { any: 3, nothing: null, pose: { x: -1 }, _ts: 1003 },
];

/** Writes points to a track of a fresh local session and opens the session for reading. */
export async function sessionWith(
  root: string,
  tracks: Readonly<Record<string, readonly PointInput[]>>,
  prefix = "p/s",
): Promise<SessionReader> {
  const session = await Session.open({ prefix, localPath: root, flushOnExit: false });
  for (const [name, points] of Object.entries(tracks)) {
    for (let i = 0; i < points.length; i += 10_000) {
      await session.track(name).appendBatch(points.slice(i, i + 10_000));
    }
  }
  await session.close();
  return openLocalSessionReader(root, prefix);
}

/** A track of a reader as an export's source (whole track, or a time range). */
export function sourceOf(
  reader: SessionReader,
  name: string,
  range: { readonly startTime?: number; readonly endTime?: number } = {},
): TrackSource {
  return {
    name,
    expectedPoints: undefined,
    scan: () =>
      reader.tracks.scanColumns(name, {
        startTime: range.startTime,
        endTime: range.endTime,
        fields: undefined,
      }),
  };
}

/** An export file in memory that remembers what it was given last. */
export function memoryFiles(): {
  readonly open: () => Promise<ExportFile>;
  readonly last: () => MemorySink;
} {
  let last: MemorySink | undefined;
  return {
    open: () => {
      last = new MemorySink();
      return Promise.resolve(last);
    },
    last: () => {
      if (last === undefined) throw new Error("no file was opened");
      return last;
    },
  };
}
