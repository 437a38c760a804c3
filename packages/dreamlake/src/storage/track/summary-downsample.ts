import type { Downsampler } from "../../core/downsample.js";
import { CorruptDataError } from "../../core/errors.js";
import type { FieldValue } from "../../core/point.js";
import { timestampOf } from "../../core/timestamp-of.js";
import { MsgpackReader } from "../codec/msgpack-reader.js";
import type { Checksum, IndexEntry } from "../index/index-entry.js";
import type { ByteRange, RandomAccessFile } from "../ports.js";
import type {
  BlocksLocation,
  ColumnOffsets,
  StoredBlocks,
  StoredSummary,
} from "../summary/summary-codec.js";
import { readCoalesced, type Stretch } from "../summary/coalesced-read.js";
import type { SummaryFiles } from "../summary/summary-files.js";
import { addRecordPoints } from "./record-downsample.js";
import type { RecordLoader } from "./record-loader.js";

/** Records handled together: their summaries are read at once, memory stays bounded. */
const WINDOW_RECORDS = 64;

/**
 * Bytes of points read at once (the blocks across bucket edges), and the most one read
 * takes. A window of 64 records of 4,096 points across many edges reads most of their 9 MB,
 * which with the values decoded from it took the process's peak RSS near 100 MB; in runs
 * of 256 KiB it stays under 90. Reads of at most 256 KiB are also made at once by the Node
 * adapter, where larger ones wait for its thread pool: in a fresh process the pool's
 * threads take 2 to 30 ms to start, and a 1% window's downsample waited 30 ms in 42 such
 * reads (measured at 10^8 points).
 */
export const POINT_READ_BYTES = 256 * 1024;

/**
 * Blocks across edges closer than this are read as one: a read of a few kilobytes from the
 * page cache costs less than the system call of a second read (with 500-point buckets, the
 * blocks read in a column of a record are every other one, 2.3 KB apart).
 */
const EDGE_GAP_BYTES = 8 * 1024;

/** What a downsample reads a track's records through. */
export type SummaryDownsampleDeps = {
  readonly summaries: SummaryFiles;
  readonly loader: RecordLoader;
  readonly data: RandomAccessFile;
  readonly checksum: Checksum;
  /** The data file's path, for error messages. */
  readonly path: string;
};

/** A record to add to a downsample. */
export type RecordRef = { readonly record: number; readonly entry: IndexEntry };

/** How one block of a record that straddles buckets is added. */
type BlockPart =
  | { readonly kind: "summary"; readonly bucket: number; readonly block: number }
  | { readonly kind: "points"; readonly block: number }
  | { readonly kind: "skip" };

/** How one record is added. */
type Plan =
  | { readonly kind: "skip" }
  | { readonly kind: "whole"; readonly bucket: number; readonly summary: StoredSummary }
  | { readonly kind: "points"; readonly ref: RecordRef }
  | {
      readonly kind: "blocks";
      readonly ref: RecordRef;
      readonly table: StoredBlocks;
      readonly parts: readonly BlockPart[];
      /** The columns whose blocks across an edge are read (`_ts` first). */
      readonly columns: readonly string[];
    };

/** A record across bucket edges, added block by block. */
type BlocksPlan = Extract<Plan, { kind: "blocks" }>;

/**
 * Adds records (in index order, given a run at a time) to a downsample, reading as little as it can: a record
 * whose points all fall in one bucket is added by its summary; a record across buckets by
 * its blocks' summaries, and the points of only the blocks that straddle a bucket edge,
 * read (and checked) one block of one column at a time; a record without a usable summary
 * by its points. The result is exactly a point-by-point walk's.
 *
 * @throws {CorruptDataError} when a record or a block of it does not match its checksum
 */
export async function downsampleRecords(
  sampler: Downsampler,
  records: AsyncIterable<readonly RecordRef[]>,
  deps: SummaryDownsampleDeps,
): Promise<void> {
  const scratch = new BlockScratch();
  let window: RecordRef[] = [];
  for await (const refs of records) {
    for (const ref of refs) {
      window.push(ref);
      if (window.length === WINDOW_RECORDS) {
        await addWindow(sampler, window, deps, scratch);
        window = [];
      }
    }
  }
  if (window.length > 0) await addWindow(sampler, window, deps, scratch);
}

async function addWindow(
  sampler: Downsampler,
  refs: readonly RecordRef[],
  deps: SummaryDownsampleDeps,
  scratch: BlockScratch,
): Promise<void> {
  const summaries = await deps.summaries.summaries(refs.map((ref) => ref.entry));
  const firstPlans = refs.map((ref, i) => planRecord(sampler, ref, summaries[i]));
  // The block tables of every record across bucket edges, read together.
  const straddling: Extract<FirstPlan, { kind: "table" }>[] = [];
  for (const plan of firstPlans) if (plan.kind === "table") straddling.push(plan);
  const tables = await deps.summaries.blocks(
    straddling.map(({ ref, summary }) => ({
      location: summary.blocks as BlocksLocation,
      record: ref.entry,
      paths: summary.paths,
    })),
  );
  let nextTable = 0;
  const plans = firstPlans.map((plan): Plan => {
    if (plan.kind !== "table") return plan;
    return planBlocks(sampler, plan.ref, tables[nextTable++]);
  });
  // The points of the blocks across an edge are read together, a run of records at a time:
  // at most about POINT_READ_BYTES of them in memory. They are checked and decoded a block
  // at a time.
  let from = 0;
  while (from < plans.length) {
    let to = from;
    let bytes = 0;
    while (to < plans.length && (bytes < POINT_READ_BYTES || to === from)) {
      bytes += pointBytesOf(plans[to] as Plan);
      to++;
    }
    await addPlans(sampler, plans.slice(from, to), deps, scratch);
    from = to;
  }
}

/** Bytes of points a plan reads (the blocks across an edge; a record read whole counts whole). */
function pointBytesOf(plan: Plan): number {
  if (plan.kind === "points") return plan.ref.entry.length;
  if (plan.kind !== "blocks") return 0;
  let bytes = 0;
  for (const part of plan.parts) {
    if (part.kind !== "points") continue;
    for (let c = 0; c < plan.columns.length; c++)
      bytes += blockRange(plan, part.block, c).range.length;
  }
  return bytes;
}

/** Reads the blocks that some plans need and adds the plans, in order. */
async function addPlans(
  sampler: Downsampler,
  plans: readonly Plan[],
  deps: SummaryDownsampleDeps,
  scratch: BlockScratch,
): Promise<void> {
  // Every column's block across an edge, read in as few reads as their places allow: the
  // blocks of one column of a record lie one after the other, and a read costs more than
  // the few kilobytes between two of them.
  const stretches: Stretch[] = [];
  for (const plan of plans) {
    if (plan.kind !== "blocks") continue;
    for (const part of plan.parts) {
      if (part.kind !== "points") continue;
      for (let c = 0; c < plan.columns.length; c++) {
        const { range } = blockRange(plan, part.block, c);
        stretches.push({ offset: range.position, length: range.length });
      }
    }
  }
  const bytes = await readCoalesced(deps.data, stretches, EDGE_GAP_BYTES, POINT_READ_BYTES);
  let next = 0;
  for (const plan of plans) {
    switch (plan.kind) {
      case "skip":
        break;
      case "whole":
        sampler.addSummary(plan.bucket, plan.summary.timedCount, plan.summary.stats);
        break;
      case "points":
        addRecordPoints(sampler, await deps.loader.load(plan.ref.record, plan.ref.entry, "fresh"));
        break;
      case "blocks":
        next = addBlocks(sampler, plan, bytes, next, deps, scratch);
        break;
    }
  }
}

/** How a record is added, before its block table (when it needs one) is read. */
type FirstPlan =
  | Exclude<Plan, { kind: "blocks" }>
  | { readonly kind: "table"; readonly ref: RecordRef; readonly summary: StoredSummary };

/** Decides how a record is added from its summary. */
function planRecord(
  sampler: Downsampler,
  ref: RecordRef,
  summary: StoredSummary | undefined,
): FirstPlan {
  if (summary === undefined || summary.isPartial) return { kind: "points", ref };
  if (summary.timedCount === 0) return { kind: "skip" };
  const bucket = sampler.grid.bucketOfRun(summary.minTs, summary.maxTs);
  if (bucket !== undefined) return { kind: "whole", bucket, summary };
  if (summary.blocks === undefined) return { kind: "points", ref };
  return { kind: "table", ref, summary };
}

/** Decides how each block of a record across bucket edges is added, from its block table. */
function planBlocks(sampler: Downsampler, ref: RecordRef, table: StoredBlocks | undefined): Plan {
  const grid = sampler.grid;
  if (table?.columns === undefined || !table.columns.keys.includes("_ts")) {
    return { kind: "points", ref };
  }
  const columns = [
    "_ts",
    ...table.columns.keys.filter((key) => key !== "_ts" && sampler.wantsTopLevel(key)),
  ];
  const parts: BlockPart[] = [];
  for (let b = 0; b < table.blockCount; b++) {
    const minTs = table.minTs(b);
    const maxTs = table.maxTs(b);
    if (table.timedCount(b) === 0 || !grid.overlaps(minTs, maxTs)) {
      parts.push({ kind: "skip" });
      continue;
    }
    const inOne = grid.bucketOfRun(minTs, maxTs);
    parts.push(
      inOne === undefined
        ? { kind: "points", block: b }
        : { kind: "summary", bucket: inOne, block: b },
    );
  }
  return { kind: "blocks", ref, table, parts, columns };
}

/** The byte range (and checksum) of block `b` of column `c` of the columns a plan needs. */
function blockRange(
  plan: BlocksPlan,
  b: number,
  c: number,
): { readonly range: ByteRange; readonly crc: number; readonly key: string } {
  const layout = plan.table.columns as ColumnOffsets;
  const blockCount = plan.table.blockCount;
  const key = plan.columns[c] as string;
  const k = layout.keys.indexOf(key);
  const from = layout.offsets[k * (blockCount + 1) + b] as number;
  const to = layout.offsets[k * (blockCount + 1) + b + 1] as number;
  return {
    range: { position: plan.ref.entry.offset + from, length: to - from },
    crc: layout.crcs[k * blockCount + b] as number,
    key,
  };
}

/**
 * Where the values of the blocks across an edge are decoded, one block at a time: numbers
 * go to arrays kept from block to block (a fresh typed array per block of each column cost
 * more than decoding it).
 */
export class BlockScratch {
  #numbers: Float64Array[] = [];

  /** The array for column `c` of a block of `points` points (its contents are stale). */
  numbers(c: number, points: number): Float64Array {
    let array = this.#numbers[c];
    if (array?.length !== points) {
      array = new Float64Array(points);
      this.#numbers[c] = array;
    }
    return array;
  }
}

/** Checks and decodes the values of one block of one column, into `scratch` when they are numbers. */
function decodeBlock(
  plan: BlocksPlan,
  b: number,
  c: number,
  bytes: Uint8Array,
  deps: SummaryDownsampleDeps,
  scratch: BlockScratch,
): ArrayLike<FieldValue> {
  const { range, crc, key } = blockRange(plan, b, c);
  if (bytes.byteLength !== range.length || deps.checksum(bytes) !== crc) {
    throw damagedBlock(plan.ref, b, key, range.position, deps.path);
  }
  const points = Math.min(
    plan.table.blockPoints,
    plan.ref.entry.count - b * plan.table.blockPoints,
  );
  const reader = new MsgpackReader(bytes);
  try {
    // Most columns hold only numbers: read them without an object per value.
    const numbers = scratch.numbers(c, points);
    if (reader.readNumbers(points, numbers)) return numbers;
    const values = new Array<FieldValue>(points);
    for (let i = 0; i < points; i++) values[i] = reader.decode();
    return values;
  } catch (error: unknown) {
    throw damagedBlock(plan.ref, b, key, range.position, deps.path, error);
  }
}

/**
 * Adds a straddling record block by block: by summary, or point by point from the bytes
 * read for it (`bytes[next..]`, in the order {@link addPlans} asked for them). Returns the
 * index of the next plan's bytes.
 */
function addBlocks(
  sampler: Downsampler,
  plan: BlocksPlan,
  bytes: readonly Uint8Array[],
  next: number,
  deps: SummaryDownsampleDeps,
  scratch: BlockScratch,
): number {
  const values: ArrayLike<FieldValue>[] = new Array<ArrayLike<FieldValue>>(plan.columns.length);
  plan.parts.forEach((part, b) => {
    if (part.kind === "summary") {
      sampler.addSummary(
        part.bucket,
        plan.table.timedCount(part.block),
        plan.table.stats(part.block),
      );
      return;
    }
    if (part.kind !== "points") return;
    for (let c = 0; c < plan.columns.length; c++) {
      values[c] = decodeBlock(plan, b, c, bytes[next++] as Uint8Array, deps, scratch);
    }
    sampler.addColumns(timesOf(values[0] as ArrayLike<FieldValue>), plan.columns, values);
  });
  return next;
}

/** The `_ts` of a block's points: its numbers as they are, anything else as {@link timestampOf} says. */
function timesOf(stored: ArrayLike<FieldValue>): ArrayLike<number | undefined> {
  // A NaN is no time, as timestampOf says; the downsample leaves non-finite times out.
  if (stored instanceof Float64Array) return stored;
  const times = new Float64Array(stored.length);
  for (let i = 0; i < stored.length; i++) times[i] = timestampOf(stored[i]) ?? NaN;
  return times;
}

function damagedBlock(
  ref: RecordRef,
  block: number,
  key: string,
  offset: number,
  path: string,
  cause?: unknown,
): CorruptDataError {
  return new CorruptDataError(
    `${path} is damaged: block ${block} of field ${JSON.stringify(key)} in record ${ref.record} ` +
      `(at offset ${offset}) does not match the checksum written with it`,
    { cause, details: { path, offset, record: ref.record } },
  );
}
