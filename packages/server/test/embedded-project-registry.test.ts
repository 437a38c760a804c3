import { appendFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FileLockManager, NodeFileSystem, systemClock } from "dreamlake/engine";
import { EmbeddedProjectRegistry } from "../src/embedded/embedded-project-registry.js";
import { EmbeddedSessionRegistry } from "../src/embedded/embedded-session-registry.js";
import { describeProjectRegistry } from "./project-registry-contract.js";

/** Every lock manager the registries below opened (closed after each test). */
const lockManagers: FileLockManager[] = [];
afterEach(async () => {
  for (const locks of lockManagers.splice(0)) await locks.close();
});

function registries(dataDir: string) {
  const locks = new FileLockManager();
  lockManagers.push(locks);
  const options = {
    dataDir,
    fs: new NodeFileSystem(),
    locks,
    clock: systemClock,
    lockTimeoutMs: 10_000,
  };
  return {
    projects: new EmbeddedProjectRegistry(options),
    sessions: new EmbeddedSessionRegistry(options),
  };
}

describeProjectRegistry("embedded (data folder)", async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), "dreamlake-projects-"));
  return {
    ...registries(dataDir),
    reopen: () => Promise.resolve(registries(dataDir)),
    close: () => rm(dataDir, { recursive: true, force: true }),
  };
});

describe("EmbeddedProjectRegistry", () => {
  it("skips a torn or foreign line of .projects.jsonl and keeps appending after it", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "dreamlake-projects-"));
    try {
      await registries(dataDir).projects.create("alice", { slug: "a", name: "A" });
      await appendFile(path.join(dataDir, ".projects.jsonl"), 'not json\n{"namespace":"al');
      const { projects } = registries(dataDir);
      expect((await projects.create("alice", { slug: "b", name: "B" })).created).toBe(true);
      const restarted = registries(dataDir).projects;
      expect(await restarted.find("alice", "a")).toMatchObject({ name: "A" });
      expect(await restarted.find("alice", "b")).toMatchObject({ name: "B" });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
