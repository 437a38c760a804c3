/**
 * Archival leases on MongoDB (`leases`, one document per track with its holder and expiry, on
 * the database's clock). Taking a free lease is an insert, so of holders that contest one only
 * one gets it. Renewing and taking over an expired lease are an update and a delete followed by
 * an insert; on FerretDB, whose updates are not atomic, two archivers may then rarely both
 * believe they hold a lease: that costs work, never points (the archival steps are safe
 * without the lease, see `HotStore.takeArchivalLease`).
 *
 * @module
 */
import type { MongoDatabase } from "./mongo-database.js";
import { isDuplicateKey } from "./mongo-errors.js";

/** The archival leases of one database. */
export class MongoLeases {
  readonly #db: MongoDatabase;

  constructor(db: MongoDatabase) {
    this.#db = db;
  }

  /** Takes or renews the lease of `trackId` for `holder` until `ttlMs` from now. */
  async take(trackId: string, holder: string, ttlMs: number): Promise<boolean> {
    const leases = this.#db.collection("leases");
    const what = `take the archival lease of track ${trackId}`;
    // The database's clock, so that replicas whose clocks differ agree on expiry.
    const now = await this.#db.serverTimeMs();
    const expiresAt = new Date(now + ttlMs);
    for (let attempt = 0; attempt < 3; attempt++) {
      const found = await this.#db.run(what, () => leases.findOne({ _id: trackId }));
      if (found === null) {
        try {
          await this.#db.run(what, () => leases.insertOne({ _id: trackId, holder, expiresAt }));
          return true;
        } catch (error: unknown) {
          if (!isDuplicateKey(error)) throw error;
          continue;
        }
      }
      if (found.holder === holder) {
        const renewed = await this.#db.run(what, () =>
          leases.updateOne({ _id: trackId, holder }, { $set: { expiresAt } }),
        );
        if (renewed.matchedCount === 1) return true;
        continue;
      }
      if (found.expiresAt.getTime() >= now) return false;
      // Expired (its holder died): remove it, then take it like a free one.
      await this.#db.run(what, () =>
        leases.deleteOne({ _id: trackId, holder: found.holder, expiresAt: found.expiresAt }),
      );
    }
    return false;
  }

  /** Gives the lease up if `holder` holds it. */
  async release(trackId: string, holder: string): Promise<void> {
    await this.#db.run(`release the archival lease of track ${trackId}`, () =>
      this.#db.collection("leases").deleteOne({ _id: trackId, holder }),
    );
  }
}
