import type { ColumnBatch, ScanQuery } from "../core/column-batch.js";
import type { DownsampleQuery, DownsampleResult } from "../core/downsample.js";
import { CorruptDataError } from "../core/errors.js";
import { MAX_READ_LIMIT } from "../core/limits.js";
import type { PointColumns } from "../core/point-columns.js";
import type { IndexQuery, TimeQuery } from "../core/read-options.js";
import type {
  AppendResult,
  ReadResult,
  TimeReadResult,
  TrackStats,
} from "../core/track-results.js";
import { Outbox, type OutboxOptions } from "../remote/outbox.js";
import type { RemoteTracks } from "../remote/remote-tracks.js";
import type { AppendOptions } from "../core/track-results.js";
import type { TrackBackend } from "./track-backend.js";

/** Local indexes `start..end` of one track, written locally and not yet on the server. */
type PendingRange = { start: number; end: number };

/** The outbox settings shared by every track. */
export type OutboxSettings = Omit<OutboxOptions<never>, "send" | "sizeOf" | "name" | "unit">;

/**
 * The tracks of a hybrid session: written to the local engine first (durable even while
 * the server is down), then sent to the server in the background; read locally.
 *
 * The outbox of a track holds only the local index ranges not yet acknowledged, not
 * the points: a send reads them back from the local copy (at most `maxPointsPerRead` at
 * a time), so memory stays bounded however long the server is away. `drain(track)`
 * (called by `track.flush()`) waits until the server has them.
 */
export class HybridTracks implements TrackBackend {
  readonly #local: TrackBackend;
  readonly #remote: RemoteTracks;
  readonly #settings: OutboxSettings;
  readonly #maxPointsPerRead: number;
  readonly #outboxes = new Map<string, Outbox<PendingRange>>();

  /** @param maxPointsPerRead most points read back and sent at once (at most 10000) */
  constructor(
    local: TrackBackend,
    remote: RemoteTracks,
    settings: OutboxSettings,
    maxPointsPerRead: number,
  ) {
    this.#local = local;
    this.#remote = remote;
    this.#settings = settings;
    this.#maxPointsPerRead = Math.min(maxPointsPerRead, MAX_READ_LIMIT);
  }

  /** Writes locally, then queues the written range for the server. */
  async append(
    track: string,
    points: PointColumns,
    options?: AppendOptions,
  ): Promise<AppendResult> {
    const result = await this.#local.append(track, points, options);
    if (result.count > 0) {
      const outbox = this.#outbox(track);
      const last = outbox.last;
      // Consecutive writes of this session extend one range (fewer, larger requests).
      if (last !== undefined && last.end + 1 === result.startIndex) last.end = result.endIndex;
      else outbox.push({ start: result.startIndex, end: result.endIndex });
    }
    return result;
  }

  read(track: string, query: IndexQuery): Promise<ReadResult> {
    return this.#local.read(track, query);
  }

  readByTime(track: string, query: TimeQuery): Promise<TimeReadResult> {
    return this.#local.readByTime(track, query);
  }

  downsample(track: string, query: DownsampleQuery): Promise<DownsampleResult> {
    return this.#local.downsample(track, query);
  }

  scanColumns(track: string, query: ScanQuery): AsyncIterable<ColumnBatch> {
    return this.#local.scanColumns(track, query);
  }

  stats(track: string): Promise<TrackStats> {
    return this.#local.stats(track);
  }

  list(): Promise<string[]> {
    return this.#local.list();
  }

  /**
   * Waits until the server acknowledged every point written to `track` (every track
   * when absent).
   *
   * @throws {UnavailableError} naming the points not sent, when the server stays away
   */
  async drain(track?: string): Promise<void> {
    if (track !== undefined) {
      await this.#outboxes.get(track)?.drain();
      return;
    }
    const results = await Promise.allSettled([...this.#outboxes.values()].map((o) => o.drain()));
    const failed = results.find((result) => result.status === "rejected");
    if (failed !== undefined) throw failed.reason;
  }

  /** Points written locally that the server has not acknowledged. */
  get unsentPoints(): number {
    let total = 0;
    for (const [track, outbox] of this.#outboxes) {
      total += Math.max(0, outbox.pending - this.#remote.acknowledgedPoints(track));
    }
    return total;
  }

  async close(): Promise<void> {
    for (const outbox of this.#outboxes.values()) outbox.close();
    await this.#local.close();
  }

  #outbox(track: string): Outbox<PendingRange> {
    let outbox = this.#outboxes.get(track);
    if (outbox === undefined) {
      outbox = new Outbox<PendingRange>({
        ...this.#settings,
        name: `track ${JSON.stringify(track)}`,
        unit: "points",
        sizeOf: (range) => range.end - range.start + 1,
        send: (range) => this.#send(track, range),
      });
      this.#outboxes.set(track, outbox);
    }
    return outbox;
  }

  /** Reads a range back from the local copy and sends it, page by page. */
  async #send(track: string, range: PendingRange): Promise<void> {
    while (range.start <= range.end) {
      const limit = Math.min(this.#maxPointsPerRead, range.end - range.start + 1);
      const page = await this.#local.read(track, { startIndex: range.start, limit });
      if (page.data.length === 0) {
        throw new CorruptDataError(
          `Track ${JSON.stringify(track)} has no point at local index ${range.start}, written by this session and not yet sent to the server`,
        );
      }
      await this.#remote.appendPoints(
        track,
        page.data.map((row) => row.data),
      );
      range.start += page.data.length;
    }
  }
}
