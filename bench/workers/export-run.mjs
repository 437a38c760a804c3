// Child process of the export benchmark: reads a track of a local session and either only
// scans it ("scan": the engine's part) or exports it to one file ("parquet", "mcap"). Prints
// one JSON line: time, points and the process's peak RSS. A process per run, so that the
// peak RSS is this run's alone.
import { performance } from "node:perf_hooks";
import { tableFormat } from "../../packages/dreamlake/dist/exchange/export-formats.js";
import { exportTable } from "../../packages/dreamlake/dist/exchange/export-tables.js";
import { exportMcap } from "../../packages/dreamlake/dist/exchange/mcap/mcap-export.js";
import { fileTarget } from "../../packages/dreamlake/dist/exchange/node/file-target.js";
import { nodeCrc32 } from "../../packages/dreamlake/dist/exchange/node/node-crc32.js";
import { workerMessageFormatter } from "../../packages/dreamlake/dist/exchange/node/worker-message-formatter.js";
import { openLocalSessionReader } from "../../packages/dreamlake/dist/session/local-session-reader.js";

const [root, track, mode, out] = process.argv.slice(2);
const reader = await openLocalSessionReader(root, "bench/run");
const source = {
  name: track,
  expectedPoints: undefined,
  scan: () =>
    reader.tracks.scanColumns(track, {
      startTime: undefined,
      endTime: undefined,
      fields: undefined,
    }),
};
const progress = { onPoints: () => undefined, onRestart: () => undefined };
// The format's packages load before the clock starts: a one-off cost, not a per-point one.
const table = mode === "scan" || mode === "mcap" ? undefined : await tableFormat(mode);
const started = performance.now();
let points = 0;
if (mode === "scan") {
  for await (const batch of source.scan()) points += batch.count;
} else if (mode === "mcap") {
  // As the command line runs it: with zlib's native CRC-32 and worker threads.
  const options = { crc32: nodeCrc32, formatter: () => workerMessageFormatter() };
  points = (await exportMcap([source], () => fileTarget(out).open(""), progress, options)).points;
} else {
  points = (await exportTable(source, table, () => fileTarget(out).open(""), progress)).points;
}
const ms = performance.now() - started;
await reader.close();
console.log(JSON.stringify({ ms, points, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
