import {
  isoFromSeconds,
  mergeFlatParams,
  UnavailableError,
  type Clock,
  type FlatParams,
} from "dreamlake/engine";
import type { ParamsDocument, ParamsRepository } from "../params/params-repository.js";
import type { SessionRef } from "../sessions/session-ref.js";
import type { MongoDatabase } from "./mongo-database.js";
import type { ParamsVersionDocument } from "./mongo-documents.js";
import { isDuplicateKey } from "./mongo-errors.js";

/** Attempts of a merge that lost the race to concurrent merges before it gives up. */
const MAX_MERGE_ATTEMPTS = 50;

/** Versions kept behind the newest (older ones are removed now and then). */
const KEPT_VERSIONS = 8;

/**
 * {@link ParamsRepository} on MongoDB (`params`): each merge inserts the next version of the
 * session's params, `_id` = `<session>:<version>`, as JSON text (so the key order is kept). A
 * version can be inserted once, so of concurrent merges of the same version one wins and the
 * others read the new one and merge again: no key is lost, on any replica.
 */
export class MongoParamsRepository implements ParamsRepository {
  readonly #db: MongoDatabase;
  readonly #clock: Clock;

  constructor(db: MongoDatabase, options: { readonly clock: Clock }) {
    this.#db = db;
    this.#clock = options.clock;
  }

  async merge(session: SessionRef, params: FlatParams): Promise<ParamsDocument> {
    const what = `merge the params of session ${session.id}`;
    for (let attempt = 0; attempt < MAX_MERGE_ATTEMPTS; attempt++) {
      const stored = await this.#latest(session);
      const now = isoFromSeconds(this.#clock.nowSeconds());
      const version = (stored?.version ?? 0) + 1;
      const next: ParamsVersionDocument = {
        _id: `${session.id}:${version}`,
        session: session.id,
        version,
        data: JSON.stringify(mergeFlatParams(parse(stored?.data), params)),
        createdAt: stored?.createdAt ?? now,
        updatedAt: now,
      };
      try {
        await this.#db.run(what, () => this.#db.collection("params").insertOne(next));
      } catch (error: unknown) {
        if (!isDuplicateKey(error)) throw error;
        continue;
      }
      if (version % KEPT_VERSIONS === 0) {
        await this.#db.run(what, () =>
          this.#db
            .collection("params")
            .deleteMany({ session: session.id, version: { $lt: version - KEPT_VERSIONS } }),
        );
      }
      return toDocument(next);
    }
    throw new UnavailableError(
      `could not merge the params of session ${session.id}: ${MAX_MERGE_ATTEMPTS} concurrent merges won first`,
    );
  }

  async get(session: SessionRef): Promise<ParamsDocument> {
    const stored = await this.#latest(session);
    return stored === undefined
      ? { data: {}, version: 0, createdAt: null, updatedAt: null }
      : toDocument(stored);
  }

  async #latest(session: SessionRef): Promise<ParamsVersionDocument | undefined> {
    const found = await this.#db.run(`read the params of session ${session.id}`, () =>
      this.#db
        .collection("params")
        .find({ session: session.id })
        .sort({ version: -1 })
        .limit(1)
        .toArray(),
    );
    return found[0];
  }
}

function parse(data: string | undefined): FlatParams {
  return data === undefined ? {} : (JSON.parse(data) as FlatParams);
}

function toDocument(document: ParamsVersionDocument): ParamsDocument {
  return {
    data: parse(document.data),
    version: document.version,
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
  };
}
