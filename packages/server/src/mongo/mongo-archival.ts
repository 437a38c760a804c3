/**
 * The archival steps of the MongoDB hot tier: the manifest (`chunks`, one document per chunk,
 * `_id` = `<track>:<number>`, so that a chunk is committed once), the archival plans (`plans`,
 * `_id` = `<track>:<number>`, so that the first plan of a chunk wins), and the drop of archived
 * batches, which marks the chunk dropped (moving the track's `hotStart`) before it deletes.
 *
 * @module
 */
import { ConflictError } from "dreamlake/engine";
import { encodeChunkSummary, summaryProperty } from "../tiers/chunk-summary-codec.js";
import type { ArchivalPlan, ChunkEntry } from "../tiers/hot/hot-store.js";
import { sameChunk, staleArchivalPlan } from "../tiers/hot/memory-hot-store.js";
import type { MongoDatabase } from "./mongo-database.js";
import type { ChunkDocument, PlanDocument } from "./mongo-documents.js";
import { isDuplicateKey } from "./mongo-errors.js";
import { realHot, settleHotHint } from "./mongo-hot-hint.js";
import { headCommit, hotStartOf } from "./mongo-track-state.js";

/**
 * Archived commits are removed once this old: an append reads the head again when its copy
 * is older than a minute (`HEAD_FRESH_MS`), so the commit at the index it inserts at is still
 * there to refuse a second insert.
 */
const COMMIT_KEEP_MS = 10 * 60 * 1000;

/** Batches no commit names (their append failed or died) are removed once this old. */
const ORPHAN_AGE_MS = 60 * 60 * 1000;

export class MongoArchival {
  readonly #db: MongoDatabase;

  constructor(db: MongoDatabase) {
    this.#db = db;
  }

  async manifest(trackId: string): Promise<readonly ChunkEntry[]> {
    const found = await this.#db.run(`read the manifest of track ${trackId}`, () =>
      this.#db.collection("chunks").find({ track: trackId }).sort({ number: 1 }).toArray(),
    );
    return found.map(toChunk);
  }

  async tracksToArchive(chunkSize: number, limit: number): Promise<readonly string[]> {
    const [full, planned] = await this.#db.run("find tracks to archive", () =>
      Promise.all([
        this.#db
          .collection("tracks")
          .find({ hot: { $gte: chunkSize } }, { projection: { _id: 1 } })
          .limit(limit)
          .toArray(),
        this.#db
          .collection("plans")
          .find({}, { projection: { track: 1 } })
          .limit(limit)
          .toArray(),
      ]),
    );
    // The hint may be too high (an append that died before its commit): check the real count.
    const due: string[] = [];
    for (const track of full) {
      if ((await realHot(this.#db, track._id)) >= chunkSize) due.push(track._id);
      // Not due after all: the count was too high (its archival's drop settles the others).
      else await settleHotHint(this.#db, track._id);
    }
    const ids = [...due, ...planned.map((plan) => plan.track)];
    return [...new Set(ids)].slice(0, limit);
  }

  async plan(trackId: string): Promise<ArchivalPlan | undefined> {
    const found = await this.#db.run(`read the archival plan of track ${trackId}`, () =>
      this.#db
        .collection("plans")
        .find({ track: trackId })
        .sort({ chunkNumber: -1 })
        .limit(1)
        .toArray(),
    );
    return found[0] === undefined ? undefined : toPlan(found[0]);
  }

  async begin(trackId: string, plan: ArchivalPlan): Promise<ArchivalPlan> {
    const last = await this.#db.run(`read the manifest of track ${trackId}`, () =>
      this.#db
        .collection("chunks")
        .find({ track: trackId })
        .sort({ number: -1 })
        .limit(1)
        .toArray(),
    );
    const previous = last[0];
    // It continues the manifest, at hotStart: a chunk committed but not dropped yet makes a
    // plan for the next one wait.
    const continues =
      previous === undefined
        ? plan.chunkNumber === 0 && plan.startIndex === 0
        : previous.dropped === true &&
          plan.chunkNumber === previous.number + 1 &&
          plan.startIndex === previous.endIndex + 1;
    if (continues && (await this.plan(trackId)) === undefined) {
      try {
        await this.#db.run(`record the archival plan of track ${trackId}`, () =>
          this.#db.collection("plans").insertOne({
            _id: `${trackId}:${plan.chunkNumber}`,
            track: trackId,
            chunkNumber: plan.chunkNumber,
            startIndex: plan.startIndex,
            endIndex: plan.endIndex,
            key: plan.key,
          }),
        );
      } catch (error: unknown) {
        // A concurrent archiver recorded its plan of this chunk first: that one wins.
        if (!isDuplicateKey(error)) throw error;
      }
    }
    const recorded = await this.plan(trackId);
    if (recorded === undefined) throw staleArchivalPlan(trackId, plan);
    return recorded;
  }

  async abandon(trackId: string, plan: ArchivalPlan): Promise<void> {
    await this.#db.run(`abandon the archival plan of track ${trackId}`, () =>
      this.#db.collection("plans").deleteOne({
        _id: `${trackId}:${plan.chunkNumber}`,
        startIndex: plan.startIndex,
        endIndex: plan.endIndex,
        key: plan.key,
      }),
    );
  }

  async commitChunk(trackId: string, entry: ChunkEntry): Promise<void> {
    const chunks = this.#db.collection("chunks");
    const what = `commit chunk ${entry.chunkNumber} of track ${trackId}`;
    // Chunks are never removed: one that continues the manifest now always will.
    const continues =
      (entry.chunkNumber === 0 && entry.startIndex === 0) ||
      (entry.chunkNumber > 0 &&
        (await this.#db.run(what, () =>
          chunks.findOne(
            { _id: chunkId(trackId, entry.chunkNumber - 1), endIndex: entry.startIndex - 1 },
            { projection: { _id: 1 } },
          ),
        )) !== null);
    if (continues) {
      try {
        await this.#db.run(what, () =>
          chunks.insertOne({
            _id: chunkId(trackId, entry.chunkNumber),
            track: trackId,
            number: entry.chunkNumber,
            startIndex: entry.startIndex,
            endIndex: entry.endIndex,
            count: entry.count,
            minTs: entry.minTs,
            maxTs: entry.maxTs,
            key: entry.key,
            byteSize: entry.byteSize,
            checksum: entry.checksum,
            ...(entry.summary === undefined ? {} : { summary: encodeChunkSummary(entry.summary) }),
            committedAt: new Date(),
          }),
        );
        return;
      } catch (error: unknown) {
        if (!isDuplicateKey(error)) throw error;
      }
    }
    const committed = await this.#db.run(what, () =>
      chunks.findOne({ _id: chunkId(trackId, entry.chunkNumber) }),
    );
    if (committed === null) {
      throw new ConflictError(
        `chunk ${entry.chunkNumber} of track ${trackId} (indexes ${entry.startIndex}..${entry.endIndex}) does not continue its manifest`,
      );
    }
    const stored = toChunk(committed);
    if (!sameChunk(stored, entry)) {
      throw new ConflictError(
        `chunk ${entry.chunkNumber} of track ${trackId} is already committed as ${stored.key} (indexes ${stored.startIndex}..${stored.endIndex}), not as ${entry.key}`,
      );
    }
  }

  /**
   * Marks the chunk ending at `endIndex - 1` dropped (which moves `hotStart` there, never
   * back: it is the end of the last dropped chunk), clears the plans it completes, then
   * deletes the batches of the commits below it: in that order, so that a read that misses a
   * deleted batch sees the new `hotStart` after it (see `mongo-hot-reads.ts`).
   */
  async dropArchivedRows(trackId: string, endIndex: number): Promise<void> {
    const what = `drop the archived hot points of track ${trackId} below index ${endIndex}`;
    const chunks = this.#db.collection("chunks");
    const covered = await this.#db.run(what, () =>
      chunks.findOne({ track: trackId, endIndex: endIndex - 1 }, { projection: { _id: 1 } }),
    );
    if (covered === null) {
      throw new ConflictError(
        `no archived chunk of track ${trackId} ends at index ${endIndex - 1}: its hot points stay`,
      );
    }
    // Every drop of this chunk writes the same value: a lost concurrent update changes nothing.
    await this.#db.run(what, () =>
      chunks.updateOne({ _id: covered._id }, { $set: { dropped: true } }),
    );
    await this.#db.run(what, () =>
      this.#db.collection("plans").deleteMany({ track: trackId, endIndex: { $lt: endIndex } }),
    );
    const [head, hotStart] = await Promise.all([
      headCommit(this.#db, trackId),
      hotStartOf(this.#db, trackId),
    ]);
    await this.#deleteArchived(trackId, hotStart, head?._id);
    await settleHotHint(this.#db, trackId);
  }

  /**
   * Deletes the batches of the commits wholly below `hotStart`, the commits themselves once
   * old (never the head), and batches no commit names once old.
   */
  async #deleteArchived(
    trackId: string,
    hotStart: number,
    headId: string | undefined,
  ): Promise<void> {
    const commits = this.#db.collection("commits");
    const batches = this.#db.collection("batches");
    const what = `delete the archived hot points of track ${trackId}`;
    const archived = await this.#db.run(what, () =>
      commits
        .find(
          { track: trackId, end: { $lt: hotStart } },
          { projection: { batches: 1, committedAt: 1, keepUntil: 1 } },
        )
        .toArray(),
    );
    const ids = archived.flatMap((commit) => commit.batches.map((batch) => batch.id));
    if (ids.length > 0) {
      await this.#db.run(what, () => batches.deleteMany({ _id: { $in: ids } }));
    }
    const old = archived
      .filter((commit) => commit._id !== headId)
      .filter((commit) => commit.committedAt.getTime() < Date.now() - COMMIT_KEEP_MS)
      // A retry of a keyed append finds its commit until the key expires.
      .filter((commit) => (commit.keepUntil ?? 0) * 1000 < Date.now())
      .map((commit) => commit._id);
    if (old.length > 0) {
      await this.#db.run(what, () => commits.deleteMany({ _id: { $in: old } }));
    }
    const stale = await this.#db.run(what, () =>
      batches
        .find(
          { track: trackId, stagedAt: { $lt: new Date(Date.now() - ORPHAN_AGE_MS) } },
          { projection: { _id: 1, append: 1 } },
        )
        .toArray(),
    );
    if (stale.length === 0) return;
    const named = await this.#db.run(what, () =>
      commits
        .find(
          { track: trackId, append: { $in: [...new Set(stale.map((batch) => batch.append))] } },
          { projection: { append: 1 } },
        )
        .toArray(),
    );
    const committed = new Set(named.map((commit) => commit.append));
    const orphans = stale.filter((batch) => !committed.has(batch.append)).map((b) => b._id);
    if (orphans.length > 0) {
      await this.#db.run(what, () => batches.deleteMany({ _id: { $in: orphans } }));
    }
  }
}

function chunkId(trackId: string, chunkNumber: number): string {
  return `${trackId}:${chunkNumber}`;
}

function toChunk(document: ChunkDocument): ChunkEntry {
  return {
    chunkNumber: document.number,
    startIndex: document.startIndex,
    endIndex: document.endIndex,
    count: document.count,
    minTs: document.minTs,
    maxTs: document.maxTs,
    key: document.key,
    byteSize: document.byteSize,
    checksum: document.checksum,
    ...summaryProperty(document.summary),
  };
}

function toPlan(plan: PlanDocument): ArchivalPlan {
  return {
    chunkNumber: plan.chunkNumber,
    startIndex: plan.startIndex,
    endIndex: plan.endIndex,
    key: plan.key,
  };
}
