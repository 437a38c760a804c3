import {
  Compression,
  Table,
  transformParquetStream,
  WriterPropertiesBuilder,
  type RecordBatch,
} from "parquet-wasm";
import type { ByteSink } from "../byte-sink.js";

/** Options of {@link openParquetStream}. */
export type ParquetStreamOptions = {
  /** Rows per row group. */
  readonly rowGroupPoints: number;
  /** Top-level text columns, dictionary-encoded (numbers are not: it costs more than it saves). */
  readonly textColumns: readonly string[];
  /** Key-value metadata of the file. */
  readonly metadata: Readonly<Record<string, string>>;
};

/** A Parquet file being written from Arrow IPC streams, one row group at a time. */
export type ParquetStream = {
  /** Row groups written so far. */
  readonly rowGroups: number;
  /** Writes the record batches of an Arrow IPC stream; resolves once their bytes reached the sink. */
  write(ipc: Uint8Array): Promise<void>;
  /** Writes the footer. */
  close(): Promise<void>;
};

/**
 * Writes Parquet with parquet-wasm (the Rust `parquet` crate in WebAssembly, the one file
 * that imports it): Arrow IPC in, the file's bytes out to `sink` as each row group is
 * finished. Memory holds about one row group.
 */
export function openParquetStream(sink: ByteSink, options: ParquetStreamOptions): ParquetStream {
  let builder = new WriterPropertiesBuilder()
    .setCompression(Compression.SNAPPY)
    .setDictionaryEnabled(false)
    .setMaxRowGroupSize(options.rowGroupPoints)
    .setCreatedBy("dreamlake")
    .setKeyValueMetadata(new Map(Object.entries(options.metadata)));
  for (const column of options.textColumns)
    builder = builder.setColumnDictionaryEnabled(column, true);
  // The writer pulls the input: each write hands over its batches and waits until they
  // were taken, so that no more than one row group waits in memory.
  const queue: RecordBatch[] = [];
  let wakeReader: (() => void) | undefined;
  let wakeWriter: (() => void) | undefined;
  let isClosed = false;
  const input = new ReadableStream<RecordBatch>(
    {
      pull: async (controller) => {
        while (queue.length === 0 && !isClosed) {
          await new Promise<void>((resolve) => {
            wakeReader = resolve;
          });
        }
        const next = queue.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(next);
        wakeWriter?.();
      },
    },
    { highWaterMark: 0 },
  );
  // The writer reads the first batch (for its schema) before it answers: started here, it
  // is awaited by the pump once the first write has queued one.
  const output = transformParquetStream(input, builder.build());
  // Set by the pump when writing fails; an object, so that every closure sees the change.
  const state: { failure: Error | undefined } = { failure: undefined };
  const failed = (): Error | undefined => state.failure;
  const pump = (async () => {
    try {
      for await (const chunk of (await output) as AsyncIterable<Uint8Array>) {
        await sink.write(chunk);
      }
    } catch (error: unknown) {
      state.failure =
        error instanceof Error ? error : new Error(`Parquet writer: ${String(error)}`);
      wakeWriter?.();
      throw state.failure;
    }
  })();
  pump.catch(() => undefined);
  let rowGroups = 0;
  return {
    get rowGroups() {
      return rowGroups;
    },
    write: async (ipc) => {
      const early = failed();
      if (early !== undefined) throw early;
      const table = Table.fromIPCStream(ipc);
      try {
        for (let b = 0; b < table.numBatches; b++) {
          const batch = table.recordBatch(b);
          if (batch !== undefined) queue.push(batch);
        }
      } finally {
        table.free();
      }
      rowGroups++;
      wakeReader?.();
      while (queue.length > 0 && failed() === undefined) {
        await new Promise<void>((resolve) => {
          wakeWriter = resolve;
        });
      }
      const late = failed();
      if (late !== undefined) throw late;
    },
    close: async () => {
      isClosed = true;
      wakeReader?.();
      await pump;
    },
  };
}
