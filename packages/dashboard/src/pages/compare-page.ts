/** Compare: the same field of the same track from several sessions on one chart. */
import { api, type SessionView, type TrackView } from "../api-client.js";
import { ChartPanel } from "../charts/chart-panel.js";
import { TIME } from "../charts/chart-data.js";
import { h, replace } from "../dom.js";

export async function renderComparePage(
  main: HTMLElement,
  sessionIds: readonly string[],
  choice: { readonly track: string; readonly field: string; readonly x: string },
  navigate: (hash: string) => void,
): Promise<() => void> {
  if (sessionIds.length === 0) {
    replace(
      main,
      h("h1", {}, "Compare"),
      h("p", {}, "Pick sessions on the ", h("a", { href: "#/" }, "sessions page"), " first."),
    );
    return () => undefined;
  }
  const sessions: { session: SessionView; tracks: readonly TrackView[] }[] = await Promise.all(
    sessionIds.map(async (id) => ({
      session: await api.session(id),
      tracks: (await api.tracks(id)).tracks,
    })),
  );
  // Tracks and fields that the sessions have, the first session's order first.
  const fieldsOf = new Map<string, Set<string>>();
  for (const { tracks } of sessions) {
    for (const track of tracks) {
      const fields = fieldsOf.get(track.name) ?? new Set<string>();
      for (const field of track.numericFields) fields.add(field);
      fieldsOf.set(track.name, fields);
    }
  }
  const track = fieldsOf.has(choice.track) ? choice.track : ([...fieldsOf.keys()][0] ?? "");
  const fields = [...(fieldsOf.get(track) ?? [])];
  const field = fields.includes(choice.field)
    ? choice.field
    : (fields.find((f) => f !== "step") ?? fields[0] ?? "");
  const x = choice.x === TIME || fields.includes(choice.x) ? choice.x : TIME;
  const go = (next: { track?: string; field?: string; x?: string }): void => {
    const search = new URLSearchParams({
      sessions: sessionIds.join(","),
      track: next.track ?? track,
      field: next.track === undefined ? (next.field ?? field) : "",
      x: next.x ?? x,
    });
    navigate(`#/compare?${search.toString()}`);
  };
  const select = (
    name: string,
    options: readonly string[],
    value: string,
    label: (option: string) => string,
    onPick: (option: string) => void,
  ) => {
    const element = h(
      "select",
      { name, "aria-label": name },
      ...options.map((option) =>
        h("option", { value: option, selected: option === value }, label(option)),
      ),
    );
    element.addEventListener("change", () => {
      onPick(element.value);
    });
    return element;
  };
  const chart = new ChartPanel(
    sessions
      .filter(({ tracks }) =>
        tracks.some(
          (candidate) => candidate.name === track && candidate.numericFields.includes(field),
        ),
      )
      .map(({ session }) => ({
        sessionId: session.id,
        sessionLabel: session.prefix,
        track,
        field,
      })),
    { xField: x, showSession: true },
  );
  replace(
    main,
    h("h1", {}, "Compare"),
    h(
      "p",
      {},
      ...sessions.map(({ session }) =>
        h(
          "a",
          { class: "tag", href: `#/session/${encodeURIComponent(session.id)}` },
          session.prefix,
        ),
      ),
    ),
    h(
      "div",
      { class: "filters" },
      select(
        "track",
        [...fieldsOf.keys()],
        track,
        (option) => option,
        (option) => {
          go({ track: option });
        },
      ),
      select(
        "field",
        fields,
        field,
        (option) => option,
        (option) => {
          go({ field: option });
        },
      ),
      select(
        "x",
        [TIME, ...fields],
        x,
        (option) => (option === TIME ? "x: time" : `x: ${option}`),
        (option) => {
          go({ x: option });
        },
      ),
    ),
    chart.element,
  );
  if (field !== "") void chart.load();
  return () => {
    chart.destroy();
  };
}
