// The dashboard on a 10,000,000-point track (1,000,000 with --quick) of a local folder,
// served by the built `dreamlake-server ui` in a child process: the API calls a chart
// makes (the whole track's downsample at 1,200 buckets, a zoom to 2% of it, the raw points
// of a small window), then, when Debian's Chromium is installed, the page itself: the first
// chart drawn after navigation and a drag-zoom redrawn, as the page measures them
// (window.__dreamlake, see packages/dashboard/src/page-data.ts).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const title = "dashboard";
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const binary = path.join(root, "packages", "server", "dist", "main.js");
const CHROMIUM = "/usr/bin/chromium";
const T0 = 1_770_000_000;
const BUCKETS = 1200;

async function writeTrack(folder, points) {
  const { Session } = await import(
    pathToFileURL(path.join(root, "packages", "dreamlake", "dist", "index.js")).href
  );
  const session = await Session.open({ prefix: "perf/big", localPath: folder, flushOnExit: false });
  const batch = 1_000_000;
  for (let start = 0; start < points; start += batch) {
    const ts = new Float64Array(batch);
    const value = new Float64Array(batch);
    for (let i = 0; i < batch; i++) {
      ts[i] = T0 + (start + i) * 0.001;
      value[i] = Math.sin((start + i) / 50_000);
    }
    await session.track("signal").appendColumns({ _ts: ts, value });
  }
  await session.close();
}

async function startUi(folder) {
  const child = spawn(process.execPath, [binary, "ui", "--root", folder, "--port", "0"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
      const match = /dreamlake ui: (http:\/\/\S+?)\/\s/.exec(output);
      if (match) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`ui exited with ${code}: ${output}`)));
  });
  return { child, url };
}

async function medianMs(times, call) {
  const spent = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await call();
    spent.push(performance.now() - started);
  }
  spent.sort((a, b) => a - b);
  return spent[Math.floor(spent.length / 2)];
}

async function getJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function inBrowser(url, sessionId) {
  const { chromium } = await import("playwright-core");
  const profile = await mkdtemp(path.join(tmpdir(), "dreamlake-bench-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
    viewport: { width: 1280, height: 900 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const charts = () => page.evaluate(() => window.__dreamlake?.charts() ?? []);
    await page.goto(`${url}/#/session/${sessionId}`);
    // Functions, not strings: the page's Content-Security-Policy forbids eval.
    await page.waitForFunction(() => window.__dreamlake?.charts().some((c) => c.draws > 0), null, {
      timeout: 120_000,
    });
    const [first] = await charts();
    const box = await page.locator(`[data-chart="${first.id}"] .u-over`).boundingBox();
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.5, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.52, y, { steps: 4 });
    await page.mouse.up();
    await page.waitForFunction(
      ({ id, draws }) =>
        window.__dreamlake.charts().some((c) => c.id === id && c.draws > draws && !c.isLoading),
      { id: first.id, draws: first.draws },
      { timeout: 120_000 },
    );
    const zoomed = (await charts()).find((chart) => chart.id === first.id);
    return { firstDrawMs: first.firstDrawMs, zoomMs: zoomed.lastZoomMs };
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}

export async function run({ quick }) {
  const points = quick ? 1_000_000 : 10_000_000;
  const folder = await mkdtemp(path.join(tmpdir(), "dreamlake-bench-dashboard-"));
  const label = quick ? "1,000,000" : "10,000,000";
  try {
    await writeTrack(folder, points);
    const { child, url } = await startUi(folder);
    try {
      const track = `${url}/api/v1/sessions/perf~big/tracks/signal`;
      const span = points * 0.001;
      const whole = await medianMs(3, () =>
        getJson(`${track}/downsample?buckets=${BUCKETS}&fields=value`),
      );
      const zoomStart = T0 + span * 0.5;
      const zoom = await medianMs(5, () =>
        getJson(
          `${track}/downsample?buckets=${BUCKETS}&fields=value&startTime=${zoomStart}&endTime=${zoomStart + span * 0.02}`,
        ),
      );
      const raw = await medianMs(5, () =>
        getJson(`${track}/points?startTime=${zoomStart}&endTime=${zoomStart + 3.5}&limit=10000`),
      );
      const rows = [
        {
          metric: `API downsample, whole ${label}-point track, ${BUCKETS} buckets (median of 3)`,
          value: whole,
          unit: "ms",
        },
        { metric: `API downsample, 2% of the track (median of 5)`, value: zoom, unit: "ms" },
        { metric: `API raw points, 3,500 in a window (median of 5)`, value: raw, unit: "ms" },
      ];
      if (existsSync(CHROMIUM)) {
        const browser = await inBrowser(url, "perf~big");
        rows.push(
          {
            metric: `page: first chart of the ${label}-point track drawn after navigation`,
            value: browser.firstDrawMs,
            unit: "ms",
            target: "500 ms",
            meets: browser.firstDrawMs <= 500,
          },
          {
            metric: "page: drag-zoom to 2% redrawn",
            value: browser.zoomMs,
            unit: "ms",
            target: "200 ms",
            meets: browser.zoomMs <= 200,
          },
        );
      }
      return rows;
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
