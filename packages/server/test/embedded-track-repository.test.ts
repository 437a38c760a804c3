import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
  FileLockManager,
  NodeFileSystem,
  nodeCrc32,
  systemClock,
  type FileSystem,
  type ReadResult,
} from "dreamlake/engine";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AppendJournal } from "../src/idempotency/append-journal.js";
import { MemoryAppendJournal } from "../src/idempotency/memory-append-journal.js";
import { EmbeddedTrackRepository } from "../src/embedded/embedded-track-repository.js";
import {
  describeTrackRepository,
  type TrackRepositoryFixture,
} from "./track-repository-contract.js";

/**
 * A file system that runs `whileWriting` after a data file's bytes landed on disk but
 * before the write reports completion: the moment a concurrent read sees a file longer
 * than the writer's index.
 */
class LateWriteFileSystem extends NodeFileSystem {
  whileWriting: (() => Promise<void>) | undefined;

  override async openForWrite(filePath: string): ReturnType<NodeFileSystem["openForWrite"]> {
    const file = await super.openForWrite(filePath);
    if (!filePath.endsWith("data.msgpack")) return file;
    const write = file.write.bind(file);
    file.write = async (position: number, bytes: Uint8Array): Promise<void> => {
      await write(position, bytes);
      const hook = this.whileWriting;
      this.whileWriting = undefined;
      if (hook !== undefined) await hook();
    };
    return file;
  }
}

function makeRepository(
  dataDir: string,
  fs: FileSystem,
  journal: AppendJournal = new MemoryAppendJournal(),
): EmbeddedTrackRepository {
  return new EmbeddedTrackRepository({
    journal,
    dataDir,
    fs,
    locks: new FileLockManager(),
    checksum: nodeCrc32,
    clock: systemClock,
    fsync: "never",
    // Small records and caches, so that reads cross records and evictions happen.
    maxRecordPoints: 4,
    lockTimeoutMs: 10_000,
    cachePointsPerTrack: 16,
    openSessions: 2,
  });
}

function embeddedFixture(fs: FileSystem): () => Promise<TrackRepositoryFixture> {
  return async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "dreamlake-server-test-"));
    let sessions = 0;
    return {
      repository: makeRepository(dataDir, fs),
      newSession: () => {
        sessions++;
        return Promise.resolve({
          id: `s${sessions}`,
          namespace: "alice",
          workspace: "ws",
          name: `run-${sessions}`,
        });
      },
      dispose: () => rm(dataDir, { recursive: true, force: true }),
    };
  };
}

describeTrackRepository("EmbeddedTrackRepository", embeddedFixture(new NodeFileSystem()));

describe("EmbeddedTrackRepository", () => {
  const session = { id: "s1", namespace: "alice", workspace: "ws", name: "run" };
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "dreamlake-server-test-"));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("settles an intent a crash left: confirmed when its points landed, else dropped", async () => {
    const journal = new MemoryAppendJournal();
    const repository = makeRepository(dataDir, new NodeFileSystem(), journal);
    await repository.append(session, "t", [{ _ts: 1 }, { _ts: 2 }]);
    const target = { ...session, track: "t" };
    // Landed: the track holds indexes 0..1 (the crash came after the write).
    await journal.intend("scope", "landed", {
      target,
      startIndex: 0,
      count: 2,
      expiresAtSeconds: 2e9,
    });
    // Not landed: nothing at indexes 2..4.
    await journal.intend("scope", "lost", {
      target,
      startIndex: 2,
      count: 3,
      expiresAtSeconds: 2e9,
    });
    expect(await repository.recover()).toEqual({ confirmed: 1, abandoned: 1 });
    expect(journal.recorded("scope", "landed", 1)).toEqual({ startIndex: 0, count: 2 });
    expect(journal.unconfirmed()).toEqual([]);
    const request = { scope: "scope", key: "landed", nowSeconds: 1, expiresAtSeconds: 2e9 };
    const repeated = await repository.append(
      session,
      "t",
      [{ _ts: 1 }, { _ts: 2 }],
      undefined,
      request,
    );
    expect(repeated).toMatchObject({ startIndex: 0, endIndex: 1, totalDataPoints: 2 });
    await repository.close();
  });

  it("does not let a read overlap an append of the same track", async () => {
    const fs = new LateWriteFileSystem();
    const repository = makeRepository(dataDir, fs);
    await repository.append(session, "t", [{ _ts: 1 }]);
    let overlapping: Promise<ReadResult> | undefined;
    fs.whileWriting = async () => {
      overlapping = repository.read(session, "t", { startIndex: 0, limit: 100 });
      // Give the read every chance to run now; a correct repository makes it wait for the
      // append instead, so this wait ends by the timer.
      await Promise.race([overlapping, new Promise((resolve) => setTimeout(resolve, 50))]);
    };
    const appended = await repository.append(session, "t", [{ _ts: 2 }, { _ts: 3 }]);
    expect(appended).toMatchObject({ startIndex: 1, endIndex: 2 });
    expect((await overlapping)?.data.map((row) => row.index)).toEqual([0, 1, 2]);
    const after = await repository.append(session, "t", [{ _ts: 4 }]);
    expect(after.startIndex).toBe(3);
    const all = await repository.read(session, "t", { startIndex: 0, limit: 100 });
    expect(all.data.map((row) => row.data["_ts"])).toEqual([1, 2, 3, 4]);
    await repository.close();
  });

  it("keeps the tracks on disk in the SDK's session layout, readable after a restart", async () => {
    const first = makeRepository(dataDir, new NodeFileSystem());
    await first.append(session, "robot/pose", [{ _ts: 1, x: 0.5 }]);
    await first.close();
    await expect(
      stat(path.join(dataDir, "alice/ws/run/tracks/robot/pose/data.msgpack")),
    ).resolves.toBeDefined();
    const second = makeRepository(dataDir, new NodeFileSystem());
    const page = await second.read(session, "robot/pose", { startIndex: 0, limit: 10 });
    expect(page.data).toEqual([{ index: 0, data: { _ts: 1, x: 0.5 } }]);
    await second.close();
  });

  it("closes idle sessions beyond its capacity and reopens them on use", async () => {
    const repository = makeRepository(dataDir, new NodeFileSystem());
    const sessions = [1, 2, 3, 4].map((n) => ({ ...session, id: `s${n}`, name: `run-${n}` }));
    for (const s of sessions) await repository.append(s, "t", [{ _ts: 1 }]);
    for (const s of sessions) await repository.append(s, "t", [{ _ts: 2 }]);
    for (const s of sessions) expect((await repository.stats(s, "t")).totalDataPoints).toBe(2);
    await repository.close();
  });
});
