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
import type { SummaryFiles } from "../summary/summary-files.js";
import { addRecordPoints } from "./record-downsample.js";
import type { RecordLoader } from "./record-loader.js";

/** Records handled together: their summaries are read at once, memory stays bounded. */
const WINDOW_RECORDS = 64;

/**
 * Bytes of points read at once (the blocks across bucket edges). A window of 64 records of
 * 4,096 points across many edges reads most of their 9 MB, which with the values decoded
 * from it took the process's peak RSS near 100 MB; in runs of 256 KiB it stays under 90.
 */
export const POINT_READ_BYTES = 256 * 1024;

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
      /** Per block read as points: its values per column needed (`_ts` first). */
      readonly values: Map<number, readonly ArrayLike<FieldValue>[]>;
      readonly columns: readonly string[];
    };

/**
 * Adds records (in index order) to a downsample, reading as little as it can: a record
 * whose points all fall in one bucket is added by its summary; a record across buckets by
 * its blocks' summaries, and the points of only the blocks that straddle a bucket edge,
 * read (and checked) one block of one column at a time; a record without a usable summary
 * by its points. The result is exactly a point-by-point walk's.
 *
 * @throws {CorruptDataError} when a record or a block of it does not match its checksum
 */
export async function downsampleRecords(
  sampler: Downsampler,
  records: AsyncIterable<RecordRef>,
  deps: SummaryDownsampleDeps,
): Promise<void> {
  let window: RecordRef[] = [];
  for await (const ref of records) {
    window.push(ref);
    if (window.length === WINDOW_RECORDS) {
      await addWindow(sampler, window, deps);
      window = [];
    }
  }
  if (window.length > 0) await addWindow(sampler, window, deps);
}

async function addWindow(
  sampler: Downsampler,
  refs: readonly RecordRef[],
  deps: SummaryDownsampleDeps,
): Promise<void> {
  const summaries = await deps.summaries.summaries(refs.map((ref) => ref.entry));
  const firstPlans = refs.map((ref, i) => planRecord(sampler, ref, summaries[i]));
  // The block tables of every record across bucket edges, read together.
  const straddling = firstPlans.flatMap((plan) => (plan.kind === "table" ? [plan] : []));
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
  // The points of the blocks across an edge are read together (and checked), a run of
  // records at a time: at most POINT_READ_BYTES of them in memory, with their values.
  let from = 0;
  while (from < plans.length) {
    let to = from;
    let bytes = 0;
    while (to < plans.length && (bytes < POINT_READ_BYTES || to === from)) {
      bytes += pointBytesOf(plans[to] as Plan);
      to++;
    }
    await addPlans(sampler, plans.slice(from, to), deps);
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
    for (const { range } of blockRanges(plan, part.block)) bytes += range.length;
  }
  return bytes;
}

/** Reads the blocks that some plans need and adds the plans, in order. */
async function addPlans(
  sampler: Downsampler,
  plans: readonly Plan[],
  deps: SummaryDownsampleDeps,
): Promise<void> {
  const reads = plans.flatMap((plan) =>
    plan.kind === "blocks"
      ? plan.parts.flatMap((part) => (part.kind === "points" ? [{ plan, block: part.block }] : []))
      : [],
  );
  const ranges = reads.flatMap(({ plan, block }) => blockRanges(plan, block));
  const bytes = await deps.data.readMany(ranges.map(({ range }) => range));
  let next = 0;
  for (const { plan, block } of reads) {
    const columns: ArrayLike<FieldValue>[] = [];
    for (let c = 0; c < plan.columns.length; c++) {
      const { range, crc, key } = ranges[next] as (typeof ranges)[number];
      columns.push(decodeBlock(plan, block, key, range, crc, bytes[next++] as Uint8Array, deps));
    }
    plan.values.set(block, columns);
  }
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
        addBlocks(sampler, plan);
        // Its values are garbage from here: let them go before the window ends.
        plan.values.clear();
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
  return { kind: "blocks", ref, table, parts, values: new Map(), columns };
}

/** The byte ranges (and checksums) of block `b` of every column a plan needs. */
function blockRanges(
  plan: Extract<Plan, { kind: "blocks" }>,
  b: number,
): { readonly range: ByteRange; readonly crc: number; readonly key: string }[] {
  const layout = plan.table.columns as ColumnOffsets;
  const blockCount = plan.table.blockCount;
  return plan.columns.map((key) => {
    const k = layout.keys.indexOf(key);
    const from = layout.offsets[k * (blockCount + 1) + b] as number;
    const to = layout.offsets[k * (blockCount + 1) + b + 1] as number;
    return {
      range: { position: plan.ref.entry.offset + from, length: to - from },
      crc: layout.crcs[k * blockCount + b] as number,
      key,
    };
  });
}

/** Checks and decodes the values of one block of one column. */
function decodeBlock(
  plan: Extract<Plan, { kind: "blocks" }>,
  b: number,
  key: string,
  range: ByteRange,
  crc: number,
  bytes: Uint8Array,
  deps: SummaryDownsampleDeps,
): ArrayLike<FieldValue> {
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
    const numbers = new Float64Array(points);
    if (reader.readNumbers(points, numbers)) return numbers;
    const values = new Array<FieldValue>(points);
    for (let i = 0; i < points; i++) values[i] = reader.decode();
    return values;
  } catch (error: unknown) {
    throw damagedBlock(plan.ref, b, key, range.position, deps.path, error);
  }
}

/** Adds a straddling record block by block: by summary, or point by point. */
function addBlocks(sampler: Downsampler, plan: Extract<Plan, { kind: "blocks" }>): void {
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
    const values = plan.values.get(b) as readonly ArrayLike<FieldValue>[];
    const stored = values[0] as ArrayLike<FieldValue>;
    const times = new Float64Array(stored.length);
    for (let i = 0; i < stored.length; i++) times[i] = timestampOf(stored[i]) ?? NaN;
    sampler.addColumns(times, plan.columns, values);
  });
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
