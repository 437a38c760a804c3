import {
  LocalTracks,
  PointColumns,
  TRACK_FILES,
  formatTrackMetadata,
  isoFromSeconds,
  newTrackMetadata,
  type Clock,
  type DownsampleQuery,
  type DownsampleResult,
  type FileSystem,
  type IndexQuery,
  type LockManager,
  type ReadResult,
  type TimeQuery,
  type TimeReadResult,
  type TimedPoint,
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
    points: readonly TimedPoint[],
    info?: TrackInfo,
  ): Promise<TrackAppendResult> {
    return this.#withTrack("write", session, track, async (tracks) => {
      const store = await tracks.store(track);
      if (info !== undefined && store.totalPoints === 0)
        await this.#createMetadata(session, track, info);
      const result = await store.append(PointColumns.fromPoints(points));
      const total = result.endIndex + 1;
      return {
        ...result,
        trackId: serverTrackId(session.id, track),
        totalDataPoints: total,
        bufferedDataPoints: total,
        chunkSize: LOCAL_CHUNK_SIZE,
      };
    });
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
