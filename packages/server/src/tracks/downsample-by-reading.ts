import {
  BucketGrid,
  Downsampler,
  EMPTY_DOWNSAMPLE,
  MAX_READ_LIMIT,
  type DownsampleQuery,
  type DownsampleResult,
  type FieldValue,
  type Point,
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
  await addPointsFrom(sampler, reader.read, 0);
  return sampler.result();
}

/** Adds points to a downsample in the order given (the first and last of equal `_ts` depend on it). */
export function addPointsInOrder(sampler: Downsampler, points: readonly Point[]): void {
  for (const data of points) {
    const ts = data["_ts"];
    if (typeof ts !== "number") continue;
    sampler.addPoint(ts, (visit) => {
      for (const key of Object.keys(data)) visit(key, data[key] as FieldValue);
    });
  }
}

/** Adds the points from index `startIndex` to the end, read page by page in index order. */
export async function addPointsFrom(
  sampler: Downsampler,
  read: TrackReader["read"],
  startIndex: number,
): Promise<void> {
  for (let from = startIndex; ;) {
    const page = await read(from, MAX_READ_LIMIT);
    addPointsInOrder(
      sampler,
      page.data.map(({ data }) => data),
    );
    if (!page.hasMore || page.data.length === 0) return;
    from = page.endIndex + 1;
  }
}
