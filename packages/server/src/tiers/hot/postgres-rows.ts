import { summaryProperty } from "../chunk-summary-codec.js";
import type { ArchivalPlan, ChunkEntry, HotTrack } from "./hot-store.js";

// The rows of PostgresHotStore's tables as the pg driver returns them (bigint columns come
// as text: indexes stay exact up to 2^53, far past any track), and their conversions.

/** A row of `tracks`. */
export type TrackRecord = {
  id: string;
  session_id: string;
  name: string;
  description: string | null;
  tags: string[];
  metadata: Record<string, unknown> | null;
  created_at: number;
  updated_at: number;
  total_points: string;
  hot_start: string;
  min_ts: number | null;
  max_ts: number | null;
};

/** A row of `chunks`. */
export type ChunkRecord = {
  chunk_number: number;
  start_index: string;
  end_index: string;
  point_count: number;
  min_ts: number;
  max_ts: number;
  object_key: string;
  byte_size: string;
  checksum: string;
  /** The driver's parse of the `json` column; null for chunks archived before summaries. */
  summary: unknown;
};

/** A row of `archival_plans`. */
export type PlanRecord = {
  chunk_number: number;
  start_index: string;
  end_index: string;
  object_key: string;
};

/** A row of a batch read: the track's counters and one batch (nulls when none matched). */
export type BatchRecord = {
  hot_start: string;
  total_points: string;
  start_index: string | null;
  data: Buffer | null;
};

/** A row of a batch-records read: the counters and one batch with its ranges (nulls when none). */
export type BatchRangeRecord = BatchRecord & {
  end_index: string | null;
  min_ts: number | null;
  max_ts: number | null;
};

/** A row of a batch-span read: the track's counters and one batch's ranges (nulls when none). */
export type SpanRecord = {
  hot_start: string;
  total_points: string;
  start_index: string | null;
  end_index: string | null;
  min_ts: number | null;
  max_ts: number | null;
};

/** A `tracks` row as a {@link HotTrack}. */
export function toTrack(row: TrackRecord): HotTrack {
  return {
    trackId: row.id,
    sessionId: row.session_id,
    name: row.name,
    description: row.description,
    tags: row.tags,
    metadata: row.metadata,
    createdAtSeconds: row.created_at,
    updatedAtSeconds: row.updated_at,
    totalPoints: Number(row.total_points),
    hotStartIndex: Number(row.hot_start),
    minTs: row.min_ts,
    maxTs: row.max_ts,
  };
}

/** A `chunks` row as a {@link ChunkEntry}. */
export function toChunk(row: ChunkRecord): ChunkEntry {
  return {
    chunkNumber: row.chunk_number,
    startIndex: Number(row.start_index),
    endIndex: Number(row.end_index),
    count: row.point_count,
    minTs: row.min_ts,
    maxTs: row.max_ts,
    key: row.object_key,
    byteSize: Number(row.byte_size),
    checksum: row.checksum,
    ...summaryProperty(row.summary),
  };
}

/** An `archival_plans` row as an {@link ArchivalPlan}. */
export function toPlan(row: PlanRecord): ArchivalPlan {
  return {
    chunkNumber: row.chunk_number,
    startIndex: Number(row.start_index),
    endIndex: Number(row.end_index),
    key: row.object_key,
  };
}
