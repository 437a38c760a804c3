import {
  parseScanQuery,
  type ColumnBatch,
  type ColumnsInput,
  type ScanColumnsOptions,
} from "../core/column-batch.js";
import { describeValue } from "../core/describe-value.js";
import {
  parseDownsampleQuery,
  type DownsampleOptions,
  type DownsampleResult,
} from "../core/downsample.js";
import { InvalidArgumentError, LimitExceededError } from "../core/errors.js";
import { MAX_BATCH_POINTS } from "../core/limits.js";
import { mergeByTimestamp } from "../core/merge-by-timestamp.js";
import { SerialQueue } from "../core/serial-queue.js";
import { PointColumns } from "../core/point-columns.js";
import { assertPointObject, type PointInput } from "../core/point.js";
import {
  parseIndexQuery,
  parseTimeQuery,
  type IndexReadOptions,
  type TimeReadOptions,
} from "../core/read-options.js";
import { assertTimestampInput, type TimestampResolver } from "../core/timestamp-resolver.js";
import type {
  AppendResult,
  ReadResult,
  TimeReadResult,
  TrackStats,
} from "../core/track-results.js";
import type { TrackBackend } from "./track-backend.js";

/** What a {@link Track} shares with its session. */
export type TrackContext = {
  readonly backend: TrackBackend;
  readonly timestamps: TimestampResolver;
  /** Points that trigger an automatic flush of one track. */
  readonly flushEveryPoints: number;
  /** Most points one track may hold unwritten before `append` refuses more. */
  readonly maxBufferedPoints: number;
  /** Throws when the session is closed. */
  readonly assertOpen: () => void;
  /** Keeps background work so that `close()` can wait for it. */
  readonly track: (work: Promise<unknown>) => void;
  /**
   * Refuses a point the backend cannot carry (remote and hybrid modes send JSON), before
   * anything is buffered.
   *
   * @throws {InvalidArgumentError} naming the field
   */
  readonly checkWire?: (point: Readonly<Record<string, unknown>>, where: () => string) => void;
  /** The same check for one field value (`appendColumns` checks columns value by value). */
  readonly checkWireField?: (field: string, value: unknown, where: () => string) => void;
};

/**
 * A run of unwritten points. Appended points gather in the last open segment; a batch is
 * a segment of its own (never merged). A segment is sealed once a write takes it, so
 * points appended meanwhile start a new one and nothing is written twice or skipped.
 */
type Segment = { readonly kind: "appended" | "batch"; points: PointColumns; isSealed: boolean };

const NOTHING_WRITTEN: AppendResult = { count: 0, startIndex: 0, endIndex: -1 };

/**
 * One track of a session: an append-only series of points with free-form fields.
 *
 * Appends are synchronous and buffered; a flush merges points of equal `_ts`, orders
 * them by `_ts` and writes them after everything written before. All writes of one
 * track go through one queue, so they land in call order, and a failed write leaves its
 * points buffered, in place, for the next flush. Reads first write what was appended
 * before them (read-your-writes).
 */
export class Track {
  /** The track's name, such as `robot/pose`. */
  readonly name: string;
  readonly #context: TrackContext;
  readonly #segments: Segment[] = [];
  #bufferedPoints = 0;
  /** This track's write queue: writes land in call order. */
  readonly #queue = new SerialQueue();
  #appendsSinceTick = 0;
  /** The last background flush failure, thrown by `close()` when a final flush fails too. */
  #backgroundError: unknown;
  /** A background flush is queued and has not started yet. */
  #isBackgroundQueued = false;

  /** Names an appended point in error messages (built only when one is thrown). */
  readonly #appendedPoint = (): string => `Point appended to track ${JSON.stringify(this.name)}`;
  readonly #resolveTs: (ts: unknown) => number;

  /** @internal Sessions create tracks: use `session.track(name)`. */
  constructor(name: string, context: TrackContext) {
    this.name = name;
    this.#context = context;
    const timestamps = context.timestamps;
    this.#resolveTs = (ts) => timestamps.resolve(ts);
  }

  /** Points appended (or batched) but not yet written. */
  get bufferedPoints(): number {
    return this.#bufferedPoints;
  }

  /** @internal The last background flush failure, if any. */
  get backgroundError(): unknown {
    return this.#backgroundError;
  }

  /**
   * Buffers one point. `_ts` (seconds since the epoch) is generated when absent, and
   * `-1` reuses the last timestamp of any track in the session.
   *
   * @returns this track, so that calls can be chained
   * @throws {InvalidArgumentError} when `_ts` or a field cannot be stored; nothing is buffered then
   * @throws {LimitExceededError} when the unwritten buffer is full (await `flush()`)
   * @throws {FailedPreconditionError} when the session is closed
   */
  append(point: PointInput): this {
    this.#context.assertOpen();
    this.#assertRoom(1);
    assertPointObject(point, this.#appendedPoint);
    assertTimestampInput(point["_ts"], this.#appendedPoint);
    this.#context.checkWire?.(point, this.#appendedPoint);
    let open = this.#segments[this.#segments.length - 1];
    if (open === undefined || open.kind !== "appended" || open.isSealed) {
      open = { kind: "appended", points: new PointColumns(), isSealed: false };
      this.#segments.push(open);
    }
    open.points.add(point, this.#resolveTs, this.#appendedPoint);
    this.#bufferedPoints++;
    this.#appendsSinceTick++;
    // Only points no flush has taken yet count: a flush in progress must not trigger more.
    if (open.points.count >= this.#context.flushEveryPoints)
      this.#startBackgroundFlush("hold-last-group");
    return this;
  }

  /**
   * Writes many points at once, after the points appended before it. Points without `_ts`
   * get one as in `append`; the points of one batch are not merged. The batch is checked
   * whole before anything is written: one bad point rejects it all.
   *
   * @throws {InvalidArgumentError} naming the first bad point
   * @throws the storage or network error; the batch then stays buffered for the next flush
   */
  async appendBatch(points: readonly PointInput[]): Promise<AppendResult> {
    this.#context.assertOpen();
    if (!Array.isArray(points) || points.length === 0) {
      throw new InvalidArgumentError(
        `appendBatch needs a non-empty array of points, got ${describeValue(points)}`,
      );
    }
    if (points.length > MAX_BATCH_POINTS) {
      throw new LimitExceededError(
        `appendBatch takes at most ${MAX_BATCH_POINTS} points, got ${points.length}`,
      );
    }
    this.#assertRoom(points.length);
    // Check every point before resolving any `_ts`: a refused batch changes no state. A
    // given `_ts` is stored as it is; the others (absent, -1) are resolved after the checks.
    const columns = new PointColumns();
    let unresolved: Map<number, unknown> | undefined;
    let at = 0;
    const where = (): string => `Point ${at} of appendBatch on track ${JSON.stringify(this.name)}`;
    const keepTs = (ts: unknown): number => {
      if (typeof ts === "number" && ts >= 0) return ts;
      (unresolved ??= new Map()).set(at, ts);
      return 0;
    };
    const check = this.#context.checkWire;
    for (let i = 0; i < points.length; i++) {
      at = i;
      const point: unknown = points[i];
      assertPointObject(point, where);
      assertTimestampInput(point["_ts"], where);
      check?.(point, where);
      columns.add(point, keepTs, where);
    }
    this.#resolveBatchTimestamps(columns, unresolved);
    const segment: Segment = { kind: "batch", points: columns, isSealed: true };
    this.#segments.push(segment);
    this.#bufferedPoints += columns.count;
    return this.#queue.run(() => this.#drain("all", segment));
  }

  /**
   * Resolves the `_ts` of a checked batch in point order, as `append` would have: a given one
   * is kept (and becomes the session's last), an absent or -1 one (`unresolved`, by point)
   * is generated or inherited.
   */
  #resolveBatchTimestamps(
    columns: PointColumns,
    unresolved: Map<number, unknown> | undefined,
  ): void {
    const timestamps = this.#context.timestamps;
    if (unresolved === undefined) {
      // Every `_ts` was given: only the last one is the session's last.
      timestamps.resolve(columns.timestamps[columns.count - 1]);
      return;
    }
    for (let p = 0; p < columns.count; p++) {
      const raw = unresolved.has(p) ? unresolved.get(p) : columns.timestamps[p];
      columns.setTimestamp(p, timestamps.resolve(raw));
    }
  }

  /**
   * Writes a batch given as columns, after the points appended before it, without an
   * object per point: `{ _ts?: Float64Array | number[], <field>: column, ... }`, every column
   * of the same length. A column is a typed array of numbers (`Float64Array`, `Int32Array`,
   * ...) or an array of field values (`undefined` where a point lacks the field). Absent
   * `_ts` are generated and `-1` inherits, as in `append`; the points are not merged. The
   * batch is checked whole before anything is written: one bad value rejects it all.
   *
   * Typed arrays are kept, not copied, until the batch is written: do not change them
   * before the returned promise settles.
   *
   * @throws {InvalidArgumentError} naming the column and the point
   * @throws {LimitExceededError} past 10,000,000 points, or when the unwritten buffer is full
   * @throws the storage or network error; the batch then stays buffered for the next flush
   */
  async appendColumns(columns: ColumnsInput): Promise<AppendResult> {
    this.#context.assertOpen();
    const where = `appendColumns on track ${JSON.stringify(this.name)}`;
    const points = PointColumns.fromColumnsInput(
      columns,
      this.#resolveTs,
      this.#context.checkWireField,
      where,
    );
    this.#assertRoom(points.count);
    const segment: Segment = { kind: "batch", points, isSealed: true };
    this.#segments.push(segment);
    this.#bufferedPoints += points.count;
    return this.#queue.run(() => this.#drain("all", segment));
  }

  /**
   * Writes the buffered points now. In hybrid mode it also waits until the server has
   * every point written so far (they are safe locally before that).
   *
   * @returns what was written (`count` 0 when nothing was buffered)
   * @throws the storage or network error; the points stay buffered and the next flush retries them
   */
  async flush(): Promise<AppendResult> {
    const result = await this.writeBuffered();
    await this.#context.backend.drain?.(this.name);
    return result;
  }

  /** @internal Writes the buffered points (reads do this first; they need no server). */
  async writeBuffered(): Promise<AppendResult> {
    return this.#queue.run(() => this.#drain("all", undefined));
  }

  /**
   * Reads up to `limit` points from `startIndex`, in write order.
   *
   * @throws {InvalidArgumentError} when `limit` is not an integer in 1..10000 or `startIndex` < 0
   * @throws {FailedPreconditionError} when the session is closed
   */
  async read(options?: IndexReadOptions): Promise<ReadResult> {
    // A closed session released its files; reading would open them again, for good.
    this.#context.assertOpen();
    const query = parseIndexQuery(options);
    await this.writeBuffered();
    return this.#context.backend.read(this.name, query);
  }

  /**
   * Reads up to `limit` points with `startTime <= _ts < endTime`, oldest first
   * (newest first with `reverse`). Equal `_ts` keep write order.
   *
   * @throws {InvalidArgumentError} when an option has the wrong type or range
   * @throws {FailedPreconditionError} when the session is closed
   */
  async readByTime(options?: TimeReadOptions): Promise<TimeReadResult> {
    this.#context.assertOpen();
    const query = parseTimeQuery(options);
    await this.writeBuffered();
    return this.#context.backend.readByTime(this.name, query);
  }

  /**
   * Statistics of the numeric fields per time bucket, for charts of any length: the range
   * (`startTime` to `endTime`, by default the whole track) is cut into `buckets` equal
   * intervals, and each interval that holds points gives its point count and, per numeric
   * field (nested ones as dotted paths such as `position.0`), `count`, `min`, `max`, `mean`,
   * and the `first` and `last` values with their `_ts`. Drawing min and max (or first, min,
   * max, last) per pixel column keeps every spike. Exact: every point counts. Points without
   * a finite `_ts` and non-numeric values are left out.
   *
   * @throws {InvalidArgumentError} when an option has the wrong type or range
   * @throws {FailedPreconditionError} when the session is closed
   */
  async downsample(options: DownsampleOptions): Promise<DownsampleResult> {
    this.#context.assertOpen();
    const query = parseDownsampleQuery(options);
    await this.writeBuffered();
    return this.#context.backend.downsample(this.name, query);
  }

  /**
   * Every point of the track, in index order, as columns, one batch (a stored record, at
   * most 4,096 points) at a time: the fast way to export or analyse a whole track. With
   * `startTime`/`endTime`, only points with `startTime <= _ts < endTime` (still in index
   * order); with `fields`, only those fields. Memory stays bounded by one batch.
   *
   * @throws {InvalidArgumentError} when an option has the wrong type
   * @throws {FailedPreconditionError} when the session is closed
   * @throws {CorruptDataError} when a stored record fails its checks
   */
  async *scanColumns(options?: ScanColumnsOptions): AsyncGenerator<ColumnBatch> {
    this.#context.assertOpen();
    const query = parseScanQuery(options);
    await this.writeBuffered();
    yield* this.#context.backend.scanColumns(this.name, query);
  }

  /**
   * Counts and time range of the track.
   *
   * @throws {NotFoundError} when nothing was ever written to it
   * @throws {FailedPreconditionError} when the session is closed
   */
  async stats(): Promise<TrackStats> {
    this.#context.assertOpen();
    await this.writeBuffered();
    return this.#context.backend.stats(this.name);
  }

  /** @internal Called by the session's timer: writes what waited, unless appends are still coming. */
  flushInBackground(): void {
    if (this.#bufferedPoints === 0) return;
    this.#startBackgroundFlush(this.#appendsSinceTick > 0 ? "hold-last-group" : "all");
    this.#appendsSinceTick = 0;
  }

  #assertRoom(count: number): void {
    if (this.#bufferedPoints + count <= this.#context.maxBufferedPoints) return;
    throw new LimitExceededError(
      `Track ${JSON.stringify(this.name)} holds ${this.#bufferedPoints} unwritten points and ` +
        `${count} more would pass maxBufferedPoints (${this.#context.maxBufferedPoints}); ` +
        "await track.flush() before appending more",
    );
  }

  #startBackgroundFlush(mode: "hold-last-group" | "all"): void {
    // Seal now, so that the points appended from here on wait for the next flush.
    if (mode === "all") this.#sealAll();
    else this.#sealHoldingLastGroup();
    // A queued flush that has not started drains every sealed segment when it does: one
    // is enough, so that while writes fail (a server away, retrying) timer ticks do not
    // pile up flushes that close() would wait for.
    if (this.#isBackgroundQueued) return;
    this.#isBackgroundQueued = true;
    const work = this.#queue
      .run(() => {
        this.#isBackgroundQueued = false;
        return this.#drain("sealed", undefined);
      })
      .then(
        () => {
          this.#backgroundError = undefined;
        },
        (error: unknown) => {
          this.#backgroundError = error;
        },
      );
    this.#context.track(work);
  }

  #sealAll(): void {
    for (const segment of this.#segments) segment.isSealed = true;
  }

  /**
   * Seals the buffer except the trailing run of points with the last `_ts`: more fields
   * for that timestamp may still come, and they must merge with it.
   */
  #sealHoldingLastGroup(): void {
    const last = this.#segments[this.#segments.length - 1];
    // A sealed segment was taken by a write (maybe one in progress): splitting or unsealing
    // it would write its held points twice, or drop the points appended to it meanwhile.
    const isOpen = last !== undefined && last.kind === "appended" && !last.isSealed;
    this.#sealAll();
    if (!isOpen) return;
    const timestamps = last.points.timestamps;
    const lastTs = timestamps[timestamps.length - 1];
    let split = timestamps.length;
    while (split > 0 && timestamps[split - 1] === lastTs) split--;
    if (split === 0) {
      last.isSealed = false;
      return;
    }
    const held = last.points.splitOff(split);
    if (held.count > 0) this.#segments.push({ kind: "appended", points: held, isSealed: false });
  }

  /**
   * Writes segments from the front, one backend write each, removing each once written.
   * Stops after `target` when given, or at the first unsealed segment in `sealed` mode.
   */
  async #drain(mode: "all" | "sealed", target: Segment | undefined): Promise<AppendResult> {
    let written: AppendResult | undefined;
    for (;;) {
      const segment = this.#segments[0];
      if (segment === undefined) break;
      if (mode === "sealed" && !segment.isSealed) break;
      segment.isSealed = true;
      const points =
        segment.kind === "appended" && !segment.points.isStrictlyIncreasing()
          ? PointColumns.fromPoints(mergeByTimestamp(segment.points.toPoints()))
          : segment.points;
      const result = await this.#context.backend.append(this.name, points, {
        isBatch: segment.kind === "batch",
      });
      this.#segments.shift();
      this.#bufferedPoints -= segment.points.count;
      if (segment === target) return result;
      written = combine(written, result);
    }
    return written ?? NOTHING_WRITTEN;
  }
}

function combine(previous: AppendResult | undefined, next: AppendResult): AppendResult {
  if (previous === undefined) return next;
  return {
    count: previous.count + next.count,
    startIndex: previous.startIndex,
    endIndex: next.endIndex,
  };
}
