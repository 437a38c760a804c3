// Child process of the tracks benchmark: opens the track written by tracks-write.mjs in a
// fresh process and times the reads. Prints one JSON line with medians and the peak RSS.
import { performance } from "node:perf_hooks";
import { benchTracks } from "./bench-tracks.mjs";
import { Session } from "../../packages/dreamlake/dist/index.js";

const [root, countText] = process.argv.slice(2);
const count = Number(countText);
const BASE_TS = 1_700_000_000;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
let seed = 42;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;

// Opening a track: a fresh engine (no cache), index loaded, nothing else.
const openMs = [];
const newestColdMs = [];
for (let i = 0; i < 31; i++) {
  const tracks = benchTracks(root);
  let started = performance.now();
  const store = await tracks.store("append");
  openMs.push(performance.now() - started);
  // The newest 10 on a store that has read nothing yet: its record cache is empty.
  started = performance.now();
  await store.readByTime({ startTime: undefined, endTime: undefined, limit: 10, reverse: true });
  newestColdMs.push(performance.now() - started);
  await tracks.close();
}

const session = await Session.open({
  prefix: "bench/run",
  localPath: root,
  flushIntervalMs: 0,
  flushOnExit: false,
});
const track = session.track("append");
const time = async (work) => {
  const started = performance.now();
  await work();
  return performance.now() - started;
};

const readMs = [];
for (let i = 0; i < 41; i++) {
  const startIndex = Math.floor(count / 2 + (random() - 0.5) * (count / 2));
  readMs.push(await time(() => track.read({ startIndex, limit: 100 })));
}
const byTimeMs = [];
for (let i = 0; i < 41; i++) {
  const startIndex = Math.floor(count / 2 + (random() - 0.5) * (count / 2));
  const startTime = BASE_TS + startIndex * 0.01;
  byTimeMs.push(
    await time(() => track.readByTime({ startTime, endTime: startTime + 1, limit: 1000 })),
  );
}
const newestMs = [];
for (let i = 0; i < 11; i++)
  newestMs.push(await time(() => track.readByTime({ reverse: true, limit: 10 })));

const pointReadsPeakRssBytes = process.resourceUsage().maxRSS * 1024;
let scanned = 0;
const scanMs = await time(async () => {
  for (let startIndex = 0; startIndex < count; startIndex += 10_000) {
    scanned += (await track.read({ startIndex, limit: 10_000 })).data.length;
  }
});
if (scanned !== count) throw new Error(`scan saw ${scanned} points, expected ${count}`);
await session.close();
process.stdout.write(
  `${JSON.stringify({
    openMs: median(openMs),
    readMs: median(readMs),
    byTimeMs: median(byTimeMs),
    newestFirstMs: newestMs[0],
    newestColdMs: median(newestColdMs),
    newestMs: median(newestMs),
    scanMs,
    pointReadsPeakRssBytes,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  })}\n`,
);
