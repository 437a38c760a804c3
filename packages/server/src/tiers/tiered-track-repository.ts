import {
  CorruptDataError,
  NotFoundError,
  TimeSelection,
  TimeSpanList,
  isoFromSeconds,
  planTimeRead,
  type Clock,
  type DownsampleQuery,
  type DownsampleResult,
  type IndexQuery,
  type ReadResult,
  type TimeQuery,
  type TimeReadResult,
  type Point,
  type IndexedPoint,
  type TrackStats,
} from "dreamlake/engine";
import type { RequestKey } from "../idempotency/request-key.js";
import type { SessionRef } from "../sessions/session-ref.js";
import {
  rowsOfAppend,
  type PointsToAppend,
  type TrackAppendResult,
  type TrackInfo,
  type TrackRepository,
  type TrackSummary,
} from "../tracks/track-repository.js";
import type { Archiver } from "./archiver.js";
import type { ColdChunks } from "./cold-chunks.js";
import type { ChunkEntry, HotStore, HotTrack } from "./hot/hot-store.js";
import { ManifestCache } from "./manifest-cache.js";
import { downsampleTiered } from "./tiered-downsample.js";

/** What a {@link TieredTrackRepository} works with. */
export type TieredTrackRepositoryDeps = {
  readonly hot: HotStore;
  readonly cold: ColdChunks;
  /** Archives full chunks; the repository tells it when an append fills one. */
  readonly archiver: Archiver;
  readonly clock: Clock;
  /** Closed by {@link TieredTrackRepository.close}, after the archiver (the stores, say). */
  readonly onClose?: () => Promise<void>;
};

/**
 * {@link TrackRepository} on two tiers: points land in the hot tier ({@link HotStore}, e.g.
 * PostgreSQL); full chunks of the oldest points move to the cold tier (an object store, e.g.
 * S3) through the {@link Archiver}. Reads cross the tiers invisibly: the answer is the same
 * whichever tier holds each point.
 *
 * A read asks the hot tier first: its rows come with `hotStartIndex`, the first index still
 * hot, as of the same instant. Every point below it is in the manifest (the archiver commits
 * a chunk before it deletes the chunk's hot points), so the read takes those from the cold
 * tier and the others from the hot rows, and never shows a point twice or misses one while
 * the archiver runs. Time reads fetch only the chunks whose `[minTs, maxTs]` overlaps the
 * range and could still change the answer, so a recent window never touches the cold tier.
 */
export class TieredTrackRepository implements TrackRepository {
  readonly #hot: HotStore;
  readonly #cold: ColdChunks;
  readonly #archiver: Archiver;
  readonly #clock: Clock;
  readonly #onClose: (() => Promise<void>) | undefined;
  readonly #manifests: ManifestCache;
  /** Track ids by session and name: an id never changes once assigned. */
  readonly #ids = new Map<string, string>();
  #closing: Promise<void> | undefined;

  constructor(deps: TieredTrackRepositoryDeps) {
    this.#hot = deps.hot;
    this.#cold = deps.cold;
    this.#archiver = deps.archiver;
    this.#clock = deps.clock;
    this.#onClose = deps.onClose;
    this.#manifests = new ManifestCache(deps.hot);
  }

  async append(
    session: SessionRef,
    track: string,
    toAppend: PointsToAppend,
    info?: TrackInfo,
    request?: RequestKey,
  ): Promise<TrackAppendResult> {
    // The hot tier stores a row per point.
    const points = rowsOfAppend(toAppend);
    const { track: stored, startIndex } = await this.#hot.append(
      { sessionId: session.id, name: track },
      points,
      {
        fields: {
          description: info?.description ?? null,
          tags: info?.tags ?? [],
          metadata: info?.metadata ?? null,
        },
        nowSeconds: this.#clock.nowSeconds(),
        request,
      },
    );
    this.#remember(session, track, stored.trackId);
    const buffered = stored.totalPoints - stored.hotStartIndex;
    if (buffered >= this.#archiver.chunkSize) this.#archiver.notify(stored.trackId);
    return {
      count: points.length,
      startIndex,
      endIndex: startIndex + points.length - 1,
      trackId: stored.trackId,
      totalDataPoints: stored.totalPoints,
      bufferedDataPoints: buffered,
      chunkSize: this.#archiver.chunkSize,
    };
  }

  async read(session: SessionRef, track: string, query: IndexQuery): Promise<ReadResult> {
    const { startIndex, limit } = query;
    const trackId = await this.#trackId(session, track);
    const hot =
      trackId === undefined
        ? { rows: [], hotStartIndex: 0, totalPoints: 0 }
        : await this.#hot.readByIndex(trackId, startIndex, limit);
    let rows: readonly IndexedPoint[] = hot.rows;
    if (trackId !== undefined && startIndex < hot.hotStartIndex) {
      const coldEnd = Math.min(hot.hotStartIndex, startIndex + limit);
      const cold = await this.#coldRange(trackId, startIndex, coldEnd, hot.hotStartIndex);
      rows = [...cold, ...hot.rows].slice(0, limit);
    }
    const endIndex = startIndex + rows.length - 1;
    return {
      data: rows,
      startIndex,
      endIndex,
      total: rows.length,
      hasMore: endIndex + 1 < hot.totalPoints,
    };
  }

  async readByTime(session: SessionRef, track: string, query: TimeQuery): Promise<TimeReadResult> {
    const selection = new TimeSelection(query.limit, query.reverse);
    const trackId = await this.#trackId(session, track);
    if (trackId !== undefined) {
      // One more row than the limit, so that `hasMore` is exact.
      const hot = await this.#hot.readByTime(trackId, { ...query, limit: query.limit + 1 });
      for (const row of hot.rows) selection.offer(row.data["_ts"] as number, row.index, row.data);
      if (hot.hotStartIndex > 0)
        await this.#offerCold(trackId, query, hot.hotStartIndex, selection);
    }
    const { points, hasMore } = selection.result();
    return {
      data: points,
      startTime: query.startTime ?? null,
      endTime: query.endTime ?? null,
      total: points.length,
      hasMore,
    };
  }

  /**
   * Adds the archived chunks by the summaries in their manifest entries where a chunk lies
   * in one bucket, fetches only the chunks across a bucket edge (or without a summary), and
   * reads the hot points (see {@link downsampleTiered}): a whole-track chart with buckets
   * wider than chunks fetches nothing from the cold tier.
   */
  downsample(
    session: SessionRef,
    track: string,
    query: DownsampleQuery,
  ): Promise<DownsampleResult> {
    return downsampleTiered(
      {
        track: async () => {
          const stored = await this.#hot.track({ sessionId: session.id, name: track });
          if (stored !== undefined) this.#remember(session, track, stored.trackId);
          return stored;
        },
        manifest: (trackId, hotStartIndex) => this.#manifests.covering(trackId, hotStartIndex),
        chunkPoints: (chunk) => this.#cold.points(chunk),
        read: (startIndex, limit) => this.read(session, track, { startIndex, limit }),
      },
      query,
    );
  }

  async stats(session: SessionRef, track: string): Promise<TrackStats> {
    const stored = await this.#hot.track({ sessionId: session.id, name: track });
    if (stored === undefined) {
      throw new NotFoundError(
        `Track ${JSON.stringify(track)} not found: nothing was written to it`,
      );
    }
    this.#remember(session, track, stored.trackId);
    const manifest = await this.#manifests.covering(stored.trackId, stored.hotStartIndex);
    const totalChunks = manifest.filter((chunk) => chunk.endIndex < stored.hotStartIndex).length;
    return {
      trackId: stored.trackId,
      name: stored.name,
      description: stored.description,
      tags: stored.tags,
      metadata: stored.metadata,
      totalDataPoints: stored.totalPoints,
      bufferedDataPoints: stored.totalPoints - stored.hotStartIndex,
      chunkedDataPoints: stored.hotStartIndex,
      totalChunks,
      chunkSize: this.#archiver.chunkSize,
      firstTs: stored.minTs,
      lastTs: stored.maxTs,
      firstDataAt: stored.minTs === null ? null : isoFromSeconds(stored.minTs),
      lastDataAt: stored.maxTs === null ? null : isoFromSeconds(stored.maxTs),
      createdAt: isoFromSeconds(stored.createdAtSeconds),
      updatedAt: isoFromSeconds(stored.updatedAtSeconds),
    };
  }

  async list(session: SessionRef): Promise<readonly TrackSummary[]> {
    const tracks = await this.#hot.tracks(session.id);
    return tracks
      .filter((stored) => stored.totalPoints > 0)
      .map((stored: HotTrack) => ({
        trackId: stored.trackId,
        name: stored.name,
        description: stored.description,
        tags: stored.tags,
        totalDataPoints: stored.totalPoints,
        createdAt: isoFromSeconds(stored.createdAtSeconds),
      }));
  }

  /** Stops the archiver (waiting for a running upload), then closes the stores. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#archiver.close();
      await this.#onClose?.();
    })();
    return this.#closing;
  }

  /** Points `from..to-1` (all below `hotStartIndex`) from the cold tier. */
  async #coldRange(
    trackId: string,
    from: number,
    to: number,
    hotStartIndex: number,
  ): Promise<IndexedPoint[]> {
    const manifest = await this.#manifests.covering(trackId, hotStartIndex);
    const out: IndexedPoint[] = [];
    for (let c = firstChunkEnding(manifest, from); c < manifest.length; c++) {
      const chunk = manifest[c] as ChunkEntry;
      if (chunk.startIndex >= to) break;
      const points = await this.#cold.points(chunk);
      const first = Math.max(from, chunk.startIndex);
      const last = Math.min(to, chunk.endIndex + 1);
      for (let index = first; index < last; index++) {
        // A copy: the cached point is shared with every other read.
        out.push({ index, data: { ...(points[index - chunk.startIndex] as Point) } });
      }
    }
    if (out.length !== to - from) {
      throw new CorruptDataError(
        `the manifest of track ${trackId} does not cover indexes ${from}..${to - 1} below its hot points`,
      );
    }
    return out;
  }

  /** Offers the archived points of a time read, chunk by chunk, while they can still enter. */
  async #offerCold(
    trackId: string,
    query: TimeQuery,
    hotStartIndex: number,
    selection: TimeSelection,
  ): Promise<void> {
    const start = query.startTime ?? -Infinity;
    const end = query.endTime ?? Infinity;
    const manifest = await this.#manifests.covering(trackId, hotStartIndex);
    const chunks = manifest.filter((chunk) => chunk.startIndex < hotStartIndex);
    // Every archived point has a numeric `_ts` (the intake refuses others).
    const spans = new TimeSpanList(
      chunks.map((chunk) => ({
        minTs: chunk.minTs,
        maxTs: chunk.maxTs,
        count: chunk.endIndex - chunk.startIndex + 1,
        hasUntimed: false,
      })),
    );
    for await (const { span, bestKey } of planTimeRead(spans, query)) {
      if (!selection.canTake(bestKey)) break;
      const chunk = chunks[span] as ChunkEntry;
      const points = await this.#cold.points(chunk);
      // Only the rows that make it into the answer are copied out of the shared cache.
      const source = { pointAt: (i: number): Point => ({ ...(points[i] as Point) }) };
      // A chunk committed but not yet dropped overlaps the hot rows: those come from there.
      const count = Math.min(points.length, hotStartIndex - chunk.startIndex);
      for (let i = 0; i < count; i++) {
        const ts = (points[i] as Point)["_ts"] as number;
        if (ts >= start && ts < end) selection.offerFrom(ts, chunk.startIndex + i, source, i);
      }
    }
  }

  async #trackId(session: SessionRef, track: string): Promise<string | undefined> {
    const known = this.#ids.get(idKey(session, track));
    if (known !== undefined) return known;
    const stored = await this.#hot.track({ sessionId: session.id, name: track });
    if (stored !== undefined) this.#remember(session, track, stored.trackId);
    return stored?.trackId;
  }

  #remember(session: SessionRef, track: string, trackId: string): void {
    const key = idKey(session, track);
    if (this.#ids.has(key)) return;
    // A bound on the memory of the id map: forget the oldest half when it is full.
    if (this.#ids.size >= MAX_REMEMBERED_IDS) {
      let drop = MAX_REMEMBERED_IDS / 2;
      for (const old of this.#ids.keys()) {
        if (drop-- <= 0) break;
        this.#ids.delete(old);
      }
    }
    this.#ids.set(key, trackId);
  }
}

const MAX_REMEMBERED_IDS = 100_000;

function idKey(session: SessionRef, track: string): string {
  return `${session.id}\u0000${track}`;
}

/** Position of the first chunk whose range ends at or after `index` (binary search). */
function firstChunkEnding(manifest: readonly ChunkEntry[], index: number): number {
  let low = 0;
  let high = manifest.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((manifest[mid] as ChunkEntry).endIndex < index) low = mid + 1;
    else high = mid;
  }
  return low;
}
