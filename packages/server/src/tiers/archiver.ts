import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { CorruptDataError, type Clock } from "dreamlake/engine";
import { describeFailure, type ServerLog } from "../logging/server-log.js";
import { assembleChunk } from "./chunk-codec.js";
import { summarizeChunk } from "./chunk-summary.js";
import { chunkObjectKey } from "./cold-chunks.js";
import type { ObjectStore } from "./cold/object-store.js";
import type { ArchivalPlan, ChunkEntry, HotStore } from "./hot/hot-store.js";
import { readTrackRecords } from "./track-records.js";

/** Points per cold chunk, as documented for the Python SDK's server. */
export const DEFAULT_CHUNK_SIZE = 10_000;

/** Options of an {@link Archiver}. */
export type ArchiverOptions = {
  /** Points per chunk. @defaultValue {@link DEFAULT_CHUNK_SIZE} */
  readonly chunkSize?: number;
  /** Where failures are reported (the archiver retries them itself). */
  readonly log: ServerLog;
  readonly clock: Clock;
  /** First wait after a failure; it doubles up to `maxRetryDelayMs`. @defaultValue 1000 */
  readonly minRetryDelayMs?: number;
  /** @defaultValue 60000 */
  readonly maxRetryDelayMs?: number;
  /** How often the background sweep looks for due tracks. @defaultValue 30000 */
  readonly sweepIntervalMs?: number;
  /**
   * How long a track's archival lease lasts without renewal (it is renewed before every
   * chunk): the time after which another replica takes over from one that died.
   * @defaultValue 30000
   */
  readonly leaseMs?: number;
  /** Who holds the leases this archiver takes. @defaultValue host, pid and a random part */
  readonly holder?: string;
};

/** Default of {@link ArchiverOptions.leaseMs}. */
export const DEFAULT_LEASE_MS = 30_000;

/** What one sweep did. */
export type SweepResult = { readonly chunks: number; readonly failedTracks: number };

/**
 * Moves full chunks of hot points to the cold tier, oldest first, one track at a time.
 *
 * Archiving one chunk is four steps, each of which can be repeated after a crash or a
 * failure: record the plan (which points, which key) in the hot tier; upload the chunk (the
 * store checks the bytes it receives against their digest, see {@link ObjectStore.put}, so an
 * upload that resolved stored exactly these bytes and is not read back); commit its manifest
 * entry; delete its hot points. The hot points go only after the manifest lists a chunk the
 * store holds, so no point is ever lost; the key holds the index range and reads use the manifest, so no point
 * is ever shown twice. A lease per track (`takeArchivalLease`) keeps two replicas from
 * working on one track at once; should two ever do (a lease that expired under a paused
 * process), they upload the same bytes under the same key and commit the same entry: the
 * second commit is a no-op.
 *
 * In the background ({@link start}), appends {@link notify} it of full tracks and a sweep
 * runs every `sweepIntervalMs` (which also finishes what a crashed process left). After a
 * failure (the object store or the database is down) it waits, doubling the wait each time,
 * while the hot tier keeps taking appends; it catches up when the store is back.
 */
export class Archiver {
  readonly #hot: HotStore;
  readonly #cold: ObjectStore;
  readonly #chunkSize: number;
  readonly #log: ServerLog;
  readonly #clock: Clock;
  readonly #minDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #sweepIntervalMs: number;
  readonly #leaseMs: number;
  readonly #holder: string;
  /** Archival running per track: one at a time per track in this process. */
  readonly #running = new Map<string, Promise<number>>();
  /** Background work, awaited by {@link idle} and {@link close}. */
  readonly #background = new Set<Promise<unknown>>();
  #timer: NodeJS.Timeout | undefined;
  #isStarted = false;
  #isClosed = false;
  #delayMs = 0;
  /** Clock time (seconds) before which background work does not retry after a failure. */
  #retryAtSeconds = 0;

  constructor(hot: HotStore, cold: ObjectStore, options: ArchiverOptions) {
    this.#hot = hot;
    this.#cold = cold;
    this.#chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    this.#log = options.log;
    this.#clock = options.clock;
    this.#minDelayMs = options.minRetryDelayMs ?? 1000;
    this.#maxDelayMs = options.maxRetryDelayMs ?? 60_000;
    this.#sweepIntervalMs = options.sweepIntervalMs ?? 30_000;
    this.#leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.#holder =
      options.holder ?? `${hostname()}-${process.pid}-${randomBytes(4).toString("hex")}`;
  }

  /** Whether {@link close} was called. */
  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Points per chunk. */
  get chunkSize(): number {
    return this.#chunkSize;
  }

  /**
   * Archives every full chunk of one track (and finishes an archival a crash interrupted).
   *
   * @returns the chunks archived or finished
   * @throws {UnavailableError} when a store does not answer (nothing is lost; call again)
   */
  archiveTrack(trackId: string): Promise<number> {
    const running = this.#running.get(trackId);
    if (running !== undefined) return running;
    const work = this.#archiveAll(trackId).finally(() => this.#running.delete(trackId));
    this.#running.set(trackId, work);
    return work;
  }

  /**
   * Archives every due track once (tracks with a full chunk, or an archival in progress).
   * Failures are logged and counted, not thrown.
   */
  async sweep(): Promise<SweepResult> {
    let chunks = 0;
    let failedTracks = 0;
    const due = await this.#hot.tracksToArchive(this.#chunkSize, 1000);
    for (const trackId of due) {
      try {
        chunks += await this.archiveTrack(trackId);
      } catch (error: unknown) {
        failedTracks++;
        this.#report(trackId, error);
      }
    }
    return { chunks, failedTracks };
  }

  /** Starts background work: a sweep now (finishing what a crash left), then periodic ones. */
  start(): void {
    if (this.#isStarted || this.#isClosed) return;
    this.#isStarted = true;
    this.#track(this.#backgroundSweep());
  }

  /** Tells the background archiver that a track holds a full chunk. */
  notify(trackId: string): void {
    if (!this.#isStarted || this.#isClosed || this.#running.has(trackId)) return;
    if (this.#clock.nowSeconds() < this.#retryAtSeconds) return;
    this.#track(
      this.archiveTrack(trackId).then(
        () => {
          this.#succeeded();
        },
        (error: unknown) => {
          this.#failed(trackId, error);
        },
      ),
    );
  }

  /** Resolves once no background work is running. */
  async idle(): Promise<void> {
    while (this.#background.size > 0) await Promise.allSettled([...this.#background]);
  }

  /** Stops background work and waits for what is running. Idempotent. */
  async close(): Promise<void> {
    this.#isClosed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.idle();
  }

  /**
   * Archives under the track's lease (renewed before each step), so that one replica works
   * on a track at a time; a track another replica holds is left to it.
   */
  async #archiveAll(trackId: string): Promise<number> {
    let count = 0;
    try {
      for (;;) {
        if (this.#isClosed) return count;
        if (!(await this.#hot.takeArchivalLease(trackId, this.#holder, this.#leaseMs))) {
          return count;
        }
        const step = await this.#archiveNext(trackId);
        if (step === "idle") return count;
        if (step === "chunk") count++;
      }
    } finally {
      await this.#hot.releaseArchivalLease(trackId, this.#holder).catch(() => undefined);
    }
  }

  /**
   * One step forward on one track: archives the next chunk, finishes one a crash left
   * committed (both count as a chunk), drops a stale plan, or finds nothing to do.
   */
  async #archiveNext(trackId: string): Promise<"chunk" | "stale plan" | "idle"> {
    // The plan first: a plan read before the manifest that does not follow it is stale.
    let plan = await this.#hot.archivalPlan(trackId);
    const track = await this.#hot.trackById(trackId);
    if (track === undefined) return "idle";
    const manifest = await this.#hot.manifest(trackId);
    const archivedEnd = (manifest.at(-1)?.endIndex ?? -1) + 1;
    if (archivedEnd > track.hotStartIndex) {
      // Committed, but the crash came before the hot points were deleted.
      await this.#hot.dropArchivedRows(trackId, archivedEnd);
      return "chunk";
    }
    if (
      plan !== undefined &&
      (plan.chunkNumber !== manifest.length || plan.startIndex !== archivedEnd)
    ) {
      // It can never be committed (the manifest moved on): drop it and look again.
      await this.#hot.abandonArchival(trackId, plan);
      return "stale plan";
    }
    if (plan === undefined) {
      if (track.totalPoints - track.hotStartIndex < this.#chunkSize) return "idle";
      const endIndex = track.hotStartIndex + this.#chunkSize - 1;
      plan = await this.#hot.beginArchival(trackId, {
        chunkNumber: manifest.length,
        startIndex: track.hotStartIndex,
        endIndex,
        key: chunkObjectKey(trackId, manifest.length, track.hotStartIndex, endIndex),
      });
    }
    const entry = await this.#upload(trackId, plan);
    await this.#hot.commitChunk(trackId, entry);
    await this.#hot.dropArchivedRows(trackId, plan.endIndex + 1);
    return "chunk";
  }

  /**
   * Uploads the planned chunk. The store checks what it received (a put that resolved holds
   * exactly these bytes), so nothing is read back: a read-back cost as much as the upload
   * again, in the replica and in the store.
   */
  async #upload(trackId: string, plan: ArchivalPlan): Promise<ChunkEntry> {
    const count = plan.endIndex - plan.startIndex + 1;
    const { batches } = await this.#hot.readBatches(trackId, plan.startIndex, plan.endIndex);
    // The batches' records are copied, not encoded again (they are decoded once, for the summary).
    const chunk = assembleChunk(
      batches,
      plan.startIndex,
      plan.endIndex,
      `chunk ${plan.chunkNumber} of track ${trackId}`,
    );
    // The manifest entry's summary is made from the chunk's own bytes, so it describes
    // exactly what a read of the chunk gives (one decode per chunk archived).
    const summary = summarizeChunk(
      readTrackRecords(chunk.bytes, (problem, offset) => {
        return new CorruptDataError(`chunk ${plan.chunkNumber} of track ${trackId}: ${problem}`, {
          details: { key: plan.key, offset },
        });
      }),
    );
    await this.#cold.put(plan.key, chunk.bytes);
    return {
      chunkNumber: plan.chunkNumber,
      startIndex: plan.startIndex,
      endIndex: plan.endIndex,
      count,
      minTs: chunk.minTs,
      maxTs: chunk.maxTs,
      key: plan.key,
      byteSize: chunk.bytes.byteLength,
      checksum: chunk.checksum,
      ...(summary === undefined ? {} : { summary }),
    };
  }

  async #backgroundSweep(): Promise<void> {
    this.#timer = undefined;
    if (this.#isClosed) return;
    try {
      const result = await this.sweep();
      if (result.failedTracks === 0) this.#succeeded();
      else this.#backOff();
    } catch (error: unknown) {
      this.#failed(undefined, error);
    }
    // Closed while the sweep ran (the getter keeps TypeScript from assuming it is still false).
    if (this.isClosed) return;
    const waitMs = this.#delayMs > 0 ? this.#delayMs : this.#sweepIntervalMs;
    this.#timer = setTimeout(() => {
      this.#track(this.#backgroundSweep());
    }, waitMs);
    // A pending sweep never keeps the process alive.
    this.#timer.unref();
  }

  #track(work: Promise<unknown>): void {
    this.#background.add(work);
    void work.finally(() => this.#background.delete(work));
  }

  #succeeded(): void {
    this.#delayMs = 0;
    this.#retryAtSeconds = 0;
  }

  #failed(trackId: string | undefined, error: unknown): void {
    this.#backOff();
    this.#report(trackId, error);
  }

  #backOff(): void {
    this.#delayMs =
      this.#delayMs === 0 ? this.#minDelayMs : Math.min(this.#maxDelayMs, this.#delayMs * 2);
    this.#retryAtSeconds = this.#clock.nowSeconds() + this.#delayMs / 1000;
  }

  #report(trackId: string | undefined, error: unknown): void {
    this.#log.error("archiving to the cold tier failed; the points stay in the hot tier", {
      ...(trackId === undefined ? {} : { trackId }),
      error: describeFailure(error),
    });
  }
}
