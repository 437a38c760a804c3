// Params, logs and files on local files: log() and its writes, reading logs back, params
// merges, and file upload/download throughput (streams, SHA-256 on the way).
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { Session } from "../../packages/dreamlake/dist/index.js";

export const title = "params, logs, files (local)";

async function timed(work) {
  const start = performance.now();
  const result = await work();
  return { ms: performance.now() - start, result };
}

export async function run({ quick }) {
  const logCount = quick ? 20_000 : 1_000_000;
  const paramSets = quick ? 100 : 1000;
  const fileBytes = (quick ? 16 : 512) * 1024 * 1024;
  const dir = await mkdtemp(path.join(tmpdir(), "dreamlake-bench-plf-"));
  const rows = [];
  try {
    const session = await Session.open({
      prefix: "bench/plf",
      localPath: dir,
      flushOnExit: false,
      flushIntervalMs: 0,
    });
    const logging = await timed(async () => {
      for (let i = 0; i < logCount; i++) {
        session.log("step done", { metadata: { step: i, loss: 1 / (i + 1) } });
        // Yield now and then, as a training loop does, so background writes run.
        if (i % 10_000 === 9_999) await new Promise((resolve) => setImmediate(resolve));
      }
      await session.logs.flush();
    });
    rows.push({
      metric: `log() + writes, ${logCount.toLocaleString("en-US")} entries`,
      value: logCount / (logging.ms / 1000),
      unit: "entries/s",
    });
    const tail = await timed(() => session.logs.read({ reverse: true, limit: 100 }));
    rows.push({
      metric: "logs.read newest 100 (reads from the end)",
      value: tail.ms,
      unit: "ms",
    });
    const head = await timed(() => session.logs.read({ limit: 100, level: "info" }));
    rows.push({ metric: "logs.read first 100", value: head.ms, unit: "ms" });

    const params = await timed(async () => {
      for (let i = 0; i < paramSets; i++)
        await session.params.set({ sweep: { [`k${i % 50}`]: i } });
    });
    rows.push({
      metric: "params.set (lock, merge, atomic rewrite)",
      value: params.ms / paramSets,
      unit: "ms",
    });

    const chunk = new Uint8Array(1024 * 1024).map((_, i) => i % 251);
    async function* source() {
      for (let sent = 0; sent < fileBytes; sent += chunk.byteLength) yield chunk.slice();
    }
    const upload = await timed(() => session.files.upload(source(), { filename: "big.bin" }));
    rows.push({
      metric: `files.upload stream, ${fileBytes >> 20} MiB`,
      value: fileBytes / 2 ** 20 / (upload.ms / 1000),
      unit: "MiB/s",
    });
    const download = await timed(() =>
      session.files.download(upload.result.id, path.join(dir, "out.bin")),
    );
    rows.push({
      metric: "files.download (checked)",
      value: fileBytes / 2 ** 20 / (download.ms / 1000),
      unit: "MiB/s",
    });
    const hash = await timed(() =>
      createHash("sha256").update(new Uint8Array(fileBytes)).digest("hex"),
    );
    rows.push({
      metric: "plain SHA-256 of the same bytes, for scale",
      value: fileBytes / 2 ** 20 / (hash.ms / 1000),
      unit: "MiB/s",
    });
    await session.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}
