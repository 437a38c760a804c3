import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import * as path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { Session } from "../src/index.js";
import { makeTempDir } from "./test-utils.js";

const CHUNK_BYTES = 1024 * 1024;
const FILE_BYTES = 2 * 1024 ** 3; // 2 GiB
/** How much the process may grow while 2 GiB pass through it: far less than the file. */
const MAX_GROWTH_BYTES = 256 * 1024 * 1024;

let temp: { dir: string; cleanup(): Promise<void> };
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.cleanup();
});

/** Memory the process holds beyond where it started, sampled while bytes flow. */
class MemoryWatch {
  readonly #start = process.memoryUsage.rss() + process.memoryUsage().arrayBuffers;
  peakGrowth = 0;

  sample(): void {
    const now = process.memoryUsage.rss() + process.memoryUsage().arrayBuffers;
    this.peakGrowth = Math.max(this.peakGrowth, now - this.#start);
  }
}

it("uploads and downloads 2 GiB as streams, without holding the file in memory", async () => {
  const watch = new MemoryWatch();
  const chunk = new Uint8Array(CHUNK_BYTES).map((_, i) => i % 251);
  const expected = createHash("sha256");
  for (let sent = 0; sent < FILE_BYTES; sent += CHUNK_BYTES) expected.update(chunk);
  const checksum = expected.digest("hex");
  async function* source(): AsyncGenerator<Uint8Array> {
    for (let sent = 0; sent < FILE_BYTES; sent += CHUNK_BYTES) {
      if (sent % (64 * CHUNK_BYTES) === 0) watch.sample();
      // A fresh copy each time, as a network stream gives: kept chunks would add up.
      yield await Promise.resolve(chunk.slice());
    }
  }
  const session = await Session.open({ prefix: "ws/big", localPath: temp.dir, flushOnExit: false });
  try {
    const record = await session.files.upload(source(), { filename: "big.bin" });
    expect(record.sizeBytes).toBe(FILE_BYTES);
    expect(record.checksum).toBe(checksum);

    let streamed = 0;
    for await (const part of session.files.stream(record.id)) {
      streamed += part.byteLength;
      if (streamed % (64 * CHUNK_BYTES) === 0) watch.sample();
    }
    expect(streamed).toBe(FILE_BYTES);

    const target = path.join(temp.dir, "out", "big.bin");
    const sampler = setInterval(() => {
      watch.sample();
    }, 50);
    try {
      await session.files.download(record.id, target);
    } finally {
      clearInterval(sampler);
    }
    expect((await stat(target)).size).toBe(FILE_BYTES);
    expect(watch.peakGrowth).toBeLessThan(MAX_GROWTH_BYTES);
  } finally {
    await session.close();
  }
}, 180_000);
