import { MAX_READ_LIMIT } from "../core/limits.js";
import type { TimeQuery } from "../core/read-options.js";
import type { IndexedPoint } from "../core/track-results.js";
import type { TrackReader } from "../session/session-reader.js";

/** The next float after `x` (toward +Infinity), for a time bound just past a timestamp. */
export function nextFloatUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const bits = new BigInt64Array(new Float64Array([x]).buffer);
  bits[0] = (bits[0] as bigint) + (x > 0 ? 1n : -1n);
  return new Float64Array(bits.buffer)[0] as number;
}

/**
 * Every point with `startTime <= _ts < endTime`, in the order of `readByTime` (by `_ts`,
 * newest first with `reverse`, equal `_ts` in index order), page after page of at most
 * 10,000 points. A page continues after the last `_ts` of the one before, skipping the
 * points of that `_ts` already given; more than a page of points with one `_ts` is read by
 * index from the track's scan, so that no point is given twice or left out.
 */
export async function* timePages(
  tracks: TrackReader,
  track: string,
  query: Omit<TimeQuery, "limit">,
): AsyncGenerator<readonly IndexedPoint[]> {
  let startTime = query.startTime;
  let endTime = query.endTime;
  // The last _ts given, and the largest index given at that _ts.
  let last: { ts: number; index: number } | undefined;
  for (;;) {
    const page = await tracks.readByTime(track, {
      startTime,
      endTime,
      limit: MAX_READ_LIMIT,
      reverse: query.reverse,
    });
    const fresh = page.data.filter(
      (point) => last === undefined || point.data["_ts"] !== last.ts || point.index > last.index,
    );
    if (fresh.length === 0 && page.hasMore && last !== undefined) {
      // A full page of points at one _ts: give the rest of them in index order.
      const ts = last.ts;
      const after = last.index;
      yield* sameTimestamp(tracks, track, ts, after);
      if (query.reverse) endTime = ts;
      else startTime = nextFloatUp(ts);
      last = undefined;
      continue;
    }
    if (fresh.length > 0) yield fresh;
    if (!page.hasMore) return;
    const tail = page.data.at(-1);
    const ts = tail?.data["_ts"];
    if (tail === undefined || typeof ts !== "number") return;
    last =
      last !== undefined && last.ts === ts
        ? { ts, index: Math.max(last.index, tail.index) }
        : { ts, index: tail.index };
    if (query.reverse) endTime = nextFloatUp(ts);
    else startTime = ts;
  }
}

async function* sameTimestamp(
  tracks: TrackReader,
  track: string,
  ts: number,
  afterIndex: number,
): AsyncGenerator<readonly IndexedPoint[]> {
  const scan = tracks.scanColumns(track, {
    startTime: ts,
    endTime: nextFloatUp(ts),
    fields: new Set<string>(),
  });
  for await (const batch of scan) {
    // Runs of consecutive indexes, each read whole by index: the points exactly as stored.
    let i = 0;
    while (i < batch.count) {
      const first = batch.indexes[i] as number;
      let count = 1;
      while (
        i + count < batch.count &&
        count < MAX_READ_LIMIT &&
        batch.indexes[i + count] === first + count
      ) {
        count++;
      }
      i += count;
      if (first + count - 1 <= afterIndex) continue;
      const startIndex = Math.max(first, afterIndex + 1);
      const page = await tracks.read(track, { startIndex, limit: first + count - startIndex });
      yield page.data;
    }
  }
}
