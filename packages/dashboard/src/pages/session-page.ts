/** A session: its charts, tracks, params, logs and files, updated live. */
import { api, type TrackView } from "../api-client.js";
import { ChartPanel } from "../charts/chart-panel.js";
import { chartBuilder, defaultFields } from "../charts/chart-builder.js";
import { formatCount, formatTime, formatValue, h, replace } from "../dom.js";
import { watchSession } from "../live-events.js";
import { filesSection } from "./files-section.js";
import { LogsSection } from "./logs-section.js";

/** Tracks charted when the page opens. */
const FIRST_CHARTS = 4;

export async function renderSessionPage(main: HTMLElement, sessionId: string): Promise<() => void> {
  const [session, { tracks: listed }, { params }] = await Promise.all([
    api.session(sessionId),
    api.tracks(sessionId),
    api.params(sessionId),
  ]);
  const tracks = [...listed];
  const charts: ChartPanel[] = [];
  const chartList = h("div", { class: "charts" });
  const addChart = (track: string, fields: readonly string[], xField?: string): void => {
    const line = (name: string, field: string) => ({
      sessionId,
      sessionLabel: session.prefix,
      track: name,
      field,
    });
    // Any field of any track can join the chart, if its track has the x field too.
    const choices = tracks
      .filter(
        (candidate) =>
          xField === undefined || xField === "_ts" || candidate.numericFields.includes(xField),
      )
      .flatMap((candidate) =>
        candidate.numericFields
          .filter((field) => field !== xField)
          .map((field) => line(candidate.name, field)),
      );
    const panel = new ChartPanel(
      fields.map((field) => line(track, field)),
      {
        choices,
        ...(xField === undefined ? {} : { xField }),
        onRemove: () => {
          charts.splice(charts.indexOf(panel), 1);
        },
      },
    );
    charts.push(panel);
    chartList.appendChild(panel.element);
    void panel.load();
  };
  const trackRows = new Map<string, HTMLElement>();
  const trackTable = h(
    "table",
    { class: "tracks" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", {}, "track"),
        h("th", {}, "points"),
        h("th", {}, "first"),
        h("th", {}, "last"),
        h("th", {}, "numeric fields"),
      ),
    ),
    h(
      "tbody",
      {},
      ...tracks.map((track) => {
        const row = trackRow(track);
        trackRows.set(track.name, row);
        return row;
      }),
    ),
  );
  const logs = new LogsSection(sessionId);
  replace(
    main,
    h(
      "section",
      { class: "session-head" },
      h("h1", {}, session.prefix),
      session.description === null ? null : h("p", {}, session.description),
      h("p", { class: "tags" }, ...session.tags.map((tag) => h("span", { class: "tag" }, tag))),
      h("p", { class: "meta" }, `created ${formatTime(session.createdAt)}`),
    ),
    h(
      "section",
      {},
      h("h2", {}, "Charts"),
      tracks.length === 0
        ? h("p", {}, "No tracks yet")
        : chartBuilder(tracks, (request) => {
            addChart(request.track, request.fields, request.xField);
          }),
      chartList,
    ),
    h("section", {}, h("h2", {}, "Tracks"), trackTable),
    h("section", {}, h("h2", {}, "Params"), paramsTable(params)),
    logs.element,
    h("div", { id: "files" }),
  );
  for (const track of tracks.slice(0, FIRST_CHARTS)) {
    const fields = defaultFields(track);
    if (fields.length > 0) addChart(track.name, fields);
  }
  await logs.refresh();
  main.querySelector("#files")?.replaceWith(await filesSection(sessionId));
  const stop = watchSession(
    sessionId,
    tracks.map((track) => track.name),
    {
      track: (event) => {
        const known = tracks.find((track) => track.name === event.name);
        // Each track's state comes once on connect: only a change is news.
        if (known?.totalDataPoints === event.totalDataPoints) return;
        const row = trackRows.get(event.name);
        if (row !== undefined && known !== undefined) {
          const fresh = trackRow({ ...known, ...event });
          row.replaceWith(fresh);
          trackRows.set(event.name, fresh);
        }
        if (known !== undefined) tracks[tracks.indexOf(known)] = { ...known, ...event };
        const ends = { previousLastTs: known?.lastTs ?? null, lastTs: event.lastTs };
        for (const chart of charts) chart.trackChanged(sessionId, event.name, ends);
      },
      logs: (event) => {
        if (logs.wouldShow(event.newestSequence)) void logs.refresh();
      },
    },
  );
  return () => {
    stop();
    for (const chart of charts) chart.destroy();
  };
}

function trackRow(track: TrackView): HTMLElement {
  return h(
    "tr",
    { "data-track": track.name },
    h("td", {}, track.name),
    h("td", { class: "points" }, formatCount(track.totalDataPoints)),
    h("td", {}, formatTime(track.firstTs)),
    h("td", {}, formatTime(track.lastTs)),
    h("td", {}, track.numericFields.join(", ")),
  );
}

function paramsTable(params: Readonly<Record<string, unknown>>): HTMLElement {
  const keys = Object.keys(params).sort();
  if (keys.length === 0) return h("p", {}, "No params");
  return h(
    "table",
    { class: "params" },
    h("thead", {}, h("tr", {}, h("th", {}, "key"), h("th", {}, "value"))),
    h(
      "tbody",
      {},
      ...keys.map((key) => h("tr", {}, h("td", {}, key), h("td", {}, formatValue(params[key])))),
    ),
  );
}
