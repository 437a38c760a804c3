/**
 * The shapes of the track API's results as docs/FORMAT.md ("Results of the track API")
 * documents them, for the SDK contract suite: every count and index is an integer, every
 * time a number (or null where the table says so), in local, remote and hybrid sessions.
 */

/** A value's shape: `integer` or `number` for numbers, the keys of objects (sorted), typed arrays by name. */
export type Shape = string | Shape[] | { [key: string]: Shape };

/** The shape of `value`; an array by the shape of its first item. */
export function shapeOf(value: unknown): Shape {
  if (value === null) return "null";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  if (typeof value !== "object") return typeof value;
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, shapeOf(record[key])]),
  );
}

/** `appendBatch`, `appendColumns` and `flush`: three integers (Python's answer has six fields). */
export const APPEND_RESULT: Shape = {
  count: "integer",
  endIndex: "integer",
  startIndex: "integer",
};

const ROWS: Shape = [{ data: { _ts: "number", v: "number" }, index: "integer" }];

/** `read`. */
export const READ_RESULT: Shape = {
  data: ROWS,
  endIndex: "integer",
  hasMore: "boolean",
  startIndex: "integer",
  total: "integer",
};

/** `readByTime({ startTime })`: the bounds as asked, null where none was given. */
export const TIME_READ_RESULT: Shape = {
  data: ROWS,
  endTime: "null",
  hasMore: "boolean",
  startTime: "number",
  total: "integer",
};

/** `stats()` of a track written with no description, tags or metadata. */
export const STATS_RESULT: Shape = {
  bufferedDataPoints: "integer",
  chunkSize: "integer",
  chunkedDataPoints: "integer",
  createdAt: "string",
  description: "null",
  firstDataAt: "string",
  firstTs: "number",
  lastDataAt: "string",
  lastTs: "number",
  metadata: "null",
  name: "string",
  tags: [],
  totalChunks: "integer",
  totalDataPoints: "integer",
  trackId: "string",
  updatedAt: "string",
};

/** `downsample`. */
export const DOWNSAMPLE_RESULT: Shape = {
  bucketSeconds: "number",
  buckets: [
    {
      count: "integer",
      endTime: "number",
      fields: {
        v: {
          count: "integer",
          first: "number",
          firstTs: "number",
          last: "number",
          lastTs: "number",
          max: "number",
          mean: "number",
          min: "number",
        },
      },
      startTime: "number",
    },
  ],
  endTime: "number",
  startTime: "number",
};

/** A batch of `scanColumns`. */
export const COLUMN_BATCH: Shape = {
  count: "integer",
  fields: { v: ["number"] },
  indexes: "Float64Array",
  timestamps: "Float64Array",
};
