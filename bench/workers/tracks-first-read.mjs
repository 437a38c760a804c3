// Child process of the tracks benchmark: one read of a track written before, in a process
// that has loaded the engine and done nothing else. Times the read with the track's open
// (index header, tail check) included, then the same kind of read warm (median of 21 at
// other places), then steady (median of 21 more after 300 others), and prints one JSON
// line with them and the peak RSS. Node's own start-up and the module loading are not
// timed: they are the same for any track length. The peak RSS is taken after the first read.
import { performance } from "node:perf_hooks";
import { benchTracks } from "./bench-tracks.mjs";

const [root, trackName, op, countText, baseText, stepText] = process.argv.slice(2);
const count = Number(countText);
const base = Number(baseText);
const step = Number(stepText);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const tracks = benchTracks(root);

/** The read `op` around point `at` (a fraction of the track). */
async function readAt(at) {
  const index = Math.floor(count * at);
  const ts = base + index * step;
  const store = await tracks.store(trackName);
  if (op === "read") return (await store.read({ startIndex: index, limit: 100 })).data.length;
  if (op === "readByTime") {
    const query = { startTime: ts, endTime: ts + 1_000 * step, limit: 100, reverse: false };
    return (await store.readByTime(query)).data.length;
  }
  if (op === "newest") {
    const query = { startTime: undefined, endTime: undefined, limit: 10, reverse: true };
    return (await store.readByTime(query)).data.length;
  }
  const window =
    op === "downsample"
      ? { startTime: undefined, endTime: undefined }
      : { startTime: ts, endTime: ts + (count / 100) * step };
  const result = await store.downsample({ ...window, buckets: 2000, fields: undefined });
  return result.buckets.length;
}

const started = performance.now();
const got = await readAt(0.5);
const firstMs = performance.now() - started;
// The process's peak after its one read (the warm repeats below let the heap grow more).
const firstReadPeakRssBytes = process.resourceUsage().maxRSS * 1024;
if (got === 0) throw new Error(`${op} found nothing`);
const warm = [];
for (let i = 0; i < 21; i++) {
  const at = op.startsWith("downsample") ? 0.5 : 0.25 + (i / 21) * 0.5;
  const t = performance.now();
  await readAt(at);
  warm.push(performance.now() - t);
}
// Then a process that has run for a while: 300 reads (untimed) let V8 optimise the read path,
// and 21 more at places not read before are timed.
const steady = [];
if (!op.startsWith("downsample")) {
  for (let i = 0; i < 300; i++) await readAt(0.01 + (i / 300) * 0.2);
  for (let i = 0; i < 21; i++) {
    const t = performance.now();
    await readAt(0.8 + (i / 21) * 0.15);
    steady.push(performance.now() - t);
  }
}
await tracks.close();
process.stdout.write(
  `${JSON.stringify({
    firstMs,
    warmMs: median(warm),
    steadyMs: steady.length > 0 ? median(steady) : undefined,
    peakRssBytes: firstReadPeakRssBytes,
  })}\n`,
);
