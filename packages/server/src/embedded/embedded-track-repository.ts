import {
  LocalTracks,
  TRACK_FILES,
  formatTrackMetadata,
  isoFromSeconds,
  localTrackId,
  newTrackMetadata,
  type Clock,
  type FileSystem,
  type IndexQuery,
  type LockManager,
  type ReadResult,
  type TimeQuery,
  type TimeReadResult,
  type TrackPoint,
  type TrackStats,
  type FsyncPolicy,
} from "dreamlake/engine";
import type { SessionRef } from "../sessions/session-ref.js";
import type {
  TrackAppendResult,
  TrackInfo,
  TrackRepository,
  TrackSummary,
} from "../tracks/track-repository.js";
import { KeyedMutex } from "./keyed-mutex.js";
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
};

/**
 * {@link TrackRepository} on the SDK's local engine: each session's tracks live in
 * `<dataDir>/<namespace>/<workspace>/<name>/tracks/<track>/`, byte-compatible with the
 * Python SDK, and reads use the engine's sidecar index.
 *
 * Operations on one track run one at a time (a queue per track): the engine's
 * `TrackStore` brings its in-memory index up to date at the start of every call and
 * does not expect a read to run while an append of the same instance is writing.
 */
export class EmbeddedTrackRepository implements TrackRepository {
  readonly #options: EmbeddedTrackRepositoryOptions;
  readonly #sessions: SessionTracksCache;
  readonly #trackQueue = new KeyedMutex();

  constructor(options: EmbeddedTrackRepositoryOptions) {
    this.#options = options;
    this.#sessions = new SessionTracksCache(options.openSessions);
  }

  async append(
    session: SessionRef,
    track: string,
    points: readonly TrackPoint[],
    info?: TrackInfo,
  ): Promise<TrackAppendResult> {
    return this.#withTrack(session, track, async (tracks) => {
      const store = await tracks.store(track);
      if (info !== undefined && store.totalPoints === 0)
        await this.#createMetadata(session, track, info);
      const result = await store.append(points);
      const total = result.endIndex + 1;
      return {
        ...result,
        trackId: localTrackId(track),
        totalDataPoints: total,
        bufferedDataPoints: total,
        chunkSize: LOCAL_CHUNK_SIZE,
      };
    });
  }

  read(session: SessionRef, track: string, query: IndexQuery): Promise<ReadResult> {
    return this.#withTrack(session, track, (tracks) => tracks.read(track, query));
  }

  readByTime(session: SessionRef, track: string, query: TimeQuery): Promise<TimeReadResult> {
    return this.#withTrack(session, track, (tracks) => tracks.readByTime(track, query));
  }

  stats(session: SessionRef, track: string): Promise<TrackStats> {
    return this.#withTrack(session, track, (tracks) => tracks.stats(track));
  }

  async list(session: SessionRef): Promise<readonly TrackSummary[]> {
    const names = await this.#sessions.with(
      session.id,
      () => this.#openTracks(session),
      (tracks) => tracks.list(),
    );
    const summaries: TrackSummary[] = [];
    for (const name of names) {
      const stats = await this.#withTrack(session, name, (tracks) => tracks.stats(name));
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
    await this.#sessions.close();
  }

  #withTrack<T>(
    session: SessionRef,
    track: string,
    use: (tracks: LocalTracks) => Promise<T>,
  ): Promise<T> {
    return this.#trackQueue.run(`${session.id}\u0000${track}`, () =>
      this.#sessions.with(session.id, () => this.#openTracks(session), use),
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
