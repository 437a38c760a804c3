/**
 * A track's state on MongoDB, derived from documents that are only ever inserted: its head
 * commit (the one with the largest start: the next index, the `_ts` bounds, the time of the
 * last append) and its last dropped chunk (the first hot index).
 *
 * @module
 */
import type { HotTrack } from "../tiers/hot/hot-store.js";
import type { MongoDatabase } from "./mongo-database.js";
import type { CommitDocument, TrackDocument } from "./mongo-documents.js";

/** The commit with the largest start, or null before the first append. */
export async function headCommit(
  db: MongoDatabase,
  trackId: string,
): Promise<CommitDocument | null> {
  const found = await db.run(`read the last append of track ${trackId}`, () =>
    db
      .collection("commits")
      .find({ track: trackId }, { projection: { batches: 0 } })
      .sort({ start: -1 })
      .limit(1)
      .toArray(),
  );
  return found[0] ?? null;
}

/** The first index still hot: the end of the last dropped chunk plus one (0 before any). */
export async function hotStartOf(db: MongoDatabase, trackId: string): Promise<number> {
  const found = await db.run(`read the hot start of track ${trackId}`, () =>
    db
      .collection("chunks")
      .find({ track: trackId, dropped: true }, { projection: { endIndex: 1 } })
      .sort({ number: -1 })
      .limit(1)
      .toArray(),
  );
  return found[0] === undefined ? 0 : found[0].endIndex + 1;
}

/** The next index of a track whose head commit is `head`. */
export function totalOf(head: Pick<CommitDocument, "start" | "count"> | null): number {
  return head === null ? 0 : head.start + head.count;
}

/** A track as the port describes it, from its document, head commit and hot start. */
export function toHotTrack(
  document: TrackDocument,
  head: CommitDocument | null,
  hotStart: number,
): HotTrack {
  return {
    trackId: document._id,
    sessionId: document.session,
    name: document.name,
    description: document.description,
    tags: document.tags,
    metadata:
      document.metadata === null
        ? null
        : (JSON.parse(document.metadata) as Readonly<Record<string, unknown>>),
    createdAtSeconds: document.createdAt,
    updatedAtSeconds: head?.at ?? document.createdAt,
    totalPoints: totalOf(head),
    hotStartIndex: hotStart,
    minTs: head?.minTs ?? null,
    maxTs: head?.maxTs ?? null,
  };
}

/** The track, or undefined when no append committed to it yet. */
export async function committedTrack(
  db: MongoDatabase,
  document: TrackDocument | null,
): Promise<HotTrack | undefined> {
  if (document === null) return undefined;
  const [head, hotStart] = await Promise.all([
    headCommit(db, document._id),
    hotStartOf(db, document._id),
  ]);
  return head === null ? undefined : toHotTrack(document, head, hotStart);
}
