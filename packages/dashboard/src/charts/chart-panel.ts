/**
 * One chart: several series (a numeric field of a track of a session) against time or
 * against another field, loaded only through the downsampled read, zoomed by dragging,
 * panned and reset by buttons, refreshed by live updates while it shows a whole track or a
 * view that reaches the track's end. What to read for a view is `series-loader.ts`'s job.
 *
 * @module
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { h, formatCount } from "../dom.js";
import { forgetChart, publishChart } from "../page-data.js";
import { TIME, lineOf, timeRangeOfX, type SeriesData } from "./chart-data.js";
import { loadSeries, type SeriesSpec, type View } from "./series-loader.js";

const COLORS = [
  "#1f77b4",
  "#d62728",
  "#2ca02c",
  "#9467bd",
  "#ff7f0e",
  "#17becf",
  "#8c564b",
  "#e377c2",
];
const HEIGHT_PX = 260;
let nextId = 1;

export class ChartPanel {
  readonly element: HTMLElement;
  readonly #id = nextId++;
  readonly #xField: string;
  readonly #series: SeriesSpec[] = [];
  readonly #showSession: boolean;
  readonly #plotBox: HTMLElement;
  readonly #status: HTMLElement;
  readonly #title: HTMLElement;
  #plot: uPlot | undefined;
  #data: SeriesData[] = [];
  #view: View | undefined;
  #loading: AbortController | undefined;
  #isReloadPending = false;
  #draws = 0;
  #lastDrawAt: number | undefined;
  #firstDrawMs: number | undefined;
  #zoomStartedMs: number | undefined;
  #lastZoomMs: number | undefined;
  readonly #onResize = (): void => {
    this.#plot?.setSize({ width: this.#width(), height: HEIGHT_PX });
  };

  constructor(
    series: readonly SeriesSpec[],
    options: {
      readonly xField?: string;
      readonly showSession?: boolean;
      readonly onRemove?: () => void;
      /** Lines that can be added to this chart (other fields, other tracks). */
      readonly choices?: readonly SeriesSpec[];
    } = {},
  ) {
    this.#xField = options.xField ?? TIME;
    this.#showSession = options.showSession ?? false;
    this.#series.push(...series);
    this.#plotBox = h("div", { class: "plot" });
    this.#status = h("div", { class: "chart-status" });
    this.#title = h("span", { class: "chart-title" });
    const button = (label: string, title: string, action: () => void) =>
      h("button", { type: "button", title, onclick: action }, label);
    this.element = h(
      "section",
      { class: "chart", "data-chart": this.#id },
      h(
        "div",
        { class: "chart-bar" },
        this.#title,
        h(
          "span",
          { class: "chart-tools" },
          this.#choicePicker(options.choices ?? []),
          button("−", "Zoom out", () => {
            this.#zoomOut();
          }),
          button("←", "Pan left", () => {
            this.#pan(-0.5);
          }),
          button("→", "Pan right", () => {
            this.#pan(0.5);
          }),
          button("⤢", "Whole track", () => {
            this.#setView(undefined);
          }),
          options.onRemove === undefined
            ? null
            : button("×", "Remove chart", () => {
                this.destroy();
                options.onRemove?.();
              }),
        ),
      ),
      this.#plotBox,
      this.#status,
    );
    this.#renderTitle();
    window.addEventListener("resize", this.#onResize);
  }

  /** A menu that adds one of `choices` as a line (none when there is no choice). */
  #choicePicker(choices: readonly SeriesSpec[]): HTMLElement | null {
    if (choices.length === 0) return null;
    const picker = h(
      "select",
      { name: "add-series", "aria-label": "Add a line" },
      h("option", { value: "" }, "+ line"),
      ...choices.map((choice, i) =>
        h("option", { value: String(i) }, `${choice.track} › ${choice.field}`),
      ),
    );
    picker.addEventListener("change", () => {
      const choice = picker.value === "" ? undefined : choices[Number(picker.value)];
      picker.value = "";
      if (choice === undefined) return;
      if (this.#series.some((s) => s.track === choice.track && s.field === choice.field)) return;
      this.addSeries(choice);
    });
    return picker;
  }

  /** The sessions and tracks this chart draws. */
  get series(): readonly SeriesSpec[] {
    return this.#series;
  }

  /** Adds a line and reloads. */
  addSeries(spec: SeriesSpec): void {
    this.#series.push(spec);
    this.#renderTitle();
    this.#plot?.destroy();
    this.#plot = undefined;
    void this.load();
  }

  /**
   * A watched track got points. A chart of the whole track follows them; so does a zoomed
   * time chart whose view reaches the track's previous end (it keeps its start and grows to
   * the new end). Any other zoomed view stays where the user put it.
   */
  trackChanged(
    sessionId: string,
    track: string,
    ends: { readonly previousLastTs: number | null; readonly lastTs: number | null },
  ): void {
    if (!this.#series.some((s) => s.sessionId === sessionId && s.track === track)) return;
    if (this.#view !== undefined) {
      const { previousLastTs, lastTs } = ends;
      const isAtEnd =
        this.#xField === TIME &&
        previousLastTs !== null &&
        lastTs !== null &&
        lastTs > previousLastTs &&
        // A view dragged to the right edge ends within a pixel or so of the last point.
        this.#view.end >= previousLastTs - (this.#view.end - this.#view.start) * 0.01;
      if (!isAtEnd) return;
      // Just past the newest point: the end of a time read is exclusive.
      this.#view = {
        start: this.#view.start,
        end: lastTs + Math.max(1e-6, Math.abs(lastTs) * 1e-12),
      };
    }
    if (this.#loading !== undefined) this.#isReloadPending = true;
    else void this.load();
  }

  destroy(): void {
    this.#loading?.abort();
    this.#plot?.destroy();
    window.removeEventListener("resize", this.#onResize);
    forgetChart(this.#id);
    this.element.remove();
  }

  /** Fetches the data of the current view (whole track, or zoomed) and draws it. */
  async load(): Promise<void> {
    this.#loading?.abort();
    const controller = new AbortController();
    this.#loading = controller;
    this.#publish();
    try {
      const data = await loadSeries({
        series: this.#series,
        xField: this.#xField,
        view: this.#view,
        previous: this.#data,
        buckets: this.#bucketCount(),
        signal: controller.signal,
      });
      if (controller.signal.aborted) return;
      this.#data = data;
      this.#draw();
    } catch (error: unknown) {
      if (controller.signal.aborted) return;
      this.#status.textContent = `Could not load: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      if (this.#loading === controller) this.#loading = undefined;
      this.#publish();
    }
    if (this.#isReloadPending && this.#loading === undefined) {
      this.#isReloadPending = false;
      void this.load();
    }
  }

  #draw(): void {
    const lines = this.#data.map(lineOf);
    const tables = lines.map((line): uPlot.AlignedData => [line.xs, line.ys]);
    const data = tables.length === 1 ? (tables[0] as uPlot.AlignedData) : uPlot.join(tables);
    if (this.#plot === undefined) {
      this.#plot = new uPlot(this.#options(), data, this.#plotBox);
    } else {
      this.#plot.setData(data);
    }
    if (this.#view !== undefined && this.#xField === TIME) {
      this.#plot.setScale("x", { min: this.#view.start, max: this.#view.end });
    }
    this.#draws++;
    this.#lastDrawAt = Date.now();
    this.#firstDrawMs ??= performance.now();
    if (this.#zoomStartedMs !== undefined) {
      this.#lastZoomMs = performance.now() - this.#zoomStartedMs;
      this.#zoomStartedMs = undefined;
    }
    this.#renderStatus();
  }

  #options(): uPlot.Options {
    const isRaw = this.#data.some((data) => data.kind === "raw");
    return {
      width: this.#width(),
      height: HEIGHT_PX,
      scales: { x: { time: this.#xField === TIME } },
      axes: [this.#xField === TIME ? {} : { label: this.#xField }, {}],
      series: [
        { label: this.#xField === TIME ? "time" : this.#xField },
        ...this.#series.map((spec, i) => ({
          label: this.#label(spec),
          stroke: COLORS[i % COLORS.length] ?? "#1f77b4",
          width: 1,
          spanGaps: true,
          // Raw points show as dots when they are few enough to tell apart (uPlot decides).
          points: isRaw ? {} : { show: false },
        })),
      ],
      cursor: { drag: { x: true, y: false, setScale: false } },
      hooks: {
        setSelect: [
          (plot) => {
            if (plot.select.width < 3) return;
            const low = plot.posToVal(plot.select.left, "x");
            const high = plot.posToVal(plot.select.left + plot.select.width, "x");
            plot.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            this.#zoomToX(low, high);
          },
        ],
      },
    };
  }

  #zoomToX(low: number, high: number): void {
    if (this.#xField === TIME) {
      this.#setView({ start: low, end: high });
      return;
    }
    let range: View | undefined;
    for (const data of this.#data) {
      const part = timeRangeOfX(data, low, high);
      if (part === undefined) continue;
      range =
        range === undefined
          ? part
          : { start: Math.min(range.start, part.start), end: Math.max(range.end, part.end) };
    }
    if (range !== undefined) this.#setView(range);
  }

  /** The time range on screen: the view, or the span of the data drawn. */
  #shownRange(): View | undefined {
    if (this.#view !== undefined) return this.#view;
    let start = Infinity;
    let end = -Infinity;
    for (const data of this.#data) {
      if (data.kind === "raw") {
        for (const point of data.points) {
          start = Math.min(start, point.ts);
          end = Math.max(end, point.ts);
        }
      } else if (data.buckets.length > 0) {
        start = Math.min(start, data.buckets[0]?.startTime ?? Infinity);
        end = Math.max(end, data.buckets[data.buckets.length - 1]?.endTime ?? -Infinity);
      }
    }
    return end > start ? { start, end } : undefined;
  }

  #pan(fraction: number): void {
    const range = this.#shownRange();
    if (range === undefined) return;
    const shift = (range.end - range.start) * fraction;
    this.#setView({ start: range.start + shift, end: range.end + shift });
  }

  #zoomOut(): void {
    const range = this.#shownRange();
    if (range === undefined || this.#view === undefined) return;
    const half = range.end - range.start;
    this.#setView({ start: range.start - half / 2, end: range.end + half / 2 });
  }

  #setView(view: View | undefined): void {
    this.#view = view;
    this.#zoomStartedMs = performance.now();
    void this.load();
  }

  #bucketCount(): number {
    return Math.max(50, Math.min(4000, Math.round(this.#width())));
  }

  #width(): number {
    return Math.max(300, this.#plotBox.clientWidth || this.element.clientWidth || 800);
  }

  #label(spec: SeriesSpec): string {
    const name = spec.track === spec.field ? spec.field : `${spec.track} › ${spec.field}`;
    return this.#showSession ? `${spec.sessionLabel}: ${name}` : name;
  }

  #renderTitle(): void {
    // "robot/pose › position.0, position.1": each track named once.
    const byTrack = new Map<string, string[]>();
    for (const spec of this.#series) {
      const key = this.#showSession ? `${spec.sessionLabel}: ${spec.track}` : spec.track;
      byTrack.set(key, [...(byTrack.get(key) ?? []), spec.field]);
    }
    const parts = [...byTrack].map(
      ([track, fields]) => `${track} › ${[...new Set(fields)].join(", ")}`,
    );
    this.#title.textContent = `${parts.join("; ")}${this.#xField === TIME ? "" : ` vs ${this.#xField}`}`;
  }

  #renderStatus(): void {
    const parts = this.#data.map((data) =>
      data.kind === "raw"
        ? `${formatCount(data.points.length)} raw points`
        : `${formatCount(data.buckets.length)} buckets of ${formatCount(
            data.buckets.reduce((sum, bucket) => sum + bucket.count, 0),
          )} points`,
    );
    const zoom = this.#view === undefined ? "whole track" : "zoomed (drag to zoom further)";
    this.#status.textContent = `${[...new Set(parts)].join(" · ")} · ${zoom}`;
  }

  #publish(): void {
    publishChart({
      id: this.#id,
      title: this.#title.textContent,
      xField: this.#xField,
      view: this.#view,
      series: this.#series.map((spec, i) => ({
        label: this.#label(spec),
        sessionId: spec.sessionId,
        track: spec.track,
        field: spec.field,
        data: this.#data[i] ?? { kind: "buckets", buckets: [] },
      })),
      draws: this.#draws,
      firstDrawMs: this.#firstDrawMs,
      lastDrawAt: this.#lastDrawAt,
      lastZoomMs: this.#lastZoomMs,
      isLoading: this.#loading !== undefined,
    });
  }
}
