/**
 * Which reads a chart makes for a view, and their answers as series data: one request per
 * track (every field it needs at once), raw points when the last answer says the view
 * holds few enough, else the downsample at one bucket per pixel column.
 *
 * @module
 */
import { api, type Bucket, type RawPoint } from "../api-client.js";
import {
  RAW_POINTS_LIMIT,
  TIME,
  bucketsOf,
  pointsInRange,
  pointsOf,
  type SeriesData,
} from "./chart-data.js";

/** One line of a chart. */
export type SeriesSpec = {
  readonly sessionId: string;
  /** Names the session in the legend when a chart compares sessions. */
  readonly sessionLabel: string;
  readonly track: string;
  readonly field: string;
};

/** A time range, in seconds since the epoch. */
export type View = { readonly start: number; readonly end: number };

/** Largest raw read: the API's own limit. */
const MAX_RAW_READ = 10_000;

/** What a load needs to know. */
export type LoadRequest = {
  readonly series: readonly SeriesSpec[];
  readonly xField: string;
  /** The time range shown; undefined for the whole track. */
  readonly view: View | undefined;
  /** What each series held before (one entry per series), to judge whether to read raw. */
  readonly previous: readonly SeriesData[];
  /** Buckets of a downsample: the plot's width in pixels. */
  readonly buckets: number;
  readonly signal: AbortSignal;
};

/** Reads the data of every series for a view. */
export async function loadSeries(request: LoadRequest): Promise<SeriesData[]> {
  const { series, xField, view, previous, signal } = request;
  const isFewPoints =
    view !== undefined &&
    previous.length === series.length &&
    previous.every((data) => pointsInRange(data, view.start, view.end) <= RAW_POINTS_LIMIT);
  const groups = new Map<string, { spec: SeriesSpec; fields: Set<string> }>();
  for (const spec of series) {
    const key = trackKey(spec);
    const group = groups.get(key) ?? { spec, fields: new Set<string>() };
    group.fields.add(spec.field);
    if (xField !== TIME) group.fields.add(xField);
    groups.set(key, group);
  }
  const answers = new Map<string, { raw?: readonly RawPoint[]; buckets?: readonly Bucket[] }>();
  await Promise.all(
    [...groups].map(async ([key, { spec, fields }]) => {
      if (isFewPoints) {
        const raw = await api.points(
          spec.sessionId,
          spec.track,
          { startTime: view.start, endTime: view.end, limit: MAX_RAW_READ },
          signal,
        );
        // More than one read holds: the estimate was wrong, draw buckets after all.
        if (!raw.hasMore) {
          answers.set(key, { raw: raw.points });
          return;
        }
      }
      const result = await api.downsample(
        spec.sessionId,
        spec.track,
        {
          buckets: request.buckets,
          ...(view === undefined ? {} : { startTime: view.start, endTime: view.end }),
          fields: [...fields],
        },
        signal,
      );
      answers.set(key, { buckets: result.buckets });
    }),
  );
  return series.map((spec) => {
    const answer = answers.get(trackKey(spec));
    return answer?.raw !== undefined
      ? pointsOf(answer.raw, spec.field, xField)
      : bucketsOf(answer?.buckets ?? [], spec.field, xField);
  });
}

function trackKey(spec: SeriesSpec): string {
  return `${spec.sessionId}\u0000${spec.track}`;
}
