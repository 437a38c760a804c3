/**
 * The hot points of a track as `batches` documents: an append's points cut into batches of
 * at most {@link MAX_BATCH_POINTS}, each the bytes of track-format records, and back.
 *
 * @module
 */
import { Binary, ObjectId } from "mongodb";
import {
  CorruptDataError,
  LimitExceededError,
  type Point,
  type TimedPoint,
} from "dreamlake/engine";
import { MAX_BATCH_POINTS } from "../tiers/hot/hot-store.js";
import { readTrackRecords, recordWriter, writeTrackRecords } from "../tiers/track-records.js";
import type { BatchDocument, CommitBatch } from "./mongo-documents.js";

/** The batch documents of one append, where each lies in it, and the append's `_ts` bounds. */
export type StagedAppend = {
  readonly documents: readonly BatchDocument[];
  readonly batches: readonly CommitBatch[];
  readonly minTs: number;
  readonly maxTs: number;
};

/**
 * Most bytes of records in one batch document: MongoDB refuses documents over 16 MiB, so a
 * batch of large points holds fewer than {@link MAX_BATCH_POINTS}.
 */
export const MAX_BATCH_BYTES = 8 * 1024 * 1024;

/** Most bytes of one point's record: MongoDB's 16 MiB per document, less room for the rest. */
export const MAX_POINT_BYTES = 16 * 1024 * 1024 - 16 * 1024;

/**
 * Cuts an append into batch documents: runs of at most {@link MAX_BATCH_POINTS} points, halved
 * until their records fit in {@link MAX_BATCH_BYTES} (a single larger point stays alone).
 *
 * @throws {LimitExceededError} when one point's record is over {@link MAX_POINT_BYTES}
 */
export function stageBatches(
  trackId: string,
  appendId: string,
  points: readonly TimedPoint[],
  stagedAt: Date,
): StagedAppend {
  const documents: BatchDocument[] = [];
  const batches: CommitBatch[] = [];
  let minTs = Infinity;
  let maxTs = -Infinity;
  const add = (from: number, to: number): void => {
    const writer = recordWriter((to - from) * 32);
    const written = writeTrackRecords(writer, points, from, to);
    if (writer.length > MAX_BATCH_BYTES && to - from > 1) {
      const middle = from + Math.floor((to - from) / 2);
      add(from, middle);
      add(middle, to);
      return;
    }
    if (writer.length > MAX_POINT_BYTES) {
      throw new LimitExceededError(
        `point ${from} of the append takes ${writer.length} bytes; MongoDB holds at most ${MAX_POINT_BYTES} bytes of one point (16 MiB per document)`,
      );
    }
    const id = new ObjectId();
    // A copy of exactly the written bytes: the writer's buffer is larger.
    documents.push({
      _id: id,
      track: trackId,
      append: appendId,
      data: new Binary(writer.view().slice()),
      stagedAt,
    });
    batches.push({
      id,
      offset: from,
      count: to - from,
      minTs: written.minTs,
      maxTs: written.maxTs,
    });
    minTs = Math.min(minTs, written.minTs);
    maxTs = Math.max(maxTs, written.maxTs);
  };
  for (let from = 0; from < points.length; from += MAX_BATCH_POINTS) {
    add(from, Math.min(points.length, from + MAX_BATCH_POINTS));
  }
  return { documents, batches, minTs, maxTs };
}

/** The points of one stored batch. */
export function decodeBatch(trackId: string, start: number, data: Binary): Point[] {
  // A plain Uint8Array: binary fields decoded from a Buffer would be Buffers.
  const buffer = data.buffer;
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, data.position);
  return readTrackRecords(
    bytes,
    (problem, offset) =>
      new CorruptDataError(`the hot batch of track ${trackId} from index ${start}: ${problem}`, {
        details: { trackId, startIndex: start, offset },
      }),
  );
}
