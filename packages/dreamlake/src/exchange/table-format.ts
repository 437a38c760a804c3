import type { ColumnBatch } from "../core/column-batch.js";
import type { ByteSink } from "./byte-sink.js";
import type { TrackSchema } from "./track-schema.js";

/** Writes one track's points into one file of a format (CSV, JSON Lines, Parquet). */
export interface TableWriter {
  /** Writes the points of a batch. The batch fits the writer's schema (`batchFits`). */
  write(batch: ColumnBatch): Promise<void>;
  /** Writes what is left (a footer). Called once, after the last batch. */
  finish(): Promise<void>;
}

/** A format that holds one track per file. */
export type TableFormat = {
  /** The file name extension, such as `.csv`. */
  readonly extension: string;
  /** Whether the writer needs the track's schema before the first point. */
  readonly needsSchema: boolean;
  /** Starts a file. `schema` is empty when the format does not need one. */
  open(sink: ByteSink, schema: TrackSchema, track: string): Promise<TableWriter>;
};

/** Columns every table export adds before the track's fields. */
export const INDEX_COLUMN = "_index";
export const TS_COLUMN = "_ts";
