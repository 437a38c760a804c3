import { randomBytes } from "node:crypto";
import { ObjectId } from "mongodb";
import { UnavailableError, type TimeQuery, type TimedPoint } from "dreamlake/engine";
import type {
  AppendRequest,
  ArchivalPlan,
  ChunkEntry,
  HotAppendResult,
  HotBatches,
  HotRows,
  HotStore,
  HotTrack,
  HotTrackFields,
  HotTrackKey,
} from "../tiers/hot/hot-store.js";
import { MongoArchival } from "./mongo-archival.js";
import { stageBatches, type StagedAppend } from "./mongo-batches.js";
import { MongoDatabase, type MongoDatabaseOptions } from "./mongo-database.js";
import type { CommitDocument, TrackDocument } from "./mongo-documents.js";
import { isDuplicateKey } from "./mongo-errors.js";
import { raiseHotHint, settleHotHint } from "./mongo-hot-hint.js";
import { readHotBatches, readHotByIndex, readHotByTime } from "./mongo-hot-reads.js";
import { MongoLeases } from "./mongo-leases.js";
import { requestTag } from "./mongo-request-keys.js";
import {
  committedTrack,
  headCommit,
  hotStartOf,
  toHotTrack,
  totalOf,
} from "./mongo-track-state.js";

/** Commit attempts of one append that lost the race to concurrent appends of its track. */
const MAX_COMMIT_ATTEMPTS = 1000;

/**
 * A head read longer ago than this is read again before a commit: the archiver keeps the
 * commits it archived for `COMMIT_KEEP_MS` (mongo-archival.ts), so the commit at the index a
 * head read this recently names still exists, and an insert there is refused. The margin
 * between the two absorbs clock differences between replicas.
 */
const HEAD_FRESH_MS = 60_000;

/** What the store remembers of a track: its document and its head as last seen. */
type KnownTrack = {
  readonly document: TrackDocument;
  head: CommitDocument | null;
  /** When `head` was read (ms on this process's clock). */
  headReadAtMs: number;
};

/**
 * {@link HotStore} on MongoDB. Collections (see `mongo-documents.ts`): `tracks` (one document
 * per track: its fields), `batches` (one document per appended batch of at most 4,096 points:
 * the points as track-format records), `commits` (one document per append: its index range, its
 * batches with their `_ts` bounds, the track's running counters; indexed by start and end),
 * `chunks` (the manifest), `plans`, `leases`, `requests` (idempotency keys).
 *
 * An append writes its batches first, then commits: it inserts its commit with `_id`
 * `<track>:<next index>`, the per-track counter. A unique `_id` can be inserted once, so two
 * appends can never get the same range: the one refused reads the new head and tries the next
 * index. So an append is stored whole or not at all, with no multi-document transaction (and
 * nothing relies on an update being atomic, which FerretDB's are not); a crash leaves at most
 * batches no commit names, never read and removed later.
 */
export class MongoHotStore implements HotStore {
  readonly #db: MongoDatabase;
  readonly #ownsDatabase: boolean;
  readonly #archival: MongoArchival;
  readonly #leases: MongoLeases;
  /** Tracks by session and name (their documents never change but for the `hot` hint). */
  readonly #known = new Map<string, KnownTrack>();
  #closing: Promise<void> | undefined;

  constructor(db: MongoDatabase, options: { readonly ownsDatabase?: boolean } = {}) {
    this.#db = db;
    this.#ownsDatabase = options.ownsDatabase ?? false;
    this.#archival = new MongoArchival(db);
    this.#leases = new MongoLeases(db);
  }

  /**
   * Connects, creates the indexes, and returns a store that closes the database with itself.
   *
   * @throws {InvalidArgumentError} when the database name is not a plain lower-case identifier
   * @throws {UnavailableError} when the database does not answer
   */
  static async open(options: MongoDatabaseOptions): Promise<MongoHotStore> {
    return new MongoHotStore(await MongoDatabase.open(options), { ownsDatabase: true });
  }

  async append(
    key: HotTrackKey,
    points: readonly TimedPoint[],
    options: {
      readonly fields: HotTrackFields;
      readonly nowSeconds: number;
      readonly request?: AppendRequest | undefined;
    },
  ): Promise<HotAppendResult> {
    const known = await this.#trackFor(key, options.fields, options.nowSeconds);
    const trackId = known.document._id;
    const what = `append ${points.length} points to track ${key.name}`;
    const tag =
      options.request === undefined
        ? undefined
        : await requestTag(this.#db, options.request, trackId);
    if (tag !== undefined) {
      const first = await this.#commitOf(tag);
      if (first !== null) return this.#repeat(known, first);
    }
    const appendId = randomBytes(12).toString("hex");
    const staged = stageBatches(trackId, appendId, points, new Date());
    await Promise.all([
      this.#db.run(what, () =>
        this.#db.collection("batches").insertMany([...staged.documents], { ordered: true }),
      ),
      // Before the commit: a process killed right after it must not leave the hint low.
      raiseHotHint(this.#db, trackId, points.length),
    ]);
    let outcome: { readonly commit: CommitDocument; readonly hotStart: number } | CommitDocument;
    try {
      outcome = await this.#commit(known, appendId, staged, {
        count: points.length,
        nowSeconds: options.nowSeconds,
        tag,
        keepUntil: options.request?.expiresAtSeconds,
      });
    } catch (error: unknown) {
      await this.#discard(trackId, appendId);
      throw error;
    }
    if (!("commit" in outcome)) {
      // Another append with the same key committed first: it stored the points.
      await this.#discard(trackId, appendId);
      return this.#repeat(known, outcome);
    }
    const { commit, hotStart } = outcome;
    const total = commit.end + 1;
    await settleHotHint(this.#db, trackId, total - hotStart);
    return {
      track: toHotTrack(known.document, commit, hotStart),
      startIndex: commit.start,
      isRepeat: false,
    };
  }

  async track(key: HotTrackKey): Promise<HotTrack | undefined> {
    const found = await this.#db.run(`look up track ${key.name}`, () =>
      this.#db.collection("tracks").findOne({ session: key.sessionId, name: key.name }),
    );
    return committedTrack(this.#db, found);
  }

  async trackById(trackId: string): Promise<HotTrack | undefined> {
    const found = await this.#db.run(`look up track ${trackId}`, () =>
      this.#db.collection("tracks").findOne({ _id: trackId }),
    );
    return committedTrack(this.#db, found);
  }

  async tracks(sessionId: string): Promise<readonly HotTrack[]> {
    const found = await this.#db.run(`list the tracks of session ${sessionId}`, () =>
      this.#db.collection("tracks").find({ session: sessionId }).toArray(),
    );
    const tracks = await Promise.all(found.map((document) => committedTrack(this.#db, document)));
    // Code-unit order, whatever the server's collation.
    return tracks
      .filter((track): track is HotTrack => track !== undefined)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  readByIndex(trackId: string, startIndex: number, limit: number): Promise<HotRows> {
    return readHotByIndex(this.#db, trackId, startIndex, limit);
  }

  readBatches(trackId: string, startIndex: number, endIndex: number): Promise<HotBatches> {
    return readHotBatches(this.#db, trackId, startIndex, endIndex);
  }

  readByTime(trackId: string, query: TimeQuery): Promise<HotRows> {
    return readHotByTime(this.#db, trackId, query);
  }

  manifest(trackId: string): Promise<readonly ChunkEntry[]> {
    return this.#archival.manifest(trackId);
  }

  tracksToArchive(chunkSize: number, limit: number): Promise<readonly string[]> {
    return this.#archival.tracksToArchive(chunkSize, limit);
  }

  archivalPlan(trackId: string): Promise<ArchivalPlan | undefined> {
    return this.#archival.plan(trackId);
  }

  beginArchival(trackId: string, plan: ArchivalPlan): Promise<ArchivalPlan> {
    return this.#archival.begin(trackId, plan);
  }

  abandonArchival(trackId: string, plan: ArchivalPlan): Promise<void> {
    return this.#archival.abandon(trackId, plan);
  }

  commitChunk(trackId: string, entry: ChunkEntry): Promise<void> {
    return this.#archival.commitChunk(trackId, entry);
  }

  dropArchivedRows(trackId: string, endIndex: number): Promise<void> {
    return this.#archival.dropArchivedRows(trackId, endIndex);
  }

  takeArchivalLease(trackId: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.#leases.take(trackId, holder, ttlMs);
  }

  releaseArchivalLease(trackId: string, holder: string): Promise<void> {
    return this.#leases.release(trackId, holder);
  }

  /** Closes the database when this store opened it (waits for running operations). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#ownsDatabase ? this.#db.close() : Promise.resolve();
    return this.#closing;
  }

  /**
   * The track's document, created (with the fields of this first append) when missing. A
   * document with no commit is not a track yet for reads.
   */
  async #trackFor(
    key: HotTrackKey,
    fields: HotTrackFields,
    nowSeconds: number,
  ): Promise<KnownTrack> {
    const cacheKey = `${key.sessionId}\u0000${key.name}`;
    const cached = this.#known.get(cacheKey);
    if (cached !== undefined) return cached;
    const filter = { session: key.sessionId, name: key.name };
    const what = `create track ${key.name}`;
    const tracks = this.#db.collection("tracks");
    let document = await this.#db.run(what, () => tracks.findOne(filter));
    if (document === null) {
      const created: TrackDocument = {
        _id: new ObjectId().toHexString(),
        ...filter,
        description: fields.description,
        tags: [...fields.tags],
        metadata: fields.metadata === null ? null : JSON.stringify(fields.metadata),
        createdAt: nowSeconds,
        hot: 0,
      };
      try {
        await this.#db.run(what, () => tracks.insertOne(created));
        document = created;
      } catch (error: unknown) {
        // A concurrent append created it first (the unique index on session and name).
        if (!isDuplicateKey(error)) throw error;
        document = await this.#db.run(what, () => tracks.findOne(filter));
      }
    }
    if (document === null) throw new UnavailableError(`could not ${what}: try again`);
    const known: KnownTrack = {
      document,
      head: await headCommit(this.#db, document._id),
      headReadAtMs: Date.now(),
    };
    // Bounded: forgetting every entry costs one query each to learn again.
    if (this.#known.size >= 100_000) this.#known.clear();
    this.#known.set(cacheKey, known);
    return known;
  }

  /**
   * Inserts the append's commit at the next index: the head as last seen tells it; a refused
   * insert means another append took that index, so read the head again and retry. A commit
   * refused for its request tag means an append with the same key is stored (returned).
   */
  async #commit(
    known: KnownTrack,
    appendId: string,
    staged: StagedAppend,
    append: {
      readonly count: number;
      readonly nowSeconds: number;
      readonly tag: string | undefined;
      readonly keepUntil: number | undefined;
    },
  ): Promise<{ readonly commit: CommitDocument; readonly hotStart: number } | CommitDocument> {
    const trackId = known.document._id;
    const commits = this.#db.collection("commits");
    const what = `append ${append.count} points to track ${trackId}`;
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      if (Date.now() - known.headReadAtMs > HEAD_FRESH_MS) await this.#readHead(known);
      const head = known.head;
      const start = totalOf(head);
      const id = `${trackId}:${start}`;
      const commit: CommitDocument = {
        _id: id,
        track: trackId,
        start,
        count: append.count,
        end: start + append.count - 1,
        append: appendId,
        request: append.tag ?? `-#${id}`,
        at: append.nowSeconds,
        lo: staged.minTs,
        hi: staged.maxTs,
        minTs: Math.min(head?.minTs ?? Infinity, staged.minTs),
        maxTs: Math.max(head?.maxTs ?? -Infinity, staged.maxTs),
        batches: [...staged.batches],
        committedAt: new Date(),
        ...(append.keepUntil === undefined ? {} : { keepUntil: append.keepUntil }),
      };
      try {
        await this.#db.run(what, () => commits.insertOne(commit));
      } catch (error: unknown) {
        if (!isDuplicateKey(error)) throw error;
        if (append.tag !== undefined) {
          const first = await this.#commitOf(append.tag);
          if (first !== null) return first;
        }
        await this.#readHead(known);
        // Many appends to one track at once: spread the retries a little.
        if (attempt >= 3) await sleep(Math.random() * Math.min(50, attempt));
        continue;
      }
      known.head = { ...commit, batches: [] };
      return { commit, hotStart: await hotStartOf(this.#db, trackId) };
    }
    throw new UnavailableError(
      `could not ${what}: ${MAX_COMMIT_ATTEMPTS} concurrent appends committed first`,
    );
  }

  async #readHead(known: KnownTrack): Promise<void> {
    known.headReadAtMs = Date.now();
    known.head = await headCommit(this.#db, known.document._id);
  }

  /** The commit that stored an append with this request tag, if any. */
  #commitOf(tag: string): Promise<CommitDocument | null> {
    return this.#db.run("look up a repeated append", () =>
      this.#db.collection("commits").findOne({ request: tag }, { projection: { batches: 0 } }),
    );
  }

  /** The answer to an append whose key was stored already: the first append's start. */
  async #repeat(known: KnownTrack, first: CommitDocument): Promise<HotAppendResult> {
    const track = await committedTrack(this.#db, known.document);
    if (track === undefined) throw new UnavailableError("the repeated append's track is gone");
    return { track, startIndex: first.start, isRepeat: true };
  }

  /** Removes the batches of an append that did not commit (else removed later, by age). */
  async #discard(trackId: string, appendId: string): Promise<void> {
    await this.#db
      .collection("batches")
      .deleteMany({ track: trackId, append: appendId })
      .catch(() => undefined);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
