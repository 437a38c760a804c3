/**
 * The form that adds a chart: a track, one or more of its numeric fields, and the x axis
 * (time, or another numeric field such as `step`).
 *
 * @module
 */
import type { TrackView } from "../api-client.js";
import { h, replace } from "../dom.js";
import { TIME } from "./chart-data.js";

export type ChartRequest = {
  readonly track: string;
  readonly fields: readonly string[];
  readonly xField: string;
};

export function chartBuilder(
  tracks: readonly TrackView[],
  onAdd: (request: ChartRequest) => void,
): HTMLElement {
  const trackSelect = h(
    "select",
    { name: "track", "aria-label": "Track" },
    ...tracks.map((track) => h("option", { value: track.name }, track.name)),
  );
  const fieldBox = h("span", { class: "fields" });
  const xSelect = h("select", { name: "x", "aria-label": "X axis" });
  const fill = (): void => {
    const track = tracks.find((candidate) => candidate.name === trackSelect.value);
    const fields = track?.numericFields ?? [];
    replace(
      fieldBox,
      ...fields.map((field, i) =>
        h(
          "label",
          {},
          h("input", { type: "checkbox", name: "field", value: field, checked: i === 0 }),
          field,
        ),
      ),
    );
    replace(
      xSelect,
      h("option", { value: TIME }, "x: time"),
      ...fields.map((field) => h("option", { value: field }, `x: ${field}`)),
    );
  };
  trackSelect.addEventListener("change", fill);
  fill();
  return h(
    "form",
    {
      class: "chart-builder",
      onsubmit: (event: Event) => {
        event.preventDefault();
        const fields = [...fieldBox.querySelectorAll("input:checked")].map(
          (input) => (input as HTMLInputElement).value,
        );
        if (fields.length > 0) onAdd({ track: trackSelect.value, fields, xField: xSelect.value });
      },
    },
    trackSelect,
    fieldBox,
    xSelect,
    h("button", { type: "submit" }, "Add chart"),
  );
}

/** The fields a track's first chart shows: not the counters, at most three. */
export function defaultFields(track: TrackView): string[] {
  const counters = new Set(["step", "epoch", "iteration", "index"]);
  const fields = track.numericFields.filter((field) => !counters.has(field)).slice(0, 3);
  return fields.length > 0 ? fields : track.numericFields.slice(0, 1);
}
