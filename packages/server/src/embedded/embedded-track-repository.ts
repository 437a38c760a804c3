import {
  LocalTracks,
  TRACK_FILES,
  formatTrackMetadata,
  isoFromSeconds,
  newTrackMetadata,
  type AppendResult,
  type Clock,
  type DownsampleQuery,
  type DownsampleResult,
  type FileSystem,
  type IndexQuery,
  type LockManager,
  type ReadResult,
  type TimeQuery,
  type TimeReadResult,
  type TrackStats,
  type FsyncPolicy,
} from "dreamlake/engine";
import type { SessionRef } from "../sessions/session-ref.js";
import {
  columnsOfAppend,
  type PointsToAppend,
  type TrackAppendResult,
  type TrackInfo,
  type TrackRepository,
  type TrackSummary,
} from "../tracks/track-repository.js";
import type { AppendJournal } from "../idempotency/append-journal.js";
import type { RequestKey } from "../idempotency/request-key.js";
import { isLogIntent } from "./embedded-log-repository.js";
import { KeyedMutex } from "./keyed-mutex.js";
import { serverTrackId } from "./server-track-id.js";
import { sessionDirectory } from "./session-directory.js";
import { SessionTracksCache } from "./session-tracks-cache.js";

/** The Python wire's chunk size when there is no cold tier. */
const LOCAL_CHUNK_SIZE = 10_000;

/** What an {@link EmbeddedTrackRepository} needs. */
export type EmbeddedTrackRepositoryOptions = {
  /** The server's data folder. */
  readonly dataDir: string;
  readonly fs: FileSystem;
  readonly locks: LockManager;
  /** CRC-32 of record bytes (the engine's `nodeCrc32`). */
  readonly checksum: (bytes: Uint8Array) => number;
  readonly clock: Clock;
  readonly fsync: FsyncPolicy;
  /** Largest number of points per stored record. */
  readonly maxRecordPoints: number;
  /** How long a write waits for another writer's track lock. */
  readonly lockTimeoutMs: number;
  /** Decoded points kept in memory per open track. */
  readonly cachePointsPerTrack: number;
  /** Sessions whose tracks stay open (file handles) between requests. */
  readonly openSessions: number;
  /**
   * Where appends with a request key record their intent and result, so that a retry
   * stores nothing twice, even after a crash. Absent: request keys are ignored.
   */
  readonly journal?: AppendJournal;
};

/**
 * {@link TrackRepository} on the SDK's local engine: each session's tracks live in
 * `<dataDir>/<namespace>/<workspace>/<name>/tracks/<track>/`, byte-compatible with the
 * Python SDK, and reads use the engine's sidecar index.
 *
 * Each track is opened twice: one `TrackStore` for appends and one for reads, each with
 * its own queue. The engine's `TrackStore` brings its in-memory index up to date at the
 * start of every call and does not expect a read to run while an append of the same
 * instance is writing; two instances on the same files are what two processes do (the
 * reader sees a record once it is whole, and catches up from the index file). So reads
 * by index and by time never wait for appends, and each instance runs one operation at a
 * time. `stats` and `list` use the appending instance, which keeps `metadata.json`'s
 * fields current.
 */
export class EmbeddedTrackRepository implements TrackRepository {
  readonly #options: EmbeddedTrackRepositoryOptions;
  /** The instances that append. */
  readonly #writers: SessionTracksCache;
  /** The instances that read. */
  readonly #readers: SessionTracksCache;
  readonly #trackQueue = new KeyedMutex();

  constructor(options: EmbeddedTrackRepositoryOptions) {
    this.#options = options;
    this.#writers = new SessionTracksCache(options.openSessions);
    this.#readers = new SessionTracksCache(options.openSessions);
  }

  async append(
    session: SessionRef,
    track: string,
    points: PointsToAppend,
    info?: TrackInfo,
    request?: RequestKey,
  ): Promise<TrackAppendResult> {
    const columns = columnsOfAppend(points);
    const journal = request === undefined ? undefined : this.#options.journal;
    return this.#withTrack("write", session, track, async (tracks) => {
      const store = await tracks.store(track);
      if (request !== undefined && journal !== undefined) {
        const recorded = journal.recorded(request.scope, request.key, request.nowSeconds);
        if (recorded !== undefined) return answer(session, track, recorded, store.totalPoints);
      }
      if (info !== undefined && store.totalPoints === 0)
        await this.#createMetadata(session, track, info);
      if (request !== undefined && journal !== undefined) {
        // Appends of this track run one at a time here: the range is the one it will take.
        await journal.intend(request.scope, request.key, {
          target: { ...session, track },
          startIndex: store.totalPoints,
          count: columns.count,
          expiresAtSeconds: request.expiresAtSeconds,
        });
      }
      let result: AppendResult;
      try {
        result = await store.append(columns);
      } catch (error: unknown) {
        // The engine took back what the failed write left: nothing is stored.
        if (request !== undefined) await journal?.abandon(request.scope, request.key);
        throw error;
      }
      if (request !== undefined) {
        await journal?.confirm(request.scope, request.key, result, request.expiresAtSeconds);
      }
      return answer(session, track, result, result.endIndex + 1);
    });
  }

  /**
   * Settles the intents a crash left unconfirmed in the journal: an append whose whole range
   * is in its track landed (an append is one write), and is confirmed; any other is
   * abandoned. Call before serving (nothing else may append meanwhile).
   */
  async recover(): Promise<{ readonly confirmed: number; readonly abandoned: number }> {
    const journal = this.#options.journal;
    let confirmed = 0;
    let abandoned = 0;
    for (const intent of journal?.unconfirmed() ?? []) {
      // The log repository settles its own.
      if (isLogIntent(intent)) continue;
      const { id, namespace, workspace, name, track } = intent.target;
      if (
        typeof id !== "string" ||
        typeof namespace !== "string" ||
        typeof workspace !== "string" ||
        typeof name !== "string" ||
        typeof track !== "string"
      ) {
        await journal?.abandon(intent.scope, intent.key);
        abandoned++;
        continue;
      }
      const session = { id, namespace, workspace, name };
      const total = await this.#withTrack("write", session, track, async (tracks) => {
        return (await tracks.store(track)).totalPoints;
      });
      if (total >= intent.startIndex + intent.count) {
        await journal?.confirm(intent.scope, intent.key, intent, intent.expiresAtSeconds);
        confirmed++;
      } else {
        await journal?.abandon(intent.scope, intent.key);
        abandoned++;
      }
    }
    return { confirmed, abandoned };
  }

  read(session: SessionRef, track: string, query: IndexQuery): Promise<ReadResult> {
    return this.#withTrack("read", session, track, (tracks) => tracks.read(track, query));
  }

  readByTime(session: SessionRef, track: string, query: TimeQuery): Promise<TimeReadResult> {
    return this.#withTrack("read", session, track, (tracks) => tracks.readByTime(track, query));
  }

  downsample(
    session: SessionRef,
    track: string,
    query: DownsampleQuery,
  ): Promise<DownsampleResult> {
    return this.#withTrack("read", session, track, (tracks) => tracks.downsample(track, query));
  }

  stats(session: SessionRef, track: string): Promise<TrackStats> {
    // The writer's instance: it keeps metadata.json's fields current (a reader keeps the first it read).
    return this.#withTrack("write", session, track, async (tracks) => ({
      ...(await tracks.stats(track)),
      trackId: serverTrackId(session.id, track),
    }));
  }

  async list(session: SessionRef): Promise<readonly TrackSummary[]> {
    const names = await this.#writers.with(
      session.id,
      () => this.#openTracks(session),
      (tracks) => tracks.list(),
    );
    const summaries: TrackSummary[] = [];
    for (const name of names) {
      const stats = await this.stats(session, name);
      if (stats.totalDataPoints === 0) continue;
      summaries.push({
        trackId: stats.trackId,
        name: stats.name,
        description: stats.description,
        tags: stats.tags,
        totalDataPoints: stats.totalDataPoints,
        createdAt: stats.createdAt,
      });
    }
    return summaries;
  }

  async close(): Promise<void> {
    await this.#writers.close();
    await this.#readers.close();
  }

  #withTrack<T>(
    role: "read" | "write",
    session: SessionRef,
    track: string,
    use: (tracks: LocalTracks) => Promise<T>,
  ): Promise<T> {
    const instances = role === "write" ? this.#writers : this.#readers;
    return this.#trackQueue.run(`${role}\u0000${session.id}\u0000${track}`, () =>
      instances.with(session.id, () => this.#openTracks(session), use),
    );
  }

  #openTracks(session: SessionRef): LocalTracks {
    const options = this.#options;
    return new LocalTracks(
      { fs: options.fs, locks: options.locks, checksum: options.checksum },
      sessionDirectory(options.dataDir, session),
      {
        maxRecordPoints: options.maxRecordPoints,
        fsync: options.fsync,
        lockTimeoutMs: options.lockTimeoutMs,
        cachePoints: options.cachePointsPerTrack,
        clock: options.clock,
      },
    );
  }

  /**
   * Writes the `metadata.json` of a track about to be created, with the fields the client
   * gave; the engine keeps them on every later write (as the Python SDK does).
   */
  async #createMetadata(session: SessionRef, track: string, info: TrackInfo): Promise<void> {
    const path = `${sessionDirectory(this.#options.dataDir, session)}/tracks/${track}/${TRACK_FILES.metadata}`;
    if (await this.#options.fs.exists(path)) return;
    const fresh = newTrackMetadata(track, isoFromSeconds(this.#options.clock.nowSeconds()));
    await this.#options.fs.writeTextAtomic(
      path,
      formatTrackMetadata({
        ...fresh,
        description: info.description ?? null,
        tags: info.tags ?? [],
        metadata: info.metadata ?? null,
      }),
    );
  }
}

/** The answer to an append: its range, and the track's total now. */
function answer(
  session: SessionRef,
  track: string,
  stored: { readonly startIndex: number; readonly count: number },
  total: number,
): TrackAppendResult {
  return {
    count: stored.count,
    startIndex: stored.startIndex,
    endIndex: stored.startIndex + stored.count - 1,
    trackId: serverTrackId(session.id, track),
    totalDataPoints: total,
    bufferedDataPoints: total,
    chunkSize: LOCAL_CHUNK_SIZE,
  };
}
