// The local track engine at N = 100,000, 1,000,000 and 10,000,000 points of
// {value, step, epoch, _ts} (and N more with `--points=N`, such as 100,000,000): write
// throughput (append, appendBatch, appendColumns), first reads in a fresh process with the
// open included, warm reads, downsampled reads, scans, size and memory; then appendBatch
// against append at batch sizes 100 to 10,000. Writing and reading run in separate child
// processes, so the read figures (and the peak RSS) are those of a process that only
// opened the track and read it. The targets are stated for 10^8 points: they are
// marked on the largest N.
import { execFileSync } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { MsgpackWriter } from "../../packages/dreamlake/dist/engine.js";

export const title = "tracks (local)";
const workers = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "workers");

const BASE_TS = 1_700_000_000;
const TS_STEP = 0.01;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * A write run, after the page cache has written back what the runs before it left: at 10^8
 * points each run leaves 2.6 GB of dirty pages, and the kernel throttles the next writer
 * until they reach the disk (sustained buffered writes here: about 420 MB/s, `dd ...
 * conv=fdatasync`). A run still pays for its own writes being throttled.
 */
function runWriteWorker(script, args) {
  execFileSync("sync");
  return runWorker(script, args);
}

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

export async function run({ quick, points }) {
  const defaults = quick ? [10_000, 100_000] : [100_000, 1_000_000, 10_000_000];
  const sizes = [...new Set([...defaults, ...(points === undefined ? [] : [points])])].sort(
    (a, b) => a - b,
  );
  const largest = sizes[sizes.length - 1];
  const rows = [];
  for (const count of sizes) {
    const root = await mkdtemp(path.join(tmpdir(), "dreamlake-bench-"));
    try {
      // Writes are timed three times each (fresh tracks) and the median is kept: the
      // machine is shared and single runs vary. Past 10^7 points, once.
      const runs = count > 10_000_000 ? [1] : [1, 2, 3];
      const appendMs = median(
        runs.map(
          (run) =>
            runWriteWorker("tracks-write.mjs", [
              root,
              String(count),
              "append",
              run === 1 ? "append" : `append-${run}`,
            ]).ms,
        ),
      );
      const batchMs = median(
        runs.map(
          (run) =>
            runWriteWorker("tracks-write.mjs", [root, String(count), "batch", `batch-${run}`]).ms,
        ),
      );
      const columnsMs = median(
        runs.map(
          (run) =>
            runWriteWorker("tracks-columns.mjs", [
              root,
              String(count),
              "columns-write",
              run === 1 ? "columns" : `columns-${run}`,
              String(BASE_TS),
              String(TS_STEP),
            ]).ms,
        ),
      );
      const columnsScan = runWorker("tracks-columns.mjs", [
        root,
        String(count),
        "columns-scan",
        "columns",
        String(BASE_TS),
        String(TS_STEP),
      ]);
      const read = runWorker("tracks-read.mjs", [root, String(count)]);
      // Each first read in three fresh processes; the median is kept.
      const firstReads = {};
      let readsPeakRss = read.pointReadsPeakRssBytes;
      for (const op of ["read", "readByTime", "newest", "downsample", "downsample-1%"]) {
        const results = [1, 2, 3].map(() =>
          runWorker("tracks-first-read.mjs", [
            root,
            "columns",
            op,
            String(count),
            String(BASE_TS),
            String(TS_STEP),
          ]),
        );
        firstReads[op] = {
          firstMs: median(results.map((r) => r.firstMs)),
          warmMs: median(results.map((r) => r.warmMs)),
          steadyMs: median(results.map((r) => r.steadyMs ?? NaN)),
        };
        for (const r of results) readsPeakRss = Math.max(readsPeakRss, r.peakRssBytes);
      }
      const trackDir = path.join(root, "bench", "run", "tracks", "append");
      // The data file is the format Python writes too; the index and metadata.json are ours
      // (Python keeps neither), compared apart.
      const dataBytes = await sizeOf(path.join(trackDir, "data.msgpack"));
      const indexBytes =
        (await sizeOf(path.join(trackDir, "data.msgpack.idx"))) +
        (await sizeOf(path.join(trackDir, "metadata.json")));
      const sidecarBytes =
        (await sizeOf(path.join(trackDir, "data.msgpack.sum"))) +
        (await sizeOf(path.join(trackDir, "data.msgpack.blk")));
      const isLargest = count === largest;
      const n = count.toLocaleString("en-US");
      const add = (metric, value, unit, target, meets) =>
        rows.push({
          metric: `${metric} (N=${n})`,
          value,
          unit,
          ...(isLargest && target ? { target, meets } : {}),
        });
      const rate = (ms) => count / (ms / 1000);
      const appendRate = rate(appendMs);
      const batchRate = rate(batchMs);
      const columnsRate = rate(columnsMs);
      const scanColumnsRate = rate(columnsScan.ms);
      const scanRate = rate(read.scanMs);
      const perPoint = dataBytes / count;
      const python = pythonBytesPerPoint(count);
      add("append (with flushes)", appendRate, "points/s", ">= 2,000,000", appendRate >= 2e6);
      add("appendBatch (10,000)", batchRate, "points/s", ">= append", batchRate >= appendRate);
      add("appendColumns (100,000)", columnsRate, "points/s", ">= 15,000,000", columnsRate >= 15e6);
      const ms = (metric, value, limit) => add(metric, value, "ms", `<= ${limit}`, value <= limit);
      ms("first read 100 @ N/2, fresh process, open included", firstReads.read.firstMs, 2);
      ms("first readByTime 100 @ N/2, fresh process, open incl.", firstReads.readByTime.firstMs, 2);
      ms("first newest 10, fresh process, open included", firstReads.newest.firstMs, 2);
      ms("read 100 @ N/2, warm (median)", firstReads.read.warmMs, 0.3);
      ms("readByTime 100-point window, warm (median)", firstReads.readByTime.warmMs, 0.3);
      ms("newest 10, warm (median)", firstReads.newest.warmMs, 0.3);
      // The same reads in a process that has run 300 of them (the read path optimised by V8).
      ms("read 100 at a new place, steady process (median)", firstReads.read.steadyMs, 0.3);
      ms("readByTime 100 at a new place, steady process", firstReads.readByTime.steadyMs, 0.3);
      ms("newest 10, steady process (median)", firstReads.newest.steadyMs, 0.3);
      ms("downsample 2,000 buckets, whole track, fresh process", firstReads.downsample.firstMs, 20);
      ms(
        "downsample 2,000 buckets, 1% window, fresh process",
        firstReads["downsample-1%"].firstMs,
        5,
      );
      add("downsample 2,000 buckets, whole track, warm", firstReads.downsample.warmMs, "ms");
      add("downsample 2,000 buckets, 1% window, warm", firstReads["downsample-1%"].warmMs, "ms");
      add("scanColumns", scanColumnsRate, "points/s", ">= 12,000,000", scanColumnsRate >= 12e6);
      add("full scan by read (pages of 10,000)", scanRate, "points/s");
      add("open a track, warm process (median)", read.openMs, "ms", "<= 2", read.openMs <= 2);
      add(
        "data file bytes per point",
        perPoint,
        "B",
        `<= Python's ${python.toFixed(2)}`,
        perPoint <= python,
      );
      add("index and metadata.json per point", indexBytes / count, "B");
      add("summary sidecars per point", sidecarBytes / count, "B");
      add(
        "peak RSS of a process after one read (any of the above)",
        readsPeakRss / 1e6,
        "MB",
        "< 100",
        readsPeakRss < 100e6,
      );
      add("peak RSS: after a full scan by read", read.peakRssBytes / 1e6, "MB");
      add("peak RSS: scanColumns of the whole track", columnsScan.peakRssBytes / 1e6, "MB");
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
  rows.push(...(await batchSizes(quick ? 100_000 : 1_000_000)));
  return rows;
}

/** appendBatch against append at batch sizes 100, 1,000 and 10,000 (medians of three). */
async function batchSizes(count) {
  const root = await mkdtemp(path.join(tmpdir(), "dreamlake-bench-"));
  try {
    const timed = (mode, batch) =>
      median(
        [1, 2, 3].map(
          (run) =>
            runWriteWorker("tracks-write.mjs", [
              root,
              String(count),
              mode,
              `${mode}-${batch}-${run}`,
              String(batch),
            ]).ms,
        ),
      );
    const appendRate = count / (timed("append", 1) / 1000);
    const n = count.toLocaleString("en-US");
    const rows = [{ metric: `append (N=${n})`, value: appendRate, unit: "points/s" }];
    for (const batch of [100, 1_000, 10_000]) {
      const rate = count / (timed("batch", batch) / 1000);
      rows.push({
        metric: `appendBatch of ${batch.toLocaleString("en-US")} / append (N=${n})`,
        value: rate / appendRate,
        unit: "x",
        target: ">= 1",
        meets: rate >= appendRate,
      });
    }
    return rows;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
