/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core), once over a
 * local folder with `dreamlake ui` and once on `dreamlake-server` with a token: sessions,
 * filters, a session's charts checked against the track through the page's data (not its
 * pixels), a zoom down to raw points, a live append and log line, a file download, and a
 * comparison. The `dreamlake ui` run also opens a 10,000,000-point track and prints how
 * long its first chart and a zoom took (the figures are reported, not asserted: speed is
 * measured by `npm run bench`). With DREAMLAKE_SCREENSHOTS=1 it saves docs/images/*.png.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { Session, type SessionOptions } from "dreamlake";
import { openBrowser, type Browser } from "./browser.js";
import { startUi } from "./served-ui.js";
import { QUIET } from "./sdk-modes.js";
import { serve } from "./served-server.js";

const T0 = 1_770_000_000;
const TRAIN_POINTS = 10_000;
const SPIKE_INDEX = 7000;
const BIG_POINTS = 10_000_000;
const IMAGES = fileURLToPath(new URL("../../../docs/images/", import.meta.url));
const isSavingScreenshots = process.env["DREAMLAKE_SCREENSHOTS"] === "1";

type Bucket = {
  startTime: number;
  endTime: number;
  count: number;
  y: { min: number; max: number; count: number };
};
type Point = { index: number; ts: number; x: number; y: number };
type Chart = {
  id: number;
  title: string;
  view: { start: number; end: number } | undefined;
  series: {
    label: string;
    track: string;
    field: string;
    data: { kind: "buckets"; buckets: Bucket[] } | { kind: "raw"; points: Point[] };
  }[];
  draws: number;
  firstDrawMs: number | undefined;
  lastZoomMs: number | undefined;
  lastDrawAt: number | undefined;
  isLoading: boolean;
};

/** What the functions run inside the page see (this file is compiled without the DOM's types). */
type PageElement = {
  readonly textContent: string | null;
  readonly firstChild: { readonly textContent: string | null } | null;
};
declare const document: {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
};
declare const window: { readonly __dreamlake?: { charts(): Chart[] } };

type Target = {
  readonly url: string;
  open(prefix: string, options?: Partial<SessionOptions>): Promise<Session>;
  /** Logs the page in when the server asks for a token. */
  login(page: Page): Promise<void>;
  close(): Promise<void>;
};

/** The big track's values: a slow wave and one spike. */
const SPIKE_AT = 6_543_210;
const bigValue = (i: number): number => Math.sin(i / 50_000) + (i === SPIKE_AT ? 10 : 0);

const loss = (i: number): number =>
  i === SPIKE_INDEX ? 25 : 1 / (1 + i / 500) + 0.01 * Math.sin(i);

async function writeSessions(target: Target): Promise<void> {
  const alpha = await target.open("vision/alpha", {
    tags: ["baseline", "gpu"],
    readme: "ResNet on 8 GPUs",
  });
  await alpha.params.set({ lr: 0.001, batch_size: 32, model: { layers: 4 } });
  await alpha.track("train").appendBatch(
    Array.from({ length: TRAIN_POINTS }, (_, i) => ({
      loss: loss(i),
      step: i,
      _ts: T0 + i * 0.01,
    })),
  );
  await alpha.track("robot/pose").appendBatch(
    Array.from({ length: 2000 }, (_, i) => ({
      position: [Math.sin(i / 100), Math.cos(i / 100), i / 1000],
      _ts: T0 + i * 0.05,
    })),
  );
  for (let i = 0; i < 40; i++) {
    alpha.log(i === 30 ? "GPU memory high" : `epoch ${i} done`, {
      level: i === 30 ? "warn" : i === 35 ? "error" : "info",
      metadata: { epoch: i },
    });
  }
  await alpha.files.upload(new TextEncoder().encode("weights of alpha\n"), {
    prefix: "/models",
    filename: "model.txt",
    description: "best",
  });
  await alpha.close();
  const beta = await target.open("vision/beta", { tags: ["sweep"] });
  await beta.params.set({ lr: 0.01, batch_size: 64, model: { layers: 4 } });
  await beta.track("train").appendBatch(
    Array.from({ length: TRAIN_POINTS }, (_, i) => ({
      loss: 1.2 / (1 + i / 300),
      step: i,
      _ts: T0 + 5 + i * 0.01,
    })),
  );
  beta.log("started");
  await beta.close();
}

function charts(page: Page): Promise<Chart[]> {
  return page.evaluate<Chart[]>("window.__dreamlake ? window.__dreamlake.charts() : []");
}

async function waitForChart(
  page: Page,
  match: (chart: Chart) => boolean,
  timeoutMs = 30_000,
): Promise<Chart> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await charts(page)).find((chart) => !chart.isLoading && match(chart));
    if (found !== undefined) return found;
    if (Date.now() > deadline)
      throw new Error(
        `no chart matched within ${timeoutMs} ms: ${JSON.stringify((await charts(page)).map((c) => c.title))}`,
      );
    await page.waitForTimeout(50);
  }
}

/** Drags across the chart's plot from `from` to `to` (fractions of its width). */
async function dragZoom(page: Page, chartId: number, from: number, to: number): Promise<void> {
  const plot = page.locator(`[data-chart="${chartId}"] .u-over`);
  await plot.scrollIntoViewIfNeeded();
  const box = await plot.boundingBox();
  if (box === null) throw new Error("the chart has no plot area");
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * from, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * ((from + to) / 2), y, { steps: 3 });
  await page.mouse.move(box.x + box.width * to, y, { steps: 3 });
  await page.mouse.up();
}

/** Waits until the session table shows exactly these sessions (by their last two segments). */
async function waitForRows(page: Page, prefixes: readonly string[]): Promise<void> {
  await page.waitForFunction(
    (wanted) =>
      JSON.stringify(
        [...document.querySelectorAll("table.sessions tbody tr td:nth-child(2) a")].map((a) =>
          (a.textContent ?? "").split("/").slice(-2).join("/"),
        ),
      ) === JSON.stringify(wanted),
    prefixes,
    { timeout: 10_000 },
  );
}

/** Waits until the log table shows exactly these messages, newest first. */
async function waitForLogs(page: Page, messages: readonly string[]): Promise<void> {
  await page.waitForFunction(
    (wanted) =>
      JSON.stringify(
        [
          ...document.querySelectorAll("table.log-table tbody tr[data-sequence] td:nth-child(4)"),
        ].map((cell) => cell.firstChild?.textContent ?? ""),
      ) === JSON.stringify(wanted),
    messages,
    { timeout: 10_000 },
  );
}

async function screenshot(page: Page, name: string): Promise<void> {
  if (isSavingScreenshots)
    await page.screenshot({ path: path.join(IMAGES, name), fullPage: false });
}

function describeDashboardInBrowser(
  name: string,
  options: { readonly isLocal: boolean },
  start: () => Promise<Target>,
): void {
  describe(`dashboard in Chromium: ${name}`, () => {
    let target: Target;
    let browser: Browser;
    let page: Page;
    // One set of pictures: the local run's (the server's differ only by the login).
    const shoot = (file: string): Promise<void> =>
      options.isLocal ? screenshot(page, file) : Promise.resolve();

    beforeAll(async () => {
      target = await start();
      await writeSessions(target);
      browser = await openBrowser();
      page = browser.page;
    }, 120_000);
    afterAll(async () => {
      await (browser as Browser | undefined)?.close();
      await (target as Target | undefined)?.close();
    });

    it("lists the sessions and filters them by text, tag and param value", async () => {
      await page.goto(`${target.url}/`);
      await target.login(page);
      await page.locator("table.sessions tbody tr").first().waitFor();
      const names = async () =>
        page.locator("table.sessions tbody tr td:nth-child(2) a").allTextContents();
      expect((await names()).map((prefix) => prefix.split("/").slice(-2).join("/"))).toEqual(
        expect.arrayContaining(["vision/alpha", "vision/beta"]),
      );
      await shoot("dashboard-sessions.png");
      await page.fill("input[name=q]", "alpha");
      await page.click("form.filters button[type=submit]");
      await waitForRows(page, ["vision/alpha"]);
      await page.fill("input[name=q]", "");
      await page.fill("input[name=param]", "lr=0.01");
      await page.click("form.filters button[type=submit]");
      await waitForRows(page, ["vision/beta"]);
      await page.fill("input[name=param]", "");
      await page.selectOption("select[name=tag]", "gpu");
      await waitForRows(page, ["vision/alpha"]);
    });

    it("draws a chart whose buckets hold the track's exact min, max and count, spike included", async () => {
      await page.click("table.sessions tbody tr a");
      const chart = await waitForChart(
        page,
        (c) => c.series.some((s) => s.track === "train" && s.field === "loss") && c.draws > 0,
      );
      const series = chart.series.find((s) => s.track === "train" && s.field === "loss")!;
      expect(series.data.kind).toBe("buckets");
      const buckets = (series.data as { buckets: Bucket[] }).buckets;
      expect(buckets.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(TRAIN_POINTS);
      expect(Math.max(...buckets.map((bucket) => bucket.y.max))).toBe(25);
      const reader = await target.open("vision/alpha");
      try {
        for (const bucket of [
          buckets[0]!,
          buckets[Math.floor(buckets.length / 2)]!,
          buckets[buckets.length - 2]!,
        ]) {
          const raw = await reader
            .track("train")
            .readByTime({ startTime: bucket.startTime, endTime: bucket.endTime, limit: 10_000 });
          const values = raw.data.map((point) => point.data["loss"] as number);
          expect(bucket.y).toMatchObject({
            count: values.length,
            min: Math.min(...values),
            max: Math.max(...values),
          });
        }
      } finally {
        await reader.close();
      }
      await page.locator("table.params").waitFor();
      expect(await page.locator("table.params").innerText()).toContain("model.layers");
      expect(await page.locator("table.tracks").innerText()).toContain("10,000");
      await page.locator("table.log-table tbody tr[data-sequence]").first().waitFor();
      await shoot("dashboard-session.png");
    });

    it("zooms until raw points show, and they are the track's points", async () => {
      const before = await waitForChart(page, (c) => c.series.some((s) => s.track === "train"));
      await dragZoom(page, before.id, 0.4, 0.6);
      const zoomed = await waitForChart(
        page,
        (c) => c.id === before.id && c.draws > before.draws && c.view !== undefined,
      );
      const series = zoomed.series[0]!;
      expect(series.data.kind).toBe("raw");
      const points = (series.data as { points: Point[] }).points;
      expect(points.length).toBeGreaterThan(100);
      const reader = await target.open("vision/alpha");
      try {
        const raw = await reader
          .track("train")
          .readByTime({ startTime: zoomed.view!.start, endTime: zoomed.view!.end, limit: 10_000 });
        expect(points.map((point) => [point.index, point.y])).toEqual(
          raw.data.map((point) => [point.index, point.data["loss"]]),
        );
      } finally {
        await reader.close();
      }
      console.log(
        `[dashboard ${name}] zoom of a ${TRAIN_POINTS}-point track to raw points redrawn in ${zoomed.lastZoomMs?.toFixed(0)} ms`,
      );
      await page.click(`[data-chart="${before.id}"] button[title="Whole track"]`);
      await waitForChart(
        page,
        (c) => c.id === before.id && c.view === undefined && c.series[0]!.data.kind === "buckets",
      );
    });

    it("shows a live append and a new log line within about a second", async () => {
      const chart = await waitForChart(page, (c) => c.series.some((s) => s.track === "train"));
      // A second chart of the track, zoomed onto its newest 30%: it follows the new points too.
      await page.selectOption("form.chart-builder select[name=track]", "train");
      await page.click("form.chart-builder button[type=submit]");
      const second = await waitForChart(
        page,
        (c) => c.id > chart.id && c.series[0]?.track === "train" && c.draws > 0,
      );
      await dragZoom(page, second.id, 0.7, 0.999);
      await waitForChart(
        page,
        (c) => c.id === second.id && c.view !== undefined && c.draws > second.draws,
      );
      const writer = await target.open("vision/alpha");
      await writer.track("train").appendBatch(
        Array.from({ length: 10 }, (_, i) => ({
          loss: 0.05,
          step: TRAIN_POINTS + i,
          _ts: T0 + 100 + i * 0.01,
        })),
      );
      writer.log("live line from another writer", { level: "warn" });
      await writer.close();
      // From the moment the points and the line are stored, to the page's own draw times.
      const storedAt = Date.now();
      await page.waitForFunction(
        ({ id, total }) =>
          window.__dreamlake
            ?.charts()
            .some(
              (c) =>
                c.id === id &&
                !c.isLoading &&
                c.series[0]?.data.kind === "buckets" &&
                c.series[0].data.buckets.reduce((sum, b) => sum + b.count, 0) === total,
            ) === true,
        { id: chart.id, total: TRAIN_POINTS + 10 },
        { timeout: 10_000, polling: 50 },
      );
      await page.waitForFunction(
        () =>
          document
            .querySelector("table.log-table tbody tr td:nth-child(4)")
            ?.textContent?.startsWith("live line") === true,
        null,
        { timeout: 10_000, polling: 50 },
      );
      const followed = await waitForChart(
        page,
        (c) =>
          c.id === second.id &&
          c.series[0]!.data.kind === "raw" &&
          c.series[0]!.data.points.some((point) => point.index === TRAIN_POINTS + 9),
        10_000,
      );
      expect(followed.view!.end).toBeGreaterThan(T0 + 100.09);
      const drawn = (await charts(page)).find((c) => c.id === chart.id)!;
      const chartMs = drawn.lastDrawAt! - storedAt;
      const logMs = (await page.evaluate<number>("window.__dreamlake.logsDrawnAt()")) - storedAt;
      console.log(
        `[dashboard ${name}] live: chart redrawn ${chartMs} ms, log view ${logMs} ms after the write was stored`,
      );
      expect(chartMs).toBeLessThan(5000);
      expect(await page.locator("table.tracks").innerText()).toContain("10,010");
    });

    it("filters and searches logs, and downloads a file with its bytes", async () => {
      await page.selectOption("select[name=level]", "error");
      await waitForLogs(page, ["epoch 35 done"]);
      await page.selectOption("select[name=level]", "warn,error,fatal");
      await waitForLogs(page, [
        "live line from another writer",
        "epoch 35 done",
        "GPU memory high",
      ]);
      await page.selectOption("select[name=level]", "");
      await page.fill("input[name=search]", "gpu memory");
      await waitForLogs(page, ["GPU memory high"]);
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.click("section.files a[download]"),
      ]);
      expect(download.suggestedFilename()).toBe("model.txt");
      expect(await readFile(await download.path(), "utf8")).toBe("weights of alpha\n");
      expect(await page.locator("section.files").innerText()).toMatch(/17 B/);
    });

    it("puts fields of two tracks on one chart", async () => {
      const chart = await waitForChart(
        page,
        (c) => c.series.length === 1 && c.series[0]!.track === "train",
      );
      await page.selectOption(`[data-chart="${chart.id}"] select[name=add-series]`, {
        label: "robot/pose › position.0",
      });
      const both = await waitForChart(
        page,
        (c) => c.id === chart.id && c.series.length === 2 && c.draws > chart.draws,
      );
      expect(both.series.map((s) => [s.track, s.field])).toEqual([
        ["train", "loss"],
        ["robot/pose", "position.0"],
      ]);
      const pose = both.series[1]!.data as { buckets: Bucket[] };
      expect(pose.buckets.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(2000);
    });

    it("compares a field of two sessions on one chart with a legend naming each", async () => {
      await page.goto(`${target.url}/#/`);
      await page.locator("table.sessions tbody tr").nth(1).waitFor();
      for (const box of await page.locator("table.sessions tbody input[type=checkbox]").all())
        await box.check();
      await page.click("a.button:has-text('Compare picked')");
      const chart = await waitForChart(page, (c) => c.series.length === 2 && c.draws > 0);
      expect(chart.series.map((s) => s.label).sort()).toEqual([
        expect.stringMatching(/vision\/alpha: train › loss$/),
        expect.stringMatching(/vision\/beta: train › loss$/),
      ]);
      const legend = await page.locator(".u-legend").innerText();
      expect(legend).toContain("vision/alpha");
      expect(legend).toContain("vision/beta");
      await page.selectOption("select[name=x]", "step");
      const byStep = await waitForChart(
        page,
        (c) => c.series.length === 2 && c.title.endsWith("vs step") && c.draws > 0,
      );
      expect(byStep.series[0]!.data.kind).toBe("buckets");
      await shoot("dashboard-compare.png");
      expect(browser.pageErrors).toEqual([]);
    });

    it.runIf(options.isLocal)(
      "opens a 10,000,000-point track: first chart and zoom timed",
      async () => {
        const big = await target.open("perf/big");
        const batch = 1_000_000;
        for (let start = 0; start < BIG_POINTS; start += batch) {
          const ts = new Float64Array(batch);
          const value = new Float64Array(batch);
          for (let i = 0; i < batch; i++) {
            ts[i] = T0 + (start + i) * 0.001;
            value[i] = bigValue(start + i);
          }
          await big.track("signal").appendColumns({ _ts: ts, value });
        }
        await big.close();
        const fresh = await browser.context.newPage();
        try {
          await fresh.goto(`${target.url}/#/session/perf~big`);
          const first = await waitForChart(fresh, (c) => c.draws > 0, 120_000);
          const buckets = (first.series[0]!.data as { buckets: Bucket[] }).buckets;
          expect(buckets.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(BIG_POINTS);
          expect(Math.max(...buckets.map((bucket) => bucket.y.max))).toBe(bigValue(SPIKE_AT));
          await dragZoom(fresh, first.id, 0.5, 0.52);
          const zoomed = await waitForChart(
            fresh,
            (c) => c.id === first.id && c.draws > first.draws,
            120_000,
          );
          console.log(
            `[dashboard ${name}] 10,000,000-point track: first chart drawn ${first.firstDrawMs?.toFixed(0)} ms after navigation (target 500), zoom redrawn in ${zoomed.lastZoomMs?.toFixed(0)} ms (target 200), ${zoomed.series[0]!.data.kind}`,
          );
        } finally {
          await fresh.close();
        }
      },
      300_000,
    );
  });
}

describeDashboardInBrowser("dreamlake ui", { isLocal: true }, async () => {
  const folder = await mkdtemp(path.join(tmpdir(), "dreamlake-ui-browser-"));
  const ui = await startUi(["--root", folder, "--port", "0"], "/");
  return {
    url: ui.url,
    open: (prefix, options = {}) =>
      Session.open({ ...QUIET, prefix, localPath: folder, ...options }),
    login: () => Promise.resolve(),
    async close() {
      await ui.stop();
      await rm(folder, { recursive: true, force: true });
    },
  };
});

describeDashboardInBrowser("dreamlake-server with a token", { isLocal: false }, async () => {
  const server = await serve();
  const token = server.token("alice");
  return {
    url: server.url,
    open: (prefix, options = {}) =>
      Session.open({ ...QUIET, prefix, url: server.url, apiKey: token, ...options }),
    async login(page) {
      await page.locator("form.login input[name=token]").waitFor();
      await page.fill("form.login input[name=token]", "not-a-token");
      await page.click("form.login button[type=submit]");
      await page.locator("form.login .problem:not(:empty)").waitFor();
      await page.fill("form.login input[name=token]", token);
      await page.click("form.login button[type=submit]");
      const cookies = await page.context().cookies();
      expect(cookies.find((cookie) => cookie.name === "dreamlake_token")).toMatchObject({
        httpOnly: true,
        sameSite: "Strict",
      });
    },
    close: () => server.close(),
  };
});
