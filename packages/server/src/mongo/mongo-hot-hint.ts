/**
 * The `hot` hint of a track document: how many points of the track are hot, kept so that the
 * archiver's sweep finds tracks with a full chunk through an index. It may be too high (the
 * sweep checks the real count and corrects it) but must never stay too low: a track whose
 * hint is too low is not archived until its next append.
 *
 * FerretDB runs an update as a read and a write with no lock, so a concurrent update may
 * write back a value computed from what it read before another's write. Hence every write
 * that sets the hint after a commit or a drop "settles" it: sets the count it knows, reads
 * the real count again, and sets that while it still moves. The last writer to finish so
 * leaves the real count. An append also raises the hint before it commits, so that a
 * process killed between its commit and its settle leaves the hint high, not low. (Not
 * covered: that raise itself computed from a stale read, by a process killed before it
 * settles, while another append to the same track writes the hint at the same moment; the
 * track's next append settles it.)
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

/**
 * Sets the hint to the real count of hot points, and again while the count moves under it
 * (an append or drop in between).
 *
 * @param known the count the caller knows (after its own commit), saving the first look
 * @returns the hot points counted last
 */
export async function settleHotHint(
  db: MongoDatabase,
  trackId: string,
  known?: number,
): Promise<number> {
  let hot = known ?? (await realHot(db, trackId));
  for (let round = 0; round < MAX_SETTLE_ROUNDS; round++) {
    const counted = hot;
    await db.run(`count the hot points of track ${trackId}`, () =>
      db.collection("tracks").updateOne({ _id: trackId }, { $set: { hot: counted } }),
    );
    hot = await realHot(db, trackId);
    if (hot === counted) return hot;
  }
  // Still moving after every round: leave it high rather than low (the sweep corrects it).
  await db.run(`count the hot points of track ${trackId}`, () =>
    db.collection("tracks").updateOne({ _id: trackId }, { $max: { hot: hot + 1 } }),
  );
  return hot;
}

/** The hot points of a track as its head commit and hot start say now. */
export async function realHot(db: MongoDatabase, trackId: string): Promise<number> {
  const [head, hotStart] = await Promise.all([headCommit(db, trackId), hotStartOf(db, trackId)]);
  return Math.max(0, totalOf(head) - hotStart);
}
