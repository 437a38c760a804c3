// The local track engine at N = 100,000, 1,000,000 and 10,000,000 points of
// {value, step, epoch, _ts}: write throughput, read latencies, scan, open, size, memory.
// Writing and reading run in separate child processes, so the read figures (and the peak
// RSS) are those of a process that only opened the track and read it.
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { MsgpackWriter } from "../../packages/dreamlake/dist/engine.js";

export const title = "tracks (local)";
const workers = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "workers");

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function runWorker(script, args) {
  const output = execFileSync(process.execPath, [path.join(workers, script), ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  return JSON.parse(output.trim().split("\n").pop());
}

/** Bytes the Python SDK 0.4.0 writes for the same points, flushed 10,000 at a time (float64 floats, smallest ints). */
function pythonBytesPerPoint(count) {
  const writer = new MsgpackWriter(1 << 20);
  let bytes = 0;
  const FLUSH = 10_000;
  for (let from = 0; from < count; from += FLUSH) {
    const to = Math.min(count, from + FLUSH);
    writer.reset();
    writer.writeMapHeader(4);
    for (const key of ["value", "step", "epoch", "_ts"]) {
      writer.writeString(key);
      writer.writeArrayHeader(to - from);
      for (let i = from; i < to; i++) {
        if (key === "value") writer.writeFloat64(Math.sin(i));
        else if (key === "step") writer.writeNumber(i);
        else if (key === "epoch") writer.writeNumber(Math.floor(i / 1000));
        else writer.writeFloat64(1_700_000_000 + i * 0.01);
      }
    }
    bytes += writer.length + 1;
  }
  return bytes / count;
}

async function sizeOf(file) {
  return (await stat(file)).size;
}

export async function run({ quick }) {
  const sizes = quick ? [10_000, 100_000] : [100_000, 1_000_000, 10_000_000];
  const rows = [];
  for (const count of sizes) {
    const root = await mkdtemp(path.join(tmpdir(), "dreamlake-bench-"));
    try {
      // Writes are timed three times each (fresh tracks) and the median is kept: the
      // machine is shared and single runs vary.
      const appendMs = median(
        [1, 2, 3].map(
          (run) =>
            runWorker("tracks-write.mjs", [
              root,
              String(count),
              "append",
              run === 1 ? "append" : `append-${run}`,
            ]).ms,
        ),
      );
      const batchMs = median(
        [1, 2, 3].map(
          (run) => runWorker("tracks-write.mjs", [root, String(count), "batch", `batch-${run}`]).ms,
        ),
      );
      const read = runWorker("tracks-read.mjs", [root, String(count)]);
      const trackDir = path.join(root, "bench", "run", "tracks", "append");
      const diskBytes =
        (await sizeOf(path.join(trackDir, "data.msgpack"))) +
        (await sizeOf(path.join(trackDir, "data.msgpack.idx"))) +
        (await sizeOf(path.join(trackDir, "metadata.json")));
      const isLargest = count === 10_000_000;
      const n = count.toLocaleString("en-US");
      const add = (metric, value, unit, target, meets) =>
        rows.push({
          metric: `${metric} (N=${n})`,
          value,
          unit,
          ...(isLargest && target ? { target, meets } : {}),
        });
      const appendRate = count / (appendMs / 1000);
      const batchRate = count / (batchMs / 1000);
      const scanRate = count / (read.scanMs / 1000);
      const perPoint = diskBytes / count;
      const python = pythonBytesPerPoint(count);
      add("append (with flushes)", appendRate, "points/s", ">= 2,000,000", appendRate >= 2_000_000);
      add("appendBatch", batchRate, "points/s", ">= 4,000,000", batchRate >= 4_000_000);
      add("read 100 @ N/2 (median)", read.readMs, "ms", "<= 2", read.readMs <= 2);
      add("readByTime 100-point window (median)", read.byTimeMs, "ms", "<= 2", read.byTimeMs <= 2);
      add(
        "newest 10, reverse, fresh store (median)",
        read.newestColdMs,
        "ms",
        "<= 2",
        read.newestColdMs <= 2,
      );
      add("newest 10, reverse, first call of the process", read.newestFirstMs, "ms");
      add(
        "full scan (pages of 10,000)",
        scanRate,
        "points/s",
        ">= 5,000,000",
        scanRate >= 5_000_000,
      );
      add("open a track (median)", read.openMs, "ms", "<= 2", read.openMs <= 2);
      add(
        "bytes on disk per point",
        perPoint,
        "B",
        `<= Python's ${python.toFixed(2)}`,
        perPoint <= python,
      );
      add(
        "peak RSS: open + the three reads",
        read.pointReadsPeakRssBytes / 1e6,
        "MB",
        "< 100",
        read.pointReadsPeakRssBytes < 100e6,
      );
      add(
        "peak RSS: after the full scan too",
        read.peakRssBytes / 1e6,
        "MB",
        "< 100",
        read.peakRssBytes < 100e6,
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
  return rows;
}
