import type { Downsampler } from "../../core/downsample.js";
import { CorruptDataError } from "../../core/errors.js";
import type { FieldValue } from "../../core/point.js";
import { timestampOf } from "../../core/timestamp-of.js";
import { MsgpackReader } from "../codec/msgpack-reader.js";
import type { Checksum, IndexEntry } from "../index/index-entry.js";
import type { RandomAccessFile } from "../ports.js";
import type { RunSummary } from "../summary/record-summary.js";
import type { StoredBlocks, StoredSummary } from "../summary/summary-codec.js";
import type { SummaryFiles } from "../summary/summary-files.js";
import { addRecordPoints } from "./record-downsample.js";
import type { RecordLoader } from "./record-loader.js";

/** Records handled together: their summaries are read at once, memory stays bounded. */
const WINDOW_RECORDS = 512;

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
  | { readonly kind: "summary"; readonly bucket: number; readonly block: RunSummary }
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
      readonly values: Map<number, readonly (readonly FieldValue[])[]>;
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
  const plans = await Promise.all(
    refs.map((ref, i) => planRecord(sampler, ref, summaries[i], deps)),
  );
  // Every block read as points, of every record, at once: they overlap on the disk.
  await Promise.all(
    plans.map(async (plan) => {
      if (plan.kind !== "blocks") return;
      await Promise.all(
        plan.parts.map(async (part) => {
          if (part.kind === "points") {
            plan.values.set(part.block, await readBlock(plan, part.block, deps));
          }
        }),
      );
    }),
  );
  for (const plan of plans) {
    switch (plan.kind) {
      case "skip":
        break;
      case "whole":
        sampler.addSummary(plan.bucket, plan.summary.timedCount, plan.summary.fields);
        break;
      case "points":
        addRecordPoints(sampler, await deps.loader.load(plan.ref.record, plan.ref.entry, "fresh"));
        break;
      case "blocks":
        addBlocks(sampler, plan);
        break;
    }
  }
}

/** Decides how a record is added, reading its block table when it straddles buckets. */
async function planRecord(
  sampler: Downsampler,
  ref: RecordRef,
  summary: StoredSummary | undefined,
  deps: SummaryDownsampleDeps,
): Promise<Plan> {
  const grid = sampler.grid;
  if (summary === undefined || summary.isPartial) return { kind: "points", ref };
  if (summary.timedCount === 0) return { kind: "skip" };
  const bucket = bucketOfRun(sampler, summary);
  if (bucket !== undefined) return { kind: "whole", bucket, summary };
  if (summary.blocks === undefined) return { kind: "points", ref };
  const table = await deps.summaries.blocks(summary.blocks, ref.entry.offset, summary.paths);
  const tsColumn = table?.columns?.keys.indexOf("_ts") ?? -1;
  if (table === undefined || table.columns === undefined || tsColumn === -1) {
    return { kind: "points", ref };
  }
  const columns = [
    "_ts",
    ...table.columns.keys.filter((key) => key !== "_ts" && sampler.wantsTopLevel(key)),
  ];
  const parts = table.blocks.map((block, b): BlockPart => {
    if (block.timedCount === 0) return { kind: "skip" };
    if (!(block.maxTs >= grid.start) || !overlapsEnd(sampler, block.minTs)) return { kind: "skip" };
    const inOne = bucketOfRun(sampler, block);
    return inOne === undefined
      ? { kind: "points", block: b }
      : { kind: "summary", bucket: inOne, block };
  });
  return { kind: "blocks", ref, table, parts, values: new Map(), columns };
}

/** The bucket a run of points falls in whole, or `undefined` when it straddles an edge or the range. */
function bucketOfRun(
  sampler: Downsampler,
  run: { readonly minTs: number; readonly maxTs: number },
): number | undefined {
  const grid = sampler.grid;
  if (!grid.contains(run.minTs) || !grid.contains(run.maxTs)) return undefined;
  const first = grid.bucketOf(run.minTs);
  return first === grid.bucketOf(run.maxTs) ? first : undefined;
}

/** Whether a run starting at `minTs` can reach into the range (before its end). */
function overlapsEnd(sampler: Downsampler, minTs: number): boolean {
  const grid = sampler.grid;
  return minTs < grid.end || (grid.isEndIncluded && minTs === grid.end);
}

/** Reads and checks block `b` of the columns a plan needs, and decodes its values. */
async function readBlock(
  plan: Extract<Plan, { kind: "blocks" }>,
  b: number,
  deps: SummaryDownsampleDeps,
): Promise<(readonly FieldValue[])[]> {
  const columns = plan.table.columns;
  if (columns === undefined) throw new Error("a block read needs the record's column layout");
  const blockCount = plan.table.blocks.length;
  const points = Math.min(
    plan.table.blockPoints,
    plan.ref.entry.count - b * plan.table.blockPoints,
  );
  return Promise.all(
    plan.columns.map(async (key) => {
      const k = columns.keys.indexOf(key);
      const from = columns.offsets[k * (blockCount + 1) + b] as number;
      const to = columns.offsets[k * (blockCount + 1) + b + 1] as number;
      const offset = plan.ref.entry.offset + from;
      const bytes = await deps.data.read(offset, to - from);
      if (
        bytes.byteLength !== to - from ||
        deps.checksum(bytes) !== columns.crcs[k * blockCount + b]
      ) {
        throw damagedBlock(plan.ref, b, key, offset, deps.path);
      }
      const reader = new MsgpackReader(bytes);
      const values = new Array<FieldValue>(points);
      try {
        for (let i = 0; i < points; i++) values[i] = reader.decode();
      } catch (error: unknown) {
        throw damagedBlock(plan.ref, b, key, offset, deps.path, error);
      }
      return values;
    }),
  );
}

/** Adds a straddling record block by block: by summary, or point by point. */
function addBlocks(sampler: Downsampler, plan: Extract<Plan, { kind: "blocks" }>): void {
  plan.parts.forEach((part, b) => {
    if (part.kind === "summary") {
      sampler.addSummary(part.bucket, part.block.timedCount, part.block.fields);
      return;
    }
    if (part.kind !== "points") return;
    const values = plan.values.get(b) as readonly (readonly FieldValue[])[];
    const times = values[0] as readonly FieldValue[];
    for (let i = 0; i < times.length; i++) {
      const ts = timestampOf(times[i]);
      if (ts === undefined) continue;
      sampler.addPoint(ts, (visit) => {
        for (let c = 1; c < plan.columns.length; c++) {
          visit(plan.columns[c] as string, (values[c] as readonly FieldValue[])[i] as FieldValue);
        }
      });
    }
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
