/**
 * The flock addon: loaded and built for the Node.js running the tests (each Node version
 * of the test run loads one built against its own headers), and, when it is missing, one
 * warning on stderr at the first write, with the fix.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lockAddonBuiltFor, lockKind } from "../src/engine.js";
import { assertFreshBuild, ended } from "./child-process.js";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { makeTempDir } from "./test-utils.js";

const WRITER = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "scripts",
  "lock-writer.mjs",
);

/** Runs the writer with `DREAMLAKE_FLOCK_ADDON` set to `setting` (or unset). */
async function runWriter(localPath: string, setting: string | undefined) {
  const env = { ...process.env };
  if (setting === undefined) delete env["DREAMLAKE_FLOCK_ADDON"];
  else env["DREAMLAKE_FLOCK_ADDON"] = setting;
  return ended(spawn(process.execPath, [WRITER, localPath], { env }));
}

describe("the flock addon", () => {
  let temp: { dir: string; cleanup(): Promise<void> };
  beforeEach(async () => {
    await assertFreshBuild();
    temp = await makeTempDir();
  });
  afterEach(async () => {
    await temp.cleanup();
  });

  it("is loaded, built against the headers of the Node.js that runs it", () => {
    expect(lockKind).toBe("flock");
    expect(lockAddonBuiltFor).toBe(process.versions.node);
  });

  it("without it, the first write warns once on stderr, naming what to install", async () => {
    const run = await runWriter(temp.dir, "off");
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe("exclusive-file");
    const warnings = run.stderr.split("\n").filter((line) => line.includes("DreamlakeWarning"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("[DREAMLAKE_NO_FLOCK]");
    expect(warnings[0]).toContain("not Python SDK writers");
    expect(warnings[0]).toContain("apt-get install build-essential python3");
    expect(warnings[0]).toContain("npm rebuild dreamlake");
  });

  it("with it, writes say nothing", async () => {
    const run = await runWriter(temp.dir, process.env["DREAMLAKE_FLOCK_ADDON"]);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout.trim()).toBe("flock");
  });

  it("an addon path that cannot be loaded warns with the reason", async () => {
    const run = await runWriter(temp.dir, path.join(temp.dir, "missing.node"));
    expect(run.stdout.trim()).toBe("exclusive-file");
    expect(run.stderr).toContain("missing.node");
    expect(run.stderr.match(/DREAMLAKE_NO_FLOCK/g)).toHaveLength(1);
  });
});
