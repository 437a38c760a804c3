/** The sessions: filters (text, tag, param value), a table, and a pick for comparing. */
import { api, type SessionSummary } from "../api-client.js";
import { formatCount, formatTime, h, replace } from "../dom.js";

export type SessionsFilter = { readonly q: string; readonly tag: string; readonly param: string };

export async function renderSessionsPage(
  main: HTMLElement,
  filter: SessionsFilter,
  navigate: (hash: string) => void,
): Promise<() => void> {
  const list = await api.sessions(filter);
  const picked = new Set<string>();
  const compare = h("a", { class: "button disabled", href: "#/compare" }, "Compare picked");
  const updateCompare = (): void => {
    compare.setAttribute(
      "href",
      `#/compare?sessions=${[...picked].map(encodeURIComponent).join(",")}`,
    );
    compare.classList.toggle("disabled", picked.size < 1);
  };
  const q = h("input", { type: "search", name: "q", placeholder: "Text", value: filter.q });
  const tag = h(
    "select",
    { name: "tag", "aria-label": "Tag" },
    h("option", { value: "" }, "any tag"),
    ...list.tags.map((name) => h("option", { value: name, selected: name === filter.tag }, name)),
  );
  const param = h("input", {
    type: "search",
    name: "param",
    placeholder: "Param: lr=0.001",
    value: filter.param,
  });
  const apply = (event: Event): void => {
    event.preventDefault();
    const search = new URLSearchParams();
    if (q.value.trim() !== "") search.set("q", q.value.trim());
    if (tag.value !== "") search.set("tag", tag.value);
    if (param.value.trim() !== "") search.set("param", param.value.trim());
    const text = search.toString();
    navigate(`#/${text === "" ? "" : `?${text}`}`);
  };
  tag.addEventListener("change", apply);
  replace(
    main,
    h("h1", {}, "Sessions"),
    h(
      "form",
      { class: "filters", onsubmit: apply },
      q,
      tag,
      param,
      h("button", { type: "submit" }, "Filter"),
      compare,
    ),
    h(
      "p",
      { class: "meta", id: "session-count" },
      `${formatCount(list.total)} sessions${list.hasMore ? `, the newest ${formatCount(list.sessions.length)} shown` : ""}`,
    ),
    h(
      "table",
      { class: "sessions" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", {}, ""),
          h("th", {}, "session"),
          h("th", {}, "tags"),
          h("th", {}, "started"),
          h("th", {}, "tracks"),
          h("th", {}, "points"),
          h("th", {}, "last write"),
        ),
      ),
      h(
        "tbody",
        {},
        ...list.sessions.map((session) =>
          sessionRow(session, (isPicked) => {
            if (isPicked) picked.add(session.id);
            else picked.delete(session.id);
            updateCompare();
          }),
        ),
      ),
    ),
  );
  return () => undefined;
}

function sessionRow(session: SessionSummary, onPick: (isPicked: boolean) => void): HTMLElement {
  const box = h("input", { type: "checkbox", "aria-label": `Pick ${session.prefix}` });
  box.addEventListener("change", () => {
    onPick(box.checked);
  });
  return h(
    "tr",
    { "data-session": session.id },
    h("td", {}, box),
    h(
      "td",
      {},
      h("a", { href: `#/session/${encodeURIComponent(session.id)}` }, session.prefix),
      session.description === null ? null : h("div", { class: "meta" }, session.description),
    ),
    h("td", {}, ...session.tags.map((tag) => h("span", { class: "tag" }, tag))),
    h("td", {}, formatTime(session.createdAt)),
    h("td", { class: "num" }, formatCount(session.trackCount)),
    h("td", { class: "num" }, formatCount(session.pointCount)),
    h("td", {}, formatTime(session.lastWriteAt)),
  );
}
