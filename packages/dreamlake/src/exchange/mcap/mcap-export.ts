import type { ColumnBatch } from "../../core/column-batch.js";
import { ConflictError } from "../../core/errors.js";
import type { ExportFile } from "../byte-sink.js";
import type { ExportProgress, TrackSource } from "../track-source.js";
import {
  batchFits,
  inferSchema,
  SchemaBuilder,
  SCHEMA_SAMPLE_POINTS,
  type TrackSchema,
} from "../track-schema.js";
import { trackJsonSchema } from "./json-schema.js";
import { startMcapFile, type McapFileOptions } from "./mcap-file-writer.js";
import {
  inlineMessageFormatter,
  type MessageFormatter,
  type MessageRecords,
} from "./message-records.js";

const MAX_SCHEMA_ATTEMPTS = 4;

/**
 * Batches of one track read ahead, so that formatters on other threads have work queued
 * (two threads took 7 % longer with 3).
 */
const BATCHES_AHEAD = 6;

/** A batch read ahead, its message records being written. */
type Ahead = { readonly batch: ColumnBatch; readonly messages: Promise<MessageRecords> };

/** One track's place in the merge: the batch being written and the next point in it. */
type Lane = {
  readonly source: TrackSource;
  readonly schema: TrackSchema;
  readonly channelId: number;
  readonly scan: AsyncIterator<ColumnBatch>;
  /** Batches read ahead to learn the schema, written first. */
  readonly sampled: ColumnBatch[];
  readonly ahead: Ahead[];
  isScanDone: boolean;
  batch: ColumnBatch | undefined;
  messages: MessageRecords | undefined;
  position: number;
  isDone: boolean;
};

type Attempt =
  | { readonly kind: "done"; readonly points: number }
  | { readonly kind: "misfit"; readonly schemas: ReadonlyMap<string, TrackSchema> };

/** Options of an MCAP export. */
export type McapExportOptions = McapFileOptions & {
  /** Makes the formatter of message records (one per attempt, closed after it). @defaultValue on this thread */
  readonly formatter?: (() => MessageFormatter) | undefined;
};

/** The `_ts` of the lane's next point, as the merge orders them (no `_ts` first). */
function headTs(lane: Lane): number {
  if (lane.batch === undefined) return Infinity;
  const ts = lane.batch.timestamps[lane.position] as number;
  return Number.isNaN(ts) ? -Infinity : ts;
}

/**
 * Reads a lane's batches until {@link BATCHES_AHEAD} are being formatted; false when one
 * does not fit the lane's schema.
 */
async function readAhead(lane: Lane, formatter: MessageFormatter): Promise<boolean> {
  while (!lane.isScanDone && lane.ahead.length < BATCHES_AHEAD) {
    let next = lane.sampled.shift();
    if (next === undefined) {
      const result = await lane.scan.next();
      if (result.done === true) {
        lane.isScanDone = true;
        return true;
      }
      next = result.value;
    }
    if (!batchFits(lane.schema, next)) return false;
    if (next.count === 0) continue;
    const messages = formatter.format(next, lane.channelId);
    // Awaited in turn below, which throws a failure; until then it is not unhandled.
    messages.catch(() => undefined);
    lane.ahead.push({ batch: next, messages });
  }
  return true;
}

/** Moves a lane to its next batch that has points; false when a batch does not fit its schema. */
async function advance(lane: Lane, formatter: MessageFormatter): Promise<boolean> {
  if (!(await readAhead(lane, formatter))) return false;
  const next = lane.ahead.shift();
  if (next === undefined) {
    lane.batch = undefined;
    lane.messages = undefined;
    lane.isDone = true;
    return true;
  }
  // The formatter gets the next batch before this one's records are awaited.
  const fits = await readAhead(lane, formatter);
  if (lane.messages !== undefined) formatter.recycle(lane.messages);
  lane.batch = next.batch;
  lane.messages = await next.messages;
  lane.position = 0;
  return fits;
}

async function writeOnce(
  sources: readonly TrackSource[],
  file: ExportFile,
  known: ReadonlyMap<string, TrackSchema> | undefined,
  progress: ExportProgress,
  options: McapExportOptions,
): Promise<Attempt> {
  const scans = sources.map((source) => source.scan()[Symbol.asyncIterator]());
  const formatter = options.formatter?.() ?? inlineMessageFormatter();
  try {
    const mcap = await startMcapFile(file, "dreamlake", options);
    const lanes: Lane[] = [];
    for (const [i, source] of sources.entries()) {
      const scan = scans[i] as AsyncIterator<ColumnBatch>;
      let schema = known?.get(source.name);
      const sampled: ColumnBatch[] = [];
      if (schema === undefined) {
        const builder = new SchemaBuilder();
        for (let seen = 0; seen < SCHEMA_SAMPLE_POINTS;) {
          const next = await scan.next();
          if (next.done === true) break;
          builder.observe(next.value);
          sampled.push(next.value);
          seen += next.value.count;
        }
        schema = builder.schema();
      }
      const channelId = mcap.addJsonChannel(source.name, trackJsonSchema(source.name, schema));
      lanes.push({
        source,
        schema,
        channelId,
        scan,
        sampled,
        ahead: [],
        isScanDone: false,
        batch: undefined,
        messages: undefined,
        position: 0,
        isDone: false,
      });
    }
    const schemasSoFar = (): ReadonlyMap<string, TrackSchema> =>
      new Map(lanes.map((lane) => [lane.source.name, lane.schema]));
    for (const lane of lanes) {
      if (!(await advance(lane, formatter))) return { kind: "misfit", schemas: schemasSoFar() };
    }
    let points = 0;
    for (;;) {
      // The lane with the earliest next point writes its points up to the next point of
      // any other lane, so that the file is in time order across tracks.
      let first: Lane | undefined;
      let bound = Infinity;
      for (const lane of lanes) {
        if (lane.isDone) continue;
        if (first === undefined || headTs(lane) < headTs(first)) {
          if (first !== undefined) bound = Math.min(bound, headTs(first));
          first = lane;
        } else {
          bound = Math.min(bound, headTs(lane));
        }
      }
      if (first === undefined) break;
      const batch = first.batch as ColumnBatch;
      const from = first.position;
      let to = from + 1;
      while (to < batch.count) {
        const raw = batch.timestamps[to] as number;
        if ((Number.isNaN(raw) ? -Infinity : raw) > bound) break;
        to++;
      }
      const messages = first.messages as MessageRecords;
      await mcap.addMessages(first.channelId, messages, batch.timestamps, from, to);
      first.position = to;
      const written = to - from;
      points += written;
      progress.onPoints(written);
      if (first.position >= batch.count && !(await advance(first, formatter))) {
        return { kind: "misfit", schemas: schemasSoFar() };
      }
    }
    await mcap.end();
    return { kind: "done", points };
  } finally {
    await formatter.close();
    for (const scan of scans) await scan.return?.();
  }
}

/**
 * Exports tracks into one MCAP file: one channel per track (the topic is the track's
 * name) with JSON messages (the point, with `_ts`) and a JSON Schema inferred from its
 * fields; `log_time` and `publish_time` are `_ts` in nanoseconds and `sequence` the
 * point's index. Messages of all tracks are merged in time order. When a point does not
 * fit the schema learned from the first points, the file is written again with the
 * schemas of the whole tracks.
 *
 * @throws {ConflictError} when the tracks' fields keep changing while they are exported
 */
export async function exportMcap(
  sources: readonly TrackSource[],
  openFile: () => Promise<ExportFile>,
  progress: ExportProgress,
  options: McapExportOptions = {},
): Promise<{ readonly points: number; readonly bytes: number }> {
  let schemas: ReadonlyMap<string, TrackSchema> | undefined;
  for (let attempt = 1; ; attempt++) {
    const file = await openFile();
    let outcome: Attempt;
    try {
      outcome = await writeOnce(sources, file, schemas, progress, options);
      if (outcome.kind === "done") {
        await file.commit();
        return { points: outcome.points, bytes: file.position };
      }
    } finally {
      await file.discard();
    }
    if (attempt === MAX_SCHEMA_ATTEMPTS) {
      throw new ConflictError(
        `The fields of the tracks kept changing while they were exported (${attempt} attempts); try again once they are written`,
      );
    }
    progress.onRestart();
    const wider = new Map<string, TrackSchema>();
    for (const source of sources) {
      const builder = new SchemaBuilder();
      const before = outcome.schemas.get(source.name);
      if (before !== undefined) builder.merge(before);
      builder.merge(await inferSchema(source.scan()));
      wider.set(source.name, builder.schema());
    }
    schemas = wider;
  }
}
