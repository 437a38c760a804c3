import { appendFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileLockManager, NodeFileSystem, NotFoundError, systemClock } from "dreamlake/engine";
import { EmbeddedSessionRegistry } from "../src/embedded/embedded-session-registry.js";

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "dreamlake-registry-"));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const registry = (): EmbeddedSessionRegistry =>
  new EmbeddedSessionRegistry({
    dataDir,
    fs: new NodeFileSystem(),
    locks: new FileLockManager(),
    clock: systemClock,
    lockTimeoutMs: 10_000,
  });

describe("EmbeddedSessionRegistry", () => {
  it("creates the session folder with the Python session.json", async () => {
    const record = await registry().upsert("alice", {
      workspace: "ws",
      name: "run",
      description: "readme",
      tags: ["a"],
      metadata: { gpu: 1 },
    });
    const stored = JSON.parse(
      await readFile(path.join(dataDir, "alice/ws/run/session.json"), "utf8"),
    ) as Record<string, unknown>;
    expect(stored).toMatchObject({
      name: "run",
      workspace: "ws",
      description: "readme",
      tags: ["a"],
      folder: null,
      metadata: { gpu: 1 },
      write_protected: false,
    });
    expect(record).toMatchObject({
      namespace: "alice",
      description: "readme",
      createdAt: stored["created_at"],
    });
  });

  it("keeps one id per namespace, workspace and name, across restarts", async () => {
    const first = await registry().upsert("alice", { workspace: "ws", name: "run" });
    const again = await registry().upsert("alice", { workspace: "ws", name: "run", tags: ["b"] });
    expect(again.id).toBe(first.id);
    expect(again.tags).toEqual(["b"]);
    const other = await registry().upsert("bob", { workspace: "ws", name: "run" });
    expect(other.id).not.toBe(first.id);
    const restarted = registry();
    expect(await restarted.resolve("alice", first.id)).toMatchObject({
      workspace: "ws",
      name: "run",
    });
  });

  it("gives concurrent upserts of one session one id", async () => {
    const reg = registry();
    const records = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        reg.upsert("alice", { workspace: "ws", name: "run", tags: [`t${i}`] }),
      ),
    );
    expect(new Set(records.map((r) => r.id)).size).toBe(1);
  });

  it("gives upserts from two registries on one data folder (two processes) one id", async () => {
    const [a, b] = await Promise.all([
      registry().upsert("alice", { workspace: "ws", name: "run" }),
      registry().upsert("alice", { workspace: "ws", name: "run" }),
    ]);
    expect(a.id).toBe(b.id);
  });

  it("finds a session another registry created after it started", async () => {
    const early = registry();
    await early.upsert("alice", { workspace: "ws", name: "first" });
    const created = await registry().upsert("alice", { workspace: "ws", name: "second" });
    expect((await early.resolve("alice", created.id)).name).toBe("second");
  });

  it("answers another namespace's id like an unknown one", async () => {
    const reg = registry();
    const record = await reg.upsert("alice", { workspace: "ws", name: "run" });
    await expect(reg.resolve("bob", record.id)).rejects.toThrow(NotFoundError);
    await expect(reg.resolve("bob", record.id)).rejects.toThrow(`Session "${record.id}" not found`);
    await expect(reg.describe("bob", record.id)).rejects.toThrow(NotFoundError);
  });

  it("keeps write protection until it is turned off explicitly", async () => {
    const reg = registry();
    const record = await reg.upsert("alice", {
      workspace: "ws",
      name: "run",
      writeProtected: true,
    });
    expect((await reg.upsert("alice", { workspace: "ws", name: "run" })).writeProtected).toBe(true);
    expect((await registry().resolve("alice", record.id)).writeProtected).toBe(true);
    expect(
      (await reg.upsert("alice", { workspace: "ws", name: "run", writeProtected: false }))
        .writeProtected,
    ).toBe(false);
    expect((await registry().resolve("alice", record.id)).writeProtected).toBe(false);
  });

  it("skips a line torn by a crash and starts the next entry on a fresh line", async () => {
    const first = await registry().upsert("alice", { workspace: "ws", name: "one" });
    await appendFile(path.join(dataDir, ".sessions.jsonl"), '{"id":"torn","namesp');
    const reg = registry();
    const second = await reg.upsert("alice", { workspace: "ws", name: "two" });
    const restarted = registry();
    expect((await restarted.resolve("alice", first.id)).name).toBe("one");
    expect((await restarted.resolve("alice", second.id)).name).toBe("two");
    await expect(restarted.resolve("alice", "torn")).rejects.toThrow(NotFoundError);
  });
});
