/**
 * What the charts hold, exposed on `window.__dreamlake` for tests and for the curious: the
 * data each chart drew (buckets or raw points, per series), its view, and its timings.
 * Tests compare it with the track instead of reading pixels.
 *
 * @module
 */
import type { SeriesData } from "./charts/chart-data.js";

export type ChartSnapshot = {
  readonly id: number;
  readonly title: string;
  readonly xField: string;
  /** The time range shown; undefined for the whole track. */
  readonly view: { readonly start: number; readonly end: number } | undefined;
  readonly series: readonly {
    readonly label: string;
    readonly sessionId: string;
    readonly track: string;
    readonly field: string;
    readonly data: SeriesData;
  }[];
  /** Times the chart was drawn with new data. */
  readonly draws: number;
  /** `performance.now()` of the first draw: milliseconds after the navigation started. */
  readonly firstDrawMs: number | undefined;
  /** When it was last drawn with new data: milliseconds since the epoch (`Date.now()`). */
  readonly lastDrawAt: number | undefined;
  /** Milliseconds from the last zoom (or pan) to the redraw with its data. */
  readonly lastZoomMs: number | undefined;
  readonly isLoading: boolean;
};

type PageData = { charts: Map<number, ChartSnapshot>; logsVersion: number; logsDrawnAt: number };

declare global {
  interface Window {
    __dreamlake?: {
      readonly charts: () => ChartSnapshot[];
      readonly logsVersion: () => number;
      /** When the log view was last drawn: milliseconds since the epoch. */
      readonly logsDrawnAt: () => number;
    };
  }
}

const data: PageData = { charts: new Map(), logsVersion: 0, logsDrawnAt: 0 };
window.__dreamlake = {
  charts: () => [...data.charts.values()].sort((a, b) => a.id - b.id),
  logsVersion: () => data.logsVersion,
  logsDrawnAt: () => data.logsDrawnAt,
};

export function publishChart(snapshot: ChartSnapshot): void {
  data.charts.set(snapshot.id, snapshot);
}

export function forgetChart(id: number): void {
  data.charts.delete(id);
}

/** Counts log views drawn (tests wait for a live update by it). */
export function noteLogsDrawn(): void {
  data.logsVersion++;
  data.logsDrawnAt = Date.now();
}
