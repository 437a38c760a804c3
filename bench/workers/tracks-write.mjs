// Child process of the tracks benchmark: writes N points of {value, step, epoch, _ts}
// into a fresh track, with `append` (background flushes) or `appendBatch` (batches of the
// given size, 10,000 by default), and prints one JSON line with the time it took. Each mode runs in a process of
// its own, so that one does not pay for the other's garbage.
import { performance } from "node:perf_hooks";
import { Session } from "../../packages/dreamlake/dist/index.js";

const [root, countText, mode, trackName, batchText = "10000"] = process.argv.slice(2);
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
const track = session.track(trackName);
let ms = 0;
if (mode === "append") {
  // An application's loop yields to the event loop now and then (I/O, timers); background
  // flushes run then. This loop yields every 4,096 points. The time includes making the
  // points, as an application would.
  const yieldToEventLoop = () => new Promise((resolve) => setImmediate(resolve));
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    track.append(point(i));
    if ((i & 4095) === 4095) await yieldToEventLoop();
  }
  await track.flush();
  ms = performance.now() - started;
} else {
  // Only the appendBatch calls are timed: the batches are made before each call.
  const BATCH = Number(batchText);
  for (let from = 0; from < count; from += BATCH) {
    const batch = [];
    for (let i = from; i < Math.min(count, from + BATCH); i++) batch.push(point(i));
    const started = performance.now();
    await track.appendBatch(batch);
    ms += performance.now() - started;
  }
}
await session.close();
process.stdout.write(`${JSON.stringify({ ms })}\n`);
