import {
  ConflictError,
  FailedPreconditionError,
  type TimeQuery,
  type TimedPoint,
  type IndexedPoint,
} from "dreamlake/engine";
import { promiseOf } from "../promise-of.js";
import { recordWriter, writeTrackRecords } from "../track-records.js";
import { decodeHotPoint, HotPointEncoder } from "./hot-point-codec.js";
import type {
  ArchivalPlan,
  ChunkEntry,
  AppendRequest,
  HotAppendResult,
  HotBatches,
  HotRows,
  HotStore,
  HotTrack,
  HotTrackFields,
  HotTrackKey,
} from "./hot-store.js";

type StoredPoint = { readonly ts: number; readonly bytes: Uint8Array };

type MemoryTrack = {
  track: HotTrack;
  /** `hot[i]` is the point with index `track.hotStartIndex + i`. */
  hot: StoredPoint[];
  readonly manifest: ChunkEntry[];
  plan: ArchivalPlan | undefined;
};

/**
 * A {@link HotStore} in memory: for tests and for trying the tiers without a database.
 * Points are kept encoded, as the database keeps them, so reads return fresh objects.
 * Every call runs to completion before the next starts (one event-loop turn), which makes
 * each call atomic.
 */
export class MemoryHotStore implements HotStore {
  readonly #byId = new Map<string, MemoryTrack>();
  readonly #byKey = new Map<string, string>();
  readonly #encoder = new HotPointEncoder();
  /** Recorded request keys: the track and start index of their append, and the expiry. */
  readonly #requests = new Map<
    string,
    { readonly trackId: string; readonly startIndex: number; readonly expiresAtSeconds: number }
  >();
  /** Archival leases: holder and expiry (clock milliseconds) per track. */
  readonly #leases = new Map<string, { readonly holder: string; readonly untilMs: number }>();
  readonly #nowMs: () => number;
  #nextId = 1;

  /** @param options.nowMs the clock of the leases @defaultValue Date.now */
  constructor(options: { readonly nowMs?: () => number } = {}) {
    this.#nowMs = options.nowMs ?? (() => Date.now());
  }

  takeArchivalLease(trackId: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.#run(() => {
      const now = this.#nowMs();
      const lease = this.#leases.get(trackId);
      if (lease !== undefined && lease.holder !== holder && lease.untilMs > now) return false;
      this.#leases.set(trackId, { holder, untilMs: now + ttlMs });
      return true;
    });
  }

  releaseArchivalLease(trackId: string, holder: string): Promise<void> {
    return this.#run(() => {
      if (this.#leases.get(trackId)?.holder === holder) this.#leases.delete(trackId);
    });
  }
  #isClosed = false;

  append(
    key: HotTrackKey,
    points: readonly TimedPoint[],
    options: {
      readonly fields: HotTrackFields;
      readonly nowSeconds: number;
      readonly request?: AppendRequest | undefined;
    },
  ): Promise<HotAppendResult> {
    return this.#run(() => {
      const request = options.request;
      const requestId = request === undefined ? "" : `${request.scope}\u0000${request.key}`;
      const recorded = request === undefined ? undefined : this.#requests.get(requestId);
      if (recorded !== undefined && recorded.expiresAtSeconds >= options.nowSeconds) {
        const track = this.#existing(recorded.trackId).track;
        return { track, startIndex: recorded.startIndex, isRepeat: true };
      }
      const entry = this.#entryByKey(key) ?? this.#create(key, options.fields, options.nowSeconds);
      if (request !== undefined) {
        this.#requests.set(requestId, {
          trackId: entry.track.trackId,
          startIndex: entry.track.totalPoints,
          expiresAtSeconds: request.expiresAtSeconds,
        });
      }
      const startIndex = entry.track.totalPoints;
      let minTs = entry.track.minTs ?? Infinity;
      let maxTs = entry.track.maxTs ?? -Infinity;
      for (const point of points) {
        entry.hot.push({ ts: point._ts, bytes: this.#encoder.encode(point) });
        minTs = Math.min(minTs, point._ts);
        maxTs = Math.max(maxTs, point._ts);
      }
      entry.track = {
        ...entry.track,
        totalPoints: startIndex + points.length,
        updatedAtSeconds: options.nowSeconds,
        minTs: points.length === 0 ? entry.track.minTs : minTs,
        maxTs: points.length === 0 ? entry.track.maxTs : maxTs,
      };
      return { track: entry.track, startIndex, isRepeat: false };
    });
  }

  track(key: HotTrackKey): Promise<HotTrack | undefined> {
    return this.#run(() => this.#entryByKey(key)?.track);
  }

  trackById(trackId: string): Promise<HotTrack | undefined> {
    return this.#run(() => this.#byId.get(trackId)?.track);
  }

  tracks(sessionId: string): Promise<readonly HotTrack[]> {
    return this.#run(() =>
      [...this.#byId.values()]
        .map((entry) => entry.track)
        .filter((track) => track.sessionId === sessionId)
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    );
  }

  readByIndex(trackId: string, startIndex: number, limit: number): Promise<HotRows> {
    return this.#run(() => {
      const entry = this.#byId.get(trackId);
      if (entry === undefined) return { rows: [], hotStartIndex: 0, totalPoints: 0 };
      const first = entry.track.hotStartIndex;
      const from = Math.max(0, startIndex - first);
      const rows = entry.hot
        .slice(from, from + limit)
        .map((stored, i) => this.#row(trackId, first + from + i, stored));
      return { rows, hotStartIndex: first, totalPoints: entry.track.totalPoints };
    });
  }

  /** The points of the range as one batch (this store keeps points, not batches). */
  readBatches(trackId: string, startIndex: number, endIndex: number): Promise<HotBatches> {
    return this.#run(() => {
      const entry = this.#byId.get(trackId);
      if (entry === undefined) return { batches: [], hotStartIndex: 0, totalPoints: 0 };
      const first = entry.track.hotStartIndex;
      const from = Math.max(first, startIndex);
      const to = Math.min(entry.track.totalPoints - 1, endIndex);
      const counters = { hotStartIndex: first, totalPoints: entry.track.totalPoints };
      if (from > to) return { batches: [], ...counters };
      const points = entry.hot
        .slice(from - first, to - first + 1)
        .map((stored, i) => this.#row(trackId, from + i, stored).data);
      const writer = recordWriter();
      const { minTs, maxTs } = writeTrackRecords(writer, points, 0, points.length);
      const batch = { startIndex: from, endIndex: to, minTs, maxTs, records: writer.toBytes() };
      return { batches: [batch], ...counters };
    });
  }

  readByTime(trackId: string, query: TimeQuery): Promise<HotRows> {
    return this.#run(() => {
      const entry = this.#byId.get(trackId);
      if (entry === undefined) return { rows: [], hotStartIndex: 0, totalPoints: 0 };
      const start = query.startTime ?? -Infinity;
      const end = query.endTime ?? Infinity;
      const first = entry.track.hotStartIndex;
      const matches: { index: number; stored: StoredPoint }[] = [];
      entry.hot.forEach((stored, i) => {
        if (stored.ts >= start && stored.ts < end) matches.push({ index: first + i, stored });
      });
      // Array.prototype.sort is stable: equal `_ts` stay in index order both ways.
      matches.sort((a, b) =>
        query.reverse ? b.stored.ts - a.stored.ts : a.stored.ts - b.stored.ts,
      );
      const rows = matches
        .slice(0, query.limit)
        .map((match) => this.#row(trackId, match.index, match.stored));
      return { rows, hotStartIndex: first, totalPoints: entry.track.totalPoints };
    });
  }

  manifest(trackId: string): Promise<readonly ChunkEntry[]> {
    return this.#run(() => [...(this.#byId.get(trackId)?.manifest ?? [])]);
  }

  tracksToArchive(chunkSize: number, limit: number): Promise<readonly string[]> {
    return this.#run(() => {
      const out: string[] = [];
      for (const [trackId, entry] of this.#byId) {
        const isDue =
          entry.track.totalPoints - entry.track.hotStartIndex >= chunkSize ||
          entry.plan !== undefined;
        if (isDue) out.push(trackId);
        if (out.length >= limit) break;
      }
      return out;
    });
  }

  archivalPlan(trackId: string): Promise<ArchivalPlan | undefined> {
    return this.#run(() => this.#byId.get(trackId)?.plan);
  }

  beginArchival(trackId: string, plan: ArchivalPlan): Promise<ArchivalPlan> {
    return this.#run(() => {
      const entry = this.#existing(trackId);
      if (entry.plan !== undefined) return entry.plan;
      const archivedEnd = (entry.manifest.at(-1)?.endIndex ?? -1) + 1;
      const isNext =
        plan.chunkNumber === entry.manifest.length &&
        plan.startIndex === archivedEnd &&
        plan.startIndex === entry.track.hotStartIndex;
      if (!isNext) throw staleArchivalPlan(trackId, plan);
      entry.plan = { ...plan };
      return entry.plan;
    });
  }

  abandonArchival(trackId: string, plan: ArchivalPlan): Promise<void> {
    return this.#run(() => {
      const entry = this.#byId.get(trackId);
      if (entry?.plan !== undefined && samePlan(entry.plan, plan)) entry.plan = undefined;
    });
  }

  commitChunk(trackId: string, chunk: ChunkEntry): Promise<void> {
    return this.#run(() => {
      const entry = this.#existing(trackId);
      const committed = entry.manifest[chunk.chunkNumber];
      if (committed !== undefined) {
        if (!sameChunk(committed, chunk)) {
          throw new ConflictError(
            `chunk ${chunk.chunkNumber} of track ${trackId} is already committed as ${committed.key} (indexes ${committed.startIndex}..${committed.endIndex}), not as ${chunk.key}`,
          );
        }
        return;
      }
      const previousEnd = entry.manifest.at(-1)?.endIndex ?? -1;
      if (chunk.chunkNumber !== entry.manifest.length || chunk.startIndex !== previousEnd + 1) {
        throw new ConflictError(
          `chunk ${chunk.chunkNumber} of track ${trackId} (indexes ${chunk.startIndex}..${chunk.endIndex}) does not continue the manifest, which ends with chunk ${entry.manifest.length - 1} at index ${previousEnd}`,
        );
      }
      entry.manifest.push({ ...chunk });
    });
  }

  dropArchivedRows(trackId: string, endIndex: number): Promise<void> {
    return this.#run(() => {
      const entry = this.#existing(trackId);
      if (!entry.manifest.some((chunk) => chunk.endIndex === endIndex - 1)) {
        throw new ConflictError(
          `no archived chunk of track ${trackId} ends at index ${endIndex - 1}: its hot points stay`,
        );
      }
      const drop = Math.max(0, endIndex - entry.track.hotStartIndex);
      if (drop > 0) {
        entry.hot.splice(0, drop);
        entry.track = { ...entry.track, hotStartIndex: endIndex };
      }
      if (entry.plan !== undefined && entry.plan.endIndex < endIndex) entry.plan = undefined;
    });
  }

  close(): Promise<void> {
    this.#isClosed = true;
    return Promise.resolve();
  }

  #run<T>(step: () => T): Promise<T> {
    return promiseOf(() => {
      if (this.#isClosed) throw new FailedPreconditionError("the memory hot store is closed");
      return step();
    });
  }

  #entryByKey(key: HotTrackKey): MemoryTrack | undefined {
    const trackId = this.#byKey.get(keyText(key));
    return trackId === undefined ? undefined : this.#byId.get(trackId);
  }

  #existing(trackId: string): MemoryTrack {
    const entry = this.#byId.get(trackId);
    if (entry === undefined) throw new ConflictError(`track ${trackId} does not exist`);
    return entry;
  }

  #create(key: HotTrackKey, fields: HotTrackFields, nowSeconds: number): MemoryTrack {
    const trackId = String(this.#nextId++);
    const entry: MemoryTrack = {
      track: {
        trackId,
        sessionId: key.sessionId,
        name: key.name,
        description: fields.description,
        tags: [...fields.tags],
        metadata: fields.metadata === null ? null : structuredClone(fields.metadata),
        createdAtSeconds: nowSeconds,
        updatedAtSeconds: nowSeconds,
        totalPoints: 0,
        hotStartIndex: 0,
        minTs: null,
        maxTs: null,
      },
      hot: [],
      manifest: [],
      plan: undefined,
    };
    this.#byId.set(trackId, entry);
    this.#byKey.set(keyText(key), trackId);
    return entry;
  }

  #row(trackId: string, index: number, stored: StoredPoint): IndexedPoint {
    return { index, data: decodeHotPoint(stored.bytes, `track ${trackId} index ${index}`) };
  }
}

function keyText(key: HotTrackKey): string {
  return `${key.sessionId}\u0000${key.name}`;
}

/** Whether two archival plans are the same. */
export function samePlan(a: ArchivalPlan, b: ArchivalPlan): boolean {
  return (
    a.chunkNumber === b.chunkNumber &&
    a.startIndex === b.startIndex &&
    a.endIndex === b.endIndex &&
    a.key === b.key
  );
}

/** The error of a plan that does not continue the manifest. */
export function staleArchivalPlan(trackId: string, plan: ArchivalPlan): ConflictError {
  return new ConflictError(
    `the archival plan of chunk ${plan.chunkNumber} (from index ${plan.startIndex}) of track ${trackId} does not continue its manifest: another archiver moved on`,
  );
}

/** Whether two manifest entries describe the same chunk. */
export function sameChunk(a: ChunkEntry, b: ChunkEntry): boolean {
  return (
    a.chunkNumber === b.chunkNumber &&
    a.startIndex === b.startIndex &&
    a.endIndex === b.endIndex &&
    a.key === b.key &&
    a.checksum === b.checksum &&
    a.byteSize === b.byteSize
  );
}
