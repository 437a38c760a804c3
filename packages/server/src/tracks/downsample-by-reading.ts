import {
  BucketGrid,
  Downsampler,
  EMPTY_DOWNSAMPLE,
  MAX_READ_LIMIT,
  type DownsampleQuery,
  type DownsampleResult,
  type FieldValue,
  type ReadResult,
} from "dreamlake/engine";

/** What {@link downsampleByReading} reads a track through. */
export type TrackReader = {
  /** Points by index (a page of at most 10,000). */
  readonly read: (startIndex: number, limit: number) => Promise<ReadResult>;
  /** The track's smallest and largest `_ts`, or null when it is empty. */
  readonly timeRange: () => Promise<{
    readonly first: number | null;
    readonly last: number | null;
  }>;
};

/**
 * A downsample computed by reading every point of the track in index order, page by page:
 * exact, in memory bounded by one page, and as slow as a full read. For adapters without
 * summaries of their own.
 */
export async function downsampleByReading(
  reader: TrackReader,
  query: DownsampleQuery,
): Promise<DownsampleResult> {
  let start = query.startTime;
  let end = query.endTime;
  if (start === undefined || end === undefined) {
    const { first, last } = await reader.timeRange();
    start ??= first ?? undefined;
    end ??= last ?? undefined;
  }
  if (start === undefined || end === undefined || end < start) return EMPTY_DOWNSAMPLE;
  const sampler = new Downsampler(
    new BucketGrid(start, end, query.buckets, query.endTime === undefined),
    query.fields,
  );
  for (let startIndex = 0; ;) {
    const page = await reader.read(startIndex, MAX_READ_LIMIT);
    for (const { data } of page.data) {
      const ts = data["_ts"];
      if (typeof ts !== "number") continue;
      sampler.addPoint(ts, (visit) => {
        for (const key of Object.keys(data)) visit(key, data[key] as FieldValue);
      });
    }
    if (!page.hasMore || page.data.length === 0) break;
    startIndex = page.endIndex + 1;
  }
  return sampler.result();
}
