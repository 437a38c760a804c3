// Child process of the tracks benchmark: `columns-write` writes N points of {value, step,
// epoch, _ts} with appendColumns in 100,000-point column batches (only the calls timed);
// `columns-scan` reads them all back with scanColumns. Prints one JSON line.
import { performance } from "node:perf_hooks";
import { Session } from "../../packages/dreamlake/dist/index.js";

const [root, countText, mode, trackName, baseText, stepText] = process.argv.slice(2);
const count = Number(countText);
const base = Number(baseText);
const step = Number(stepText);
const BATCH = 100_000;

const session = await Session.open({
  prefix: "bench/run",
  localPath: root,
  flushIntervalMs: 0,
  flushOnExit: false,
});
const track = session.track(trackName);
let ms = 0;
let seen = 0;
if (mode === "columns-write") {
  const ts = new Float64Array(BATCH);
  const value = new Float64Array(BATCH);
  const steps = new Float64Array(BATCH);
  const epoch = new Float64Array(BATCH);
  for (let from = 0; from < count; from += BATCH) {
    const n = Math.min(BATCH, count - from);
    for (let i = 0; i < n; i++) {
      const k = from + i;
      ts[i] = base + k * step;
      value[i] = Math.sin(k);
      steps[i] = k;
      epoch[i] = Math.floor(k / 1000);
    }
    const cut = (column) => (n === BATCH ? column : column.subarray(0, n));
    const started = performance.now();
    await track.appendColumns({
      _ts: cut(ts),
      value: cut(value),
      step: cut(steps),
      epoch: cut(epoch),
    });
    ms += performance.now() - started;
  }
  seen = count;
} else {
  const started = performance.now();
  for await (const columns of track.scanColumns()) seen += columns.count;
  ms = performance.now() - started;
}
await session.close();
if (seen !== count) throw new Error(`${mode} saw ${seen} points, expected ${count}`);
process.stdout.write(
  `${JSON.stringify({ ms, peakRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`,
);
