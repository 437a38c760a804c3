import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { systemClock } from "../src/core/clock.js";
import { PointColumns } from "../src/core/point-columns.js";
import { FileLockManager } from "../src/storage/node/file-lock-manager.js";
import { nodeCrc32 } from "../src/storage/node/node-checksum.js";
import { NodeFileSystem, type NodeRandomAccessFile } from "../src/storage/node/node-file-system.js";
import { TrackStore } from "../src/storage/track/track-store.js";
import { makeTempDir } from "./test-utils.js";

/** A file system whose writes land at once but report completion 20 ms later. */
class SlowWriteFileSystem extends NodeFileSystem {
  override async openForWrite(filePath: string): Promise<NodeRandomAccessFile> {
    const file = await super.openForWrite(filePath);
    const write = file.write.bind(file);
    file.write = async (position, bytes) => {
      await write(position, bytes);
      await new Promise((resolve) => setTimeout(resolve, 20));
    };
    return file;
  }
}

describe("one track store used by overlapping calls", () => {
  let temp: { dir: string; cleanup(): Promise<void> };
  beforeEach(async () => {
    temp = await makeTempDir();
  });
  afterEach(async () => {
    await temp.cleanup();
  });

  it("a read that starts while an append is between its data and index writes counts the record once", async () => {
    const locks = new FileLockManager();
    const store = await TrackStore.open(
      { fs: new SlowWriteFileSystem(), locks, checksum: nodeCrc32 },
      `${temp.dir}/t`,
      "t",
      {
        maxRecordPoints: 4096,
        fsync: "never",
        lockTimeoutMs: 5_000,
        cachePoints: 1_000,
        clock: systemClock,
      },
    );
    const points = [1, 2, 3].map((v) => ({ v, _ts: v }));
    const appending = store.append(PointColumns.fromPoints(points));
    // Let the append reach its (slow) data write, then read while it waits.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const page = await store.read({ startIndex: 0, limit: 100 });
    const second = await store.append(PointColumns.fromPoints([{ v: 4, _ts: 4 }]));
    await appending;
    expect(page.data.map((row) => row.data["v"])).toEqual([1, 2, 3]);
    expect(second.startIndex).toBe(3);
    expect((await store.read({ startIndex: 0, limit: 100 })).data.map((row) => row.index)).toEqual([
      0, 1, 2, 3,
    ]);
    await store.close();
    await locks.close();
  });
});
