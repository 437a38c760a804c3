import { isoFromSeconds, type Clock } from "../../core/clock.js";
import type { ColumnBatch, ScanQuery } from "../../core/column-batch.js";
import {
  BucketGrid,
  Downsampler,
  EMPTY_DOWNSAMPLE,
  type DownsampleQuery,
  type DownsampleResult,
} from "../../core/downsample.js";
import type { PointColumns } from "../../core/point-columns.js";
import type { IndexQuery, TimeQuery } from "../../core/read-options.js";
import { SerialQueue } from "../../core/serial-queue.js";
import type {
  AppendOptions,
  AppendResult,
  IndexedPoint,
  ReadResult,
  TimeReadResult,
  TrackStats,
} from "../../core/track-results.js";
import type { DecodedRecord } from "../codec/decoded-record.js";
import { MsgpackWriter } from "../codec/msgpack-writer.js";
import { FLAG_SORTED, type IndexEntry } from "../index/index-entry.js";
import type { TrackIndex } from "../index/track-index.js";
import type { Checksum } from "../index/index-entry.js";
import type { FileSystem, LockManager } from "../ports.js";
import { BlockLoader, type ColumnBlocks } from "./block-loader.js";
import { columnBatchOf } from "./column-scan.js";
import { IndexKeeper } from "./index-keeper.js";
import { MetadataPacer } from "./metadata-pacer.js";
import { offerRecord } from "./offer-record.js";
import { RecordLoader } from "./record-loader.js";
import { encodeRecords } from "./record-encoder.js";
import { downsampleRecords, type RecordRef } from "./summary-downsample.js";
import { planTimeRead } from "./time-read-plan.js";
import { TimeSelection } from "./time-selection.js";
import { trackPaths, type TrackPaths } from "./track-files.js";

/** When written bytes are forced to stable storage. */
export type FsyncPolicy =
  /** Never: a process crash loses nothing written, a power loss may lose recent writes. */
  | "never"
  /** After every write: data, then index, then metadata (power-loss safe, slower). */
  | "always";

/** Options of a {@link TrackStore}. */
export type TrackStoreOptions = {
  /** Largest number of points per record; larger writes are cut. */
  readonly maxRecordPoints: number;
  readonly fsync: FsyncPolicy;
  /** How long a write waits for another writer's lock. */
  readonly lockTimeoutMs: number;
  /** Most decoded points kept in the record cache. */
  readonly cachePoints: number;
  /** Most bytes of records (as stored) kept in the record cache. @defaultValue 32 MiB */
  readonly cacheBytes?: number;
  readonly clock: Clock;
};

/** What a {@link TrackStore} needs from the outside. */
export type TrackStoreDeps = {
  readonly fs: FileSystem;
  readonly locks: LockManager;
  /** CRC-32 of record bytes. */
  readonly checksum: Checksum;
};

/**
 * One track on disk: `data.msgpack` (the Python SDK's format, the truth), its sidecar
 * index and `metadata.json`. It orchestrates: the {@link IndexKeeper} keeps the index in
 * step with the data file, the {@link RecordLoader} loads and caches records,
 * {@link planTimeRead} orders the records a time read needs, and the {@link MetadataPacer}
 * paces `metadata.json`.
 *
 * Writes take the track's lock, bring the index up to date with the data file (other
 * writers, the Python SDK, a torn tail), append whole records, then their index entries,
 * then the metadata; a write that fails part-way is taken back. Reads use the index and
 * decode only the records they need. Operations of one store run one at a time.
 */
export class TrackStore {
  readonly name: string;
  readonly #deps: TrackStoreDeps;
  readonly #options: TrackStoreOptions;
  readonly #paths: TrackPaths;
  readonly #keeper: IndexKeeper;
  readonly #loader: RecordLoader;
  readonly #blocks: BlockLoader;
  readonly #metadata: MetadataPacer;
  /** The encoder of this store's writes, made at the first: a store that only reads needs none. */
  #writer: MsgpackWriter | undefined;
  /**
   * A read that looked at the data file while a write of this store was between its data
   * and index steps would index the new record a second time: operations never overlap.
   */
  readonly #turns = new SerialQueue();

  private constructor(
    deps: TrackStoreDeps,
    directory: string,
    name: string,
    options: TrackStoreOptions,
  ) {
    this.name = name;
    this.#deps = deps;
    this.#options = options;
    this.#paths = trackPaths(directory);
    this.#loader = new RecordLoader(
      {
        file: () => this.#keeper.data,
        checksum: deps.checksum,
        path: this.#paths.data,
        isDamaged: (record) => this.#keeper.isDamaged(record),
      },
      options.cachePoints,
      options.cacheBytes,
    );
    this.#blocks = new BlockLoader({
      file: () => this.#keeper.data,
      summaries: () => this.#keeper.summaries,
      checksum: deps.checksum,
      path: this.#paths.data,
      isDamaged: (record) => this.#keeper.isDamaged(record),
    });
    this.#keeper = new IndexKeeper({
      fs: deps.fs,
      checksum: deps.checksum,
      paths: this.#paths,
      onReset: () => {
        this.#loader.clear();
      },
    });
    this.#metadata = new MetadataPacer(deps.fs, this.#paths.metadata, name, options.clock);
  }

  /**
   * Opens the track in `directory`, loading its index (not its data). A missing track
   * is empty and is created by the first write.
   */
  static async open(
    deps: TrackStoreDeps,
    directory: string,
    name: string,
    options: TrackStoreOptions,
  ): Promise<TrackStore> {
    const store = new TrackStore(deps, directory, name, options);
    await store.#keeper.refresh("read");
    return store;
  }

  /** Points in the track, as of the last look at the data file. */
  get totalPoints(): number {
    return this.#keeper.index.totalPoints;
  }

  /**
   * Appends points as new records and returns their indexes. A single point is written as
   * a point record (unless `options.isBatch`), more as columnar records of at most
   * `maxRecordPoints` points each. The points are written as given: merging equal `_ts` is
   * the caller's job.
   *
   * @throws {LockTimeoutError} when another writer holds the track too long
   * @throws {CorruptDataError} when the data file is damaged before its end
   */
  append(points: PointColumns, options: AppendOptions = {}): Promise<AppendResult> {
    return this.#turns.run(() => this.#append(points, options));
  }

  async #append(points: PointColumns, options: AppendOptions): Promise<AppendResult> {
    const keeper = this.#keeper;
    if (points.count === 0) {
      await keeper.refresh("read");
      const total = keeper.index.totalPoints;
      return { count: 0, startIndex: total, endIndex: total - 1 };
    }
    const release = await this.#deps.locks.acquire(this.#paths.lock, this.#options.lockTimeoutMs);
    try {
      await keeper.reopenIfReplaced();
      await keeper.makeWritable();
      await keeper.refresh("write");
      const startIndex = keeper.index.totalPoints;
      const writer = (this.#writer ??= new MsgpackWriter());
      const entries = encodeRecords(writer, points, {
        baseOffset: keeper.validEnd,
        firstIndex: startIndex,
        maxRecordPoints: this.#options.maxRecordPoints,
        isBatch: options.isBatch === true,
        checksum: this.#deps.checksum,
      });
      const isSynced = this.#options.fsync === "always";
      const before = await keeper.checkpoint();
      try {
        await keeper.append(writer.view(), entries, isSynced);
        await this.#metadata.afterWrite(keeper.index.totalPoints, isSynced);
      } catch (error: unknown) {
        // The caller keeps the points and writes them again later: take back what this
        // write left, so that they are not stored twice.
        await keeper.rollBack(before);
        throw error;
      }
      return { count: points.count, startIndex, endIndex: startIndex + points.count - 1 };
    } finally {
      await release();
    }
  }

  /**
   * Reads up to `limit` points from `startIndex`, in index order.
   *
   * @throws {CorruptDataError} when a record fails its checks even after re-indexing
   */
  read(query: IndexQuery): Promise<ReadResult> {
    return this.#turns.run(() => this.#read(query));
  }

  async #read(query: IndexQuery): Promise<ReadResult> {
    await this.#keeper.refresh("read");
    const keeper = this.#keeper;
    const points = await keeper.withIndexRepair(async () => {
      const index = keeper.index;
      if (query.startIndex + query.limit > index.totalPoints) keeper.assertNoUnreadableTail();
      const wanted: { record: number; entry: IndexEntry }[] = [];
      let covered = 0;
      const ahead = this.#loader.isSequential(query.startIndex) ? 1 : 0;
      const first = await index.recordOfPoint(query.startIndex);
      for (let record = first; record !== -1 && record < index.size; record++) {
        if (covered >= query.limit && wanted.length >= ahead + 1) break;
        const entry = await index.entry(record);
        wanted.push({ record, entry });
        covered += entry.firstIndex + entry.count - Math.max(query.startIndex, entry.firstIndex);
      }
      // A scan reads whole records (and the next ahead); a read of a few points, their blocks.
      const isScan = ahead === 1;
      if (isScan) this.#loader.prefetch(wanted);
      const out: IndexedPoint[] = [];
      for (const { record, entry } of wanted) {
        if (out.length >= query.limit) break;
        const from = Math.max(0, query.startIndex - entry.firstIndex);
        const upto = Math.min(entry.count, from + query.limit - out.length);
        const part = isScan
          ? { decoded: await this.#loader.load(record, entry), first: 0 }
          : await this.#partOf(record, entry, from, upto);
        part.decoded.appendIndexed(
          out,
          from - part.first,
          upto - part.first,
          entry.firstIndex + part.first,
        );
      }
      return out;
    });
    const endIndex = query.startIndex + points.length - 1;
    this.#loader.noteReadEnd(endIndex + 1);
    return {
      data: points,
      startIndex: query.startIndex,
      endIndex,
      total: points.length,
      hasMore: endIndex + 1 < this.#keeper.index.totalPoints,
    };
  }

  /**
   * Reads up to `limit` points with `startTime <= _ts < endTime`, ordered by `_ts`
   * (newest first with `reverse`; equal `_ts` in index order). Only records whose
   * `[min, max]` overlaps the range are decoded, and a time-ordered track stops as soon
   * as no later record can change the answer.
   */
  readByTime(query: TimeQuery): Promise<TimeReadResult> {
    return this.#turns.run(() => this.#readByTime(query));
  }

  async #readByTime(query: TimeQuery): Promise<TimeReadResult> {
    await this.#keeper.refresh("read");
    const keeper = this.#keeper;
    const selection = await keeper.withIndexRepair(async () => {
      keeper.assertNoUnreadableTail();
      const index = keeper.index;
      const selected = new TimeSelection(query.limit, query.reverse);
      for await (const { span, bestKey } of planTimeRead(index, query)) {
        if (!selected.canTake(bestKey)) break;
        const entry = await index.entry(span);
        const table = await this.#blocksToRead(span, entry, query);
        if (table === undefined) {
          offerRecord(selected, await this.#loader.load(span, entry), entry, query);
        } else {
          await this.#offerBlocks(selected, span, entry, table, query);
        }
      }
      return selected;
    });
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
   * Points `from..upto` of a record (exclusive end): the whole record when it is cached,
   * small, the last, or most of it is wanted; else only the blocks that hold them.
   *
   * @returns the record or blocks decoded, and the record's point where they start
   */
  async #partOf(
    record: number,
    entry: IndexEntry,
    from: number,
    upto: number,
  ): Promise<{ readonly decoded: DecodedRecord; readonly first: number }> {
    const table =
      (upto - from) * 2 < entry.count && this.#isWorthBlocks(record)
        ? await this.#blocks.table(entry)
        : undefined;
    if (table === undefined) return { decoded: await this.#loader.load(record, entry), first: 0 };
    const firstBlock = Math.floor(from / table.blockPoints);
    const lastBlock = Math.floor((upto - 1) / table.blockPoints);
    return {
      decoded: await this.#blocks.load(record, entry, table, firstBlock, lastBlock),
      first: firstBlock * table.blockPoints,
    };
  }

  /**
   * The block table through which a time read reads a record a block at a time, or
   * `undefined` to read it whole: when it is cached, small or the last, when the read may
   * want most of it, or when its points are not in `_ts` order (blocks are then of no help).
   */
  async #blocksToRead(
    record: number,
    entry: IndexEntry,
    query: TimeQuery,
  ): Promise<ColumnBlocks | undefined> {
    if ((entry.flags & FLAG_SORTED) === 0 || query.limit * 2 >= entry.count) return undefined;
    if (!this.#isWorthBlocks(record)) return undefined;
    return this.#blocks.table(entry);
  }

  /**
   * Whether reading some blocks of a record beats reading it whole: not when it is cached,
   * nor when it is the track's last (live charts and `tail` read the newest points again
   * and again: it is read whole once and kept).
   */
  #isWorthBlocks(record: number): boolean {
    return record < this.#keeper.index.size - 1 && !this.#loader.has(record);
  }

  /**
   * Offers a sorted record's points to a time read block by block, from the first block
   * that may hold a point of the range, until no further block can enter.
   */
  async #offerBlocks(
    selected: TimeSelection,
    record: number,
    entry: IndexEntry,
    table: ColumnBlocks,
    query: TimeQuery,
  ): Promise<void> {
    const start = query.startTime ?? -Infinity;
    const blocks = table.blockCount;
    const offer = async (b: number): Promise<void> => {
      const decoded = await this.#blocks.load(record, entry, table, b, b);
      const firstIndex = entry.firstIndex + b * table.blockPoints;
      offerRecord(selected, decoded, { ...entry, firstIndex, count: decoded.count }, query);
    };
    if (query.reverse) {
      let b = blocks - 1;
      if (query.endTime !== undefined) {
        while (b >= 0 && !(table.minTs(b) < query.endTime)) b--;
      }
      for (; b >= 0; b--) {
        const best = table.maxTs(b);
        if (best < start || !selected.canTake(best)) return;
        await offer(b);
      }
      return;
    }
    let b = 0;
    while (b < blocks && table.maxTs(b) < start) b++;
    for (; b < blocks; b++) {
      const best = table.minTs(b);
      if (query.endTime !== undefined && !(best < query.endTime)) return;
      if (!selected.canTake(best)) return;
      await offer(b);
    }
  }

  /**
   * Statistics of the numeric fields per time bucket (see `Track.downsample`). Exact: every
   * point in the range counts.
   *
   * @throws {CorruptDataError} when a record fails its checks even after re-indexing
   */
  downsample(query: DownsampleQuery): Promise<DownsampleResult> {
    return this.#turns.run(() => this.#downsample(query));
  }

  async #downsample(query: DownsampleQuery): Promise<DownsampleResult> {
    await this.#keeper.refresh("read");
    const keeper = this.#keeper;
    return keeper.withIndexRepair(async () => {
      keeper.assertNoUnreadableTail();
      const range = await this.#timeRange(query);
      if (range === undefined) return EMPTY_DOWNSAMPLE;
      const grid = new BucketGrid(
        range.start,
        range.end,
        query.buckets,
        query.endTime === undefined,
      );
      const sampler = new Downsampler(grid, query.fields);
      const index = this.#keeper.index;
      await downsampleRecords(sampler, recordsOverlapping(index, range.start, range.end), {
        summaries: keeper.summaries,
        loader: this.#loader,
        data: keeper.data,
        checksum: this.#deps.checksum,
        path: this.#paths.data,
      });
      return sampler.result();
    });
  }

  /**
   * The range a downsample cuts: the given bounds, or the track's smallest and largest
   * finite `_ts`; `undefined` when it holds no point.
   */
  async #timeRange(
    query: DownsampleQuery,
  ): Promise<{ readonly start: number; readonly end: number } | undefined> {
    const index = this.#keeper.index;
    let low = index.minTs;
    let high = index.maxTs;
    if (
      (query.startTime === undefined && !Number.isFinite(low)) ||
      (query.endTime === undefined && !Number.isFinite(high))
    ) {
      // NaN: no timed point; ±Infinity: a `_ts` another tool wrote (dreamlake refuses them).
      ({ low, high } = await this.#finiteTimeRange());
    }
    const start = query.startTime ?? low;
    const end = query.endTime ?? high;
    if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) return undefined;
    return { start, end };
  }

  /** The smallest and largest finite `_ts`, looking at every point (NaN when there is none). */
  async #finiteTimeRange(): Promise<{ low: number; high: number }> {
    const index = this.#keeper.index;
    let low = NaN;
    let high = NaN;
    for (let record = 0; record < index.size; record++) {
      const decoded = await this.#loader.load(record, await index.entry(record), "fresh");
      for (let i = 0; i < decoded.count; i++) {
        const ts = decoded.timestampAt(i);
        if (ts === undefined || !Number.isFinite(ts)) continue;
        if (!(ts >= low)) low = ts;
        if (!(ts <= high)) high = ts;
      }
    }
    return { low, high };
  }

  /**
   * Every point (or those with `startTime <= _ts < endTime`), in index order, one record
   * at a time as columns: memory stays bounded by one record whatever the track's length.
   * The points are those the track held when the scan started; each record is read in its
   * own turn, so a long scan does not hold writes back.
   *
   * @throws {CorruptDataError} when a record fails its checks even after re-indexing
   */
  async *scanColumns(query: ScanQuery): AsyncGenerator<ColumnBatch> {
    const keeper = this.#keeper;
    const size = await this.#turns.run(async () => {
      await keeper.refresh("read");
      keeper.assertNoUnreadableTail();
      return keeper.index.size;
    });
    const { startTime, endTime } = query;
    // The first record that may hold points of the range; from there, records in index order.
    let record = await this.#turns.run(() =>
      keeper.withIndexRepair(async () =>
        keeper.index.isTimeOrdered && startTime !== undefined
          ? keeper.index.firstEndingAtOrAfter(startTime)
          : 0,
      ),
    );
    for (; record < size; record++) {
      const batch = await this.#turns.run(() =>
        keeper.withIndexRepair(async () => {
          const index = keeper.index;
          const entry = await index.entry(record);
          if (index.isTimeOrdered && endTime !== undefined && entry.minTs >= endTime) {
            return "past";
          }
          // A missing bound is open, so +Infinity and -Infinity count. NaN (no timed point)
          // fails every comparison: such a record has no point in a range.
          if (
            (startTime !== undefined && !(entry.maxTs >= startTime)) ||
            (endTime !== undefined && !(entry.minTs < endTime))
          ) {
            return undefined;
          }
          return columnBatchOf(
            await this.#loader.load(record, entry, "fresh"),
            entry.firstIndex,
            query,
          );
        }),
      );
      if (batch === "past") return;
      if (batch !== undefined) yield batch;
    }
  }

  /** Counts, time range and the Python metadata fields of the track. */
  stats(): Promise<TrackStats> {
    return this.#turns.run(() => this.#stats());
  }

  async #stats(): Promise<TrackStats> {
    await this.#keeper.refresh("read");
    this.#keeper.assertNoUnreadableTail();
    const metadata = await this.#metadata.current();
    const index = this.#keeper.index;
    const firstTs = Number.isNaN(index.minTs) ? null : index.minTs;
    const lastTs = Number.isNaN(index.maxTs) ? null : index.maxTs;
    // ±Infinity (a `_ts` another tool wrote) has no date.
    const dateOf = (ts: number | null): string | null =>
      ts === null || !Number.isFinite(ts) ? null : isoFromSeconds(ts);
    return {
      trackId: metadata?.trackId ?? `local-track-${this.name}`,
      name: this.name,
      description: metadata?.description ?? null,
      tags: metadata?.tags ?? [],
      metadata: metadata?.metadata ?? null,
      totalDataPoints: index.totalPoints,
      bufferedDataPoints: index.totalPoints,
      chunkedDataPoints: 0,
      totalChunks: 0,
      chunkSize: 10_000,
      firstTs,
      lastTs,
      firstDataAt: dateOf(firstTs),
      lastDataAt: dateOf(lastTs),
      createdAt: metadata?.createdAt ?? null,
      updatedAt: metadata?.updatedAt ?? metadata?.createdAt ?? null,
    };
  }

  /** Writes a lagging `metadata.json`, then releases file handles. Idempotent. */
  close(): Promise<void> {
    return this.#turns.run(async () => {
      if (this.#metadata.isStale) await this.#writeLatestMetadata();
      await this.#keeper.close();
    });
  }

  /** Brings a lagging `metadata.json` up to date, under the lock (another writer may have added points). */
  async #writeLatestMetadata(): Promise<void> {
    const release = await this.#deps.locks.acquire(this.#paths.lock, this.#options.lockTimeoutMs);
    try {
      await this.#keeper.reopenIfReplaced();
      await this.#keeper.makeWritable();
      await this.#keeper.refresh("write");
      await this.#metadata.write(this.#keeper.index.totalPoints, false);
    } finally {
      await release();
    }
  }
}

/**
 * The records that may hold points with `start <= _ts <= end`, in index order, a page of
 * the index at a time: from the first found by binary search on a time-ordered track,
 * with a look at every entry otherwise.
 */
async function* recordsOverlapping(
  index: TrackIndex,
  start: number,
  end: number,
): AsyncGenerator<readonly RecordRef[]> {
  let record = index.isTimeOrdered ? await index.firstEndingAtOrAfter(start) : 0;
  while (record < index.size) {
    const refs: RecordRef[] = [];
    for (const entry of await index.entriesFrom(record)) {
      if (index.isTimeOrdered && entry.minTs > end) {
        if (refs.length > 0) yield refs;
        return;
      }
      // NaN (a record without a timed point) fails both comparisons.
      if (entry.count > 0 && entry.minTs <= end && entry.maxTs >= start) {
        refs.push({ record, entry });
      }
      record++;
    }
    if (refs.length > 0) yield refs;
  }
}
