/** A session's logs: newest first, a level filter, a search box and pages. */
import { api, type LogEntry } from "../api-client.js";
import { formatTime, formatValue, h, replace } from "../dom.js";
import { noteLogsDrawn } from "../page-data.js";

const PAGE = 50;
const LEVELS = ["debug", "info", "warn", "error", "fatal"] as const;

export class LogsSection {
  readonly element: HTMLElement;
  readonly #sessionId: string;
  readonly #rows = h("tbody");
  readonly #pager = h("div", { class: "pager" });
  readonly #level = h(
    "select",
    { name: "level", "aria-label": "Level" },
    h("option", { value: "" }, "every level"),
    h("option", { value: "warn,error,fatal" }, "warn and worse"),
    ...LEVELS.map((level) => h("option", { value: level }, level)),
  );
  readonly #search = h("input", { type: "search", name: "search", placeholder: "Search messages" });
  #offset = 0;
  #request = 0;
  #newestSequence: number | null | undefined;

  constructor(sessionId: string) {
    this.#sessionId = sessionId;
    this.#level.addEventListener("change", () => {
      this.#offset = 0;
      void this.refresh();
    });
    let typing: ReturnType<typeof setTimeout> | undefined;
    this.#search.addEventListener("input", () => {
      clearTimeout(typing);
      typing = setTimeout(() => {
        this.#offset = 0;
        void this.refresh();
      }, 250);
    });
    this.element = h(
      "section",
      { class: "logs" },
      h("h2", {}, "Logs"),
      h("div", { class: "filters" }, this.#level, this.#search),
      h(
        "table",
        { class: "log-table" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", {}, "#"),
            h("th", {}, "time"),
            h("th", {}, "level"),
            h("th", {}, "message"),
          ),
        ),
        this.#rows,
      ),
      this.#pager,
    );
  }

  /**
   * Whether an entry numbered `newestSequence` (the log's newest) would change what is on
   * screen: the first page shows, and it is not that entry already.
   */
  wouldShow(newestSequence: number | null): boolean {
    return this.#offset === 0 && newestSequence !== this.#newestSequence;
  }

  async refresh(): Promise<void> {
    const request = ++this.#request;
    const page = await api.logs(this.#sessionId, {
      level: this.#level.value,
      search: this.#search.value.trim(),
      limit: PAGE,
      offset: this.#offset,
    });
    if (request !== this.#request) return;
    const isUnfiltered = this.#level.value === "" && this.#search.value.trim() === "";
    if (this.#offset === 0 && isUnfiltered) {
      this.#newestSequence = page.logs[0]?.sequenceNumber ?? null;
    }
    replace(this.#rows, ...page.logs.map(row));
    if (page.logs.length === 0)
      replace(this.#rows, h("tr", {}, h("td", { colspan: 4 }, "No entries")));
    const button = (label: string, offset: number, isEnabled: boolean) =>
      h(
        "button",
        {
          type: "button",
          disabled: !isEnabled,
          onclick: () => {
            this.#offset = offset;
            void this.refresh();
          },
        },
        label,
      );
    replace(
      this.#pager,
      button("Newer", Math.max(0, this.#offset - PAGE), this.#offset > 0),
      page.logs.length === 0
        ? " "
        : ` entries ${this.#offset + 1}–${this.#offset + page.logs.length} (newest first) `,
      button("Older", this.#offset + PAGE, page.hasMore),
    );
    noteLogsDrawn();
  }
}

function row(entry: LogEntry): HTMLElement {
  return h(
    "tr",
    { class: `level-${entry.level}`, "data-sequence": entry.sequenceNumber },
    h("td", {}, entry.sequenceNumber),
    h("td", {}, formatTime(entry.timestamp)),
    h("td", {}, entry.level),
    h(
      "td",
      {},
      entry.message,
      entry.metadata === undefined
        ? null
        : h("span", { class: "meta" }, ` ${formatValue(entry.metadata)}`),
    ),
  );
}
