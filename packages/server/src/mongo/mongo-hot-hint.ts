/**
 * The `hot` hint of a track document: how many points of the track are hot, kept so that the
 * archiver's sweep finds tracks with a full chunk through an index. It may be too high (the
 * sweep checks the real count and corrects it) but must never stay too low: a track whose
 * hint is too low is not archived until its next append. So an append raises it before it
 * commits (a process killed between its commit and a later write would leave it low), and a
 * write that lowers it reads the head again afterwards, in case an append committed in
 * between (FerretDB's updates are not atomic, so nothing here relies on one being so).
 *
 * @module
 */
import type { MongoDatabase } from "./mongo-database.js";
import { headCommit, hotStartOf, totalOf } from "./mongo-track-state.js";

/** Lowering writes give up after this many heads that moved under them (the next append or sweep retries). */
const MAX_SETTLE_ROUNDS = 4;

/** Raises the hint by the points of an append about to commit. */
export async function raiseHotHint(
  db: MongoDatabase,
  trackId: string,
  points: number,
): Promise<void> {
  await db.run(`count ${points} hot points of track ${trackId}`, () =>
    db.collection("tracks").updateOne({ _id: trackId }, { $inc: { hot: points } }),
  );
}

/** Raises the hint to at least `hot` (after an append committed); never lowers it. */
export async function atLeastHotHint(
  db: MongoDatabase,
  trackId: string,
  hot: number,
): Promise<void> {
  await db.run(`count the hot points of track ${trackId}`, () =>
    db.collection("tracks").updateOne({ _id: trackId }, { $max: { hot } }),
  );
}

/**
 * Sets the hint to the real count of hot points, again while an append commits in between.
 *
 * @returns the hot points counted
 */
export async function settleHotHint(db: MongoDatabase, trackId: string): Promise<number> {
  let hot = await realHot(db, trackId);
  for (let round = 0; round < MAX_SETTLE_ROUNDS; round++) {
    const counted = hot;
    await db.run(`count the hot points of track ${trackId}`, () =>
      db.collection("tracks").updateOne({ _id: trackId }, { $set: { hot: counted } }),
    );
    hot = await realHot(db, trackId);
    if (hot === counted) return hot;
  }
  // Still moving: leave the hint at least as high as the last count.
  await atLeastHotHint(db, trackId, hot);
  return hot;
}

async function realHot(db: MongoDatabase, trackId: string): Promise<number> {
  const [head, hotStart] = await Promise.all([headCommit(db, trackId), hotStartOf(db, trackId)]);
  return Math.max(0, totalOf(head) - hotStart);
}
