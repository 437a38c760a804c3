/**
 * Reads of a track's hot points on MongoDB. Without a snapshot across documents, a read takes
 * the track's head first (its `total`: later commits are left out), then the commits and
 * batches it needs, then the track's `hotStart` once more: the archiver marks a chunk dropped
 * (which moves `hotStart`) before it deletes its batches, so every batch missing from the read
 * lies below that last `hotStart`, and the caller takes those points from the cold tier. The
 * answer is the track as of the first read, less what was archived meanwhile.
 *
 * @module
 */
import type { Filter } from "mongodb";
import { TimeSelection, type IndexedPoint, type Point, type TimeQuery } from "dreamlake/engine";
import { selectBatches, type BatchSpan } from "../tiers/hot/batch-selection.js";
import type { HotBatch, HotBatches, HotRows } from "../tiers/hot/hot-store.js";
import { decodeBatch } from "./mongo-batches.js";
import type { MongoDatabase } from "./mongo-database.js";
import type { BatchDocument, CommitDocument } from "./mongo-documents.js";
import { headCommit, hotStartOf, totalOf } from "./mongo-track-state.js";

const EMPTY: HotRows = { rows: [], hotStartIndex: 0, totalPoints: 0 };

/** A batch of a commit, placed in the track. */
type PlacedBatch = BatchSpan & { readonly id: BatchDocument["_id"] };

/** Hot points from `startIndex` in index order, at most `limit`. */
export async function readHotByIndex(
  db: MongoDatabase,
  trackId: string,
  startIndex: number,
  limit: number,
): Promise<HotRows> {
  const head = await headCommit(db, trackId);
  if (head === null) return EMPTY;
  const total = totalOf(head);
  const end = Math.min(total, startIndex + limit);
  const wanted: PlacedBatch[] = [];
  if (startIndex < end) {
    const commits = await findCommits(
      db,
      { track: trackId, end: { $gte: startIndex }, start: { $lt: end } },
      `read track ${trackId} from index ${startIndex}`,
    );
    for (const batch of placeBatches(commits)) {
      if (batch.endIndex >= startIndex && batch.startIndex < end) wanted.push(batch);
    }
  }
  const batches = await fetchBatches(db, trackId, wanted);
  const hotStart = await hotStartOf(db, trackId);
  const from = Math.max(startIndex, hotStart);
  const rows: IndexedPoint[] = [];
  for (const { span, data } of batches) {
    if (span.endIndex < from) continue;
    const points = decodeBatch(trackId, span.startIndex, data);
    for (let i = Math.max(0, from - span.startIndex); i < points.length; i++) {
      const index = span.startIndex + i;
      if (index >= end) break;
      rows.push({ index, data: points[i] as Point });
    }
  }
  return { rows, hotStartIndex: hotStart, totalPoints: Math.max(total, hotStart) };
}

/**
 * The stored batches holding hot points `startIndex..endIndex`, records as stored, read as
 * {@link readHotByIndex} reads them: a batch the archiver deleted meanwhile is left out and
 * lies below the `hotStart` read last.
 */
export async function readHotBatches(
  db: MongoDatabase,
  trackId: string,
  startIndex: number,
  endIndex: number,
): Promise<HotBatches> {
  const head = await headCommit(db, trackId);
  if (head === null) return { batches: [], hotStartIndex: 0, totalPoints: 0 };
  const total = totalOf(head);
  const end = Math.min(total, endIndex + 1);
  const wanted: PlacedBatch[] = [];
  if (startIndex < end) {
    const commits = await findCommits(
      db,
      { track: trackId, end: { $gte: startIndex }, start: { $lt: end } },
      `read the batches of track ${trackId} from index ${startIndex}`,
    );
    for (const batch of placeBatches(commits)) {
      if (batch.endIndex >= startIndex && batch.startIndex < end) wanted.push(batch);
    }
  }
  const fetched = await fetchBatches(db, trackId, wanted);
  const hotStart = await hotStartOf(db, trackId);
  const batches: HotBatch[] = fetched.map(({ span, data }) => ({
    startIndex: span.startIndex,
    endIndex: span.endIndex,
    minTs: span.minTs,
    maxTs: span.maxTs,
    records: new Uint8Array(data.buffer.buffer, data.buffer.byteOffset, data.position),
  }));
  return { batches, hotStartIndex: hotStart, totalPoints: Math.max(total, hotStart) };
}

/** Hot points with `startTime <= _ts < endTime`, in time order, at most `query.limit`. */
export async function readHotByTime(
  db: MongoDatabase,
  trackId: string,
  query: TimeQuery,
): Promise<HotRows> {
  const [head, firstHotStart] = await Promise.all([
    headCommit(db, trackId),
    hotStartOf(db, trackId),
  ]);
  if (head === null) return EMPTY;
  const total = totalOf(head);
  // Only the bounds given: FerretDB refuses infinite values in a query.
  const window: Filter<CommitDocument> = {
    track: trackId,
    end: { $gte: firstHotStart },
    start: { $lt: total },
  };
  if (query.startTime !== undefined) window.hi = { $gte: query.startTime };
  if (query.endTime !== undefined) window.lo = { $lt: query.endTime };
  const commits = await findCommits(db, window, `read track ${trackId} by time`);
  // selectBatches keeps some of the spans it is given (the same objects).
  const chosen = selectBatches(placeBatches(commits), query, firstHotStart) as PlacedBatch[];
  const batches = await fetchBatches(db, trackId, chosen);
  const hotStart = await hotStartOf(db, trackId);
  const start = query.startTime ?? -Infinity;
  const end = query.endTime ?? Infinity;
  const selection = new TimeSelection(query.limit, query.reverse);
  for (const { span, data } of batches) {
    const points = decodeBatch(trackId, span.startIndex, data);
    for (let i = Math.max(0, hotStart - span.startIndex); i < points.length; i++) {
      const point = points[i] as Point;
      const ts = point["_ts"] as number;
      if (ts >= start && ts < end) selection.offer(ts, span.startIndex + i, point);
    }
  }
  // The selection keeps one row more than asked (for its own hasMore): the caller asks for
  // what it needs.
  return {
    rows: selection.result().points.slice(0, query.limit),
    hotStartIndex: hotStart,
    totalPoints: Math.max(total, hotStart),
  };
}

function findCommits(
  db: MongoDatabase,
  filter: Filter<CommitDocument>,
  what: string,
): Promise<CommitDocument[]> {
  return db.run(what, () => db.collection("commits").find(filter).sort({ start: 1 }).toArray());
}

/** The batches of commits, each with its index range and `_ts` bounds, in index order. */
function placeBatches(commits: readonly CommitDocument[]): PlacedBatch[] {
  const placed: PlacedBatch[] = [];
  for (const commit of commits) {
    for (const batch of commit.batches) {
      const startIndex = commit.start + batch.offset;
      placed.push({
        id: batch.id,
        startIndex,
        endIndex: startIndex + batch.count - 1,
        minTs: batch.minTs,
        maxTs: batch.maxTs,
      });
    }
  }
  return placed;
}

/**
 * The stored bytes of the batches, in index order. A batch the archiver deleted meanwhile is
 * missing: its points are below the `hotStart` read afterwards.
 */
async function fetchBatches(
  db: MongoDatabase,
  trackId: string,
  spans: readonly PlacedBatch[],
): Promise<{ readonly span: PlacedBatch; readonly data: BatchDocument["data"] }[]> {
  if (spans.length === 0) return [];
  const found = await db.run(`read the batches of track ${trackId}`, () =>
    db
      .collection("batches")
      .find({ _id: { $in: spans.map((span) => span.id) } })
      .toArray(),
  );
  const byId = new Map(found.map((batch) => [batch._id.toHexString(), batch.data]));
  const out: { span: PlacedBatch; data: BatchDocument["data"] }[] = [];
  for (const span of [...spans].sort((a, b) => a.startIndex - b.startIndex)) {
    const data = byId.get(span.id.toHexString());
    if (data !== undefined) out.push({ span, data });
  }
  return out;
}
