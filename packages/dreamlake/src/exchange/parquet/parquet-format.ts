import type { ColumnBatch } from "../../core/column-batch.js";
import type { ByteSink } from "../byte-sink.js";
import type { TableFormat, TableWriter } from "../table-format.js";
import type { TrackSchema } from "../track-schema.js";
import { arrowSchema, rowGroupIpc } from "./arrow-row-group.js";
import { openParquetStream } from "./parquet-stream.js";

/** Points per Parquet row group: a few MiB of numbers, read by DuckDB and pyarrow in parallel. */
export const ROW_GROUP_POINTS = 65_536;

/**
 * Parquet, one file per track: `_index` (INT64), `_ts` (DOUBLE, as stored), `_time`
 * (TIMESTAMP(MICROS, UTC) of `_ts`), then one column per field: whole numbers INT64,
 * other numbers DOUBLE, booleans BOOLEAN, text and fields of mixed types UTF8 (the latter
 * as JSON), bytes BINARY, lists LIST and objects STRUCT columns. Row groups of
 * {@link ROW_GROUP_POINTS} points are written as they fill (snappy), so memory holds one.
 */
export const PARQUET_FORMAT: TableFormat = {
  extension: ".parquet",
  needsSchema: true,
  open: (sink: ByteSink, schema: TrackSchema, track: string): Promise<TableWriter> => {
    const arrow = arrowSchema(schema);
    const stream = openParquetStream(sink, {
      rowGroupPoints: ROW_GROUP_POINTS,
      textColumns: [...schema.fields]
        .filter(([, type]) => type.kind === "string")
        .map(([name]) => name),
      metadata: { "dreamlake.track": track },
    });
    let pending: ColumnBatch[] = [];
    let pendingPoints = 0;
    const flush = async (): Promise<void> => {
      if (pendingPoints === 0) return;
      const batches = pending;
      pending = [];
      pendingPoints = 0;
      await stream.write(rowGroupIpc(arrow, schema, batches));
    };
    return Promise.resolve({
      write: async (batch) => {
        pending.push(batch);
        pendingPoints += batch.count;
        if (pendingPoints >= ROW_GROUP_POINTS) await flush();
      },
      finish: async () => {
        await flush();
        if (stream.rowGroups === 0) await stream.write(rowGroupIpc(arrow, schema, []));
        await stream.close();
      },
    });
  },
};
