import type { ColumnBatch } from "../core/column-batch.js";
import { ConflictError } from "../core/errors.js";
import type { ExportFile, ExportTarget } from "./byte-sink.js";
import type { TableFormat } from "./table-format.js";
import type { ExportedFile, ExportProgress, TrackSource } from "./track-source.js";
import {
  batchFits,
  inferSchema,
  SchemaBuilder,
  SCHEMA_SAMPLE_POINTS,
  type TrackSchema,
} from "./track-schema.js";

/** How many times an export starts over with a wider schema before it gives up. */
const MAX_SCHEMA_ATTEMPTS = 4;

const NO_PROGRESS: ExportProgress = { onPoints: () => undefined, onRestart: () => undefined };

/** The outcome of one attempt: done, or a batch that did not fit the schema. */
type Attempt =
  | { readonly kind: "done"; readonly points: number }
  | { readonly kind: "misfit"; readonly schema: TrackSchema };

/** Takes batches from `scan` until `points` points were seen (or the scan ended). */
async function sample(
  scan: AsyncIterator<ColumnBatch>,
  points: number,
): Promise<{ readonly batches: ColumnBatch[]; readonly schema: TrackSchema }> {
  const builder = new SchemaBuilder();
  const batches: ColumnBatch[] = [];
  let seen = 0;
  while (seen < points) {
    const next = await scan.next();
    if (next.done === true) break;
    builder.observe(next.value);
    batches.push(next.value);
    seen += next.value.count;
  }
  return { batches, schema: builder.schema() };
}

async function writeOnce(
  source: TrackSource,
  format: TableFormat,
  file: ExportFile,
  known: TrackSchema | undefined,
  progress: ExportProgress,
): Promise<Attempt> {
  const scan = source.scan()[Symbol.asyncIterator]();
  try {
    let schema: TrackSchema = known ?? { fields: new Map() };
    let first: ColumnBatch[] = [];
    if (known === undefined && format.needsSchema) {
      ({ batches: first, schema } = await sample(scan, SCHEMA_SAMPLE_POINTS));
    }
    const writer = await format.open(file, schema, source.name);
    let points = 0;
    const take = async (batch: ColumnBatch): Promise<boolean> => {
      if (format.needsSchema && !batchFits(schema, batch)) return false;
      await writer.write(batch);
      points += batch.count;
      progress.onPoints(batch.count);
      return true;
    };
    for (const batch of first) await take(batch);
    first = [];
    for (;;) {
      const next = await scan.next();
      if (next.done === true) break;
      if (!(await take(next.value))) return { kind: "misfit", schema };
    }
    await writer.finish();
    return { kind: "done", points };
  } finally {
    await scan.return?.();
  }
}

/**
 * Exports one track into one file of a table format (CSV, JSON Lines, Parquet). The
 * schema is learned from the first points; when a later point does not fit it (a new
 * field, a number with a fraction in a field of whole numbers), the file is thrown away
 * and written again with the schema of the whole track. The file is written under a
 * temporary name and named only when complete.
 *
 * @throws {ConflictError} when the track's fields keep changing while it is exported
 */
export async function exportTable(
  source: TrackSource,
  format: TableFormat,
  openFile: () => Promise<ExportFile>,
  progress: ExportProgress = NO_PROGRESS,
): Promise<{ readonly points: number; readonly bytes: number }> {
  let schema: TrackSchema | undefined;
  for (let attempt = 1; ; attempt++) {
    const file = await openFile();
    let outcome: Attempt;
    try {
      outcome = await writeOnce(source, format, file, schema, progress);
      if (outcome.kind === "done") {
        await file.commit();
        return { points: outcome.points, bytes: file.position };
      }
    } finally {
      await file.discard();
    }
    if (attempt === MAX_SCHEMA_ATTEMPTS) {
      throw new ConflictError(
        `The fields of track ${JSON.stringify(source.name)} kept changing while it was exported (${attempt} attempts); try again once it is written`,
      );
    }
    progress.onRestart();
    const builder = new SchemaBuilder();
    builder.merge(outcome.schema);
    builder.merge(await inferSchema(source.scan()));
    schema = builder.schema();
  }
}

/**
 * Exports tracks into files of a table format, one per track: the target itself for one
 * track, else `<target>/<track name><extension>` (a track `robot/pose` in `robot/`).
 */
export async function exportTables(
  sources: readonly TrackSource[],
  format: TableFormat,
  target: ExportTarget,
  layout: "file" | "folder",
  progress: ExportProgress = NO_PROGRESS,
): Promise<ExportedFile[]> {
  const files: ExportedFile[] = [];
  for (const source of sources) {
    const path = layout === "file" ? "" : `${source.name}${format.extension}`;
    const result = await exportTable(source, format, () => target.open(path), progress);
    files.push({ tracks: [source.name], path, ...result });
  }
  return files;
}
