// Child process of the tracks benchmark: writes N points with `append` (auto flushes)
// into track "append" and with `appendBatch` (10,000-point batches) into track "batch".
// Prints one JSON line with the timings.
import { performance } from "node:perf_hooks";
import { Session } from "../../packages/dreamlake/dist/index.js";

const [root, countText] = process.argv.slice(2);
const count = Number(countText);
const BASE_TS = 1_700_000_000;
const point = (i) => ({
  value: Math.sin(i),
  step: i,
  epoch: Math.floor(i / 1000),
  _ts: BASE_TS + i * 0.01,
});

const session = await Session.open({
  prefix: "bench/run",
  localPath: root,
  flushIntervalMs: 0,
  flushOnExit: false,
});

// An application's loop yields to the event loop now and then (I/O, timers); background
// flushes run then. This loop yields every 4,096 points.
const yieldToEventLoop = () => new Promise((resolve) => setImmediate(resolve));
const append = session.track("append");
let started = performance.now();
for (let i = 0; i < count; i++) {
  append.append(point(i));
  if ((i & 4095) === 4095) await yieldToEventLoop();
}
await append.flush();
const appendMs = performance.now() - started;

const batchTrack = session.track("batch");
const BATCH = 10_000;
let batchMs = 0;
for (let from = 0; from < count; from += BATCH) {
  const batch = [];
  for (let i = from; i < Math.min(count, from + BATCH); i++) batch.push(point(i));
  started = performance.now();
  await batchTrack.appendBatch(batch);
  batchMs += performance.now() - started;
}
await session.close();
process.stdout.write(`${JSON.stringify({ appendMs, batchMs })}\n`);
