import { readFile, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Session } from "../src/index.js";
import { makeTempDir } from "./test-utils.js";

const README = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
  "README.md",
);

/** The ```ts blocks of one `## ` section of the README. */
async function blocksOf(section: string): Promise<string[]> {
  const text = await readFile(README, "utf8");
  const start = text.indexOf(`\n## ${section}\n`);
  if (start === -1) throw new Error(`README has no section "${section}"`);
  const end = text.indexOf("\n## ", start + 1);
  const body = text.slice(start, end === -1 ? undefined : end);
  return [...body.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
}

/**
 * Turns a README block into a module whose `run(session)` executes it: imports move to
 * the top, `session` is given when the block uses one without opening it.
 */
async function moduleOf(
  block: string,
  dir: string,
  name: string,
): Promise<{ run(session: Session): Promise<void> }> {
  const lines = block.split("\n");
  const imports = lines.filter((line) => line.startsWith("import "));
  const body = lines.filter((line) => !line.startsWith("import "));
  const declaresSession = /\b(const|let) session\b|\(session\) =>/.test(block);
  const source = [
    ...imports,
    "export async function run(givenSession: any) {",
    ...(declaresSession ? [] : ["  const session = givenSession;"]),
    ...body,
    "}",
  ].join("\n");
  const file = path.join(dir, `${name}.ts`);
  await writeFile(file, source);
  return (await import(pathToFileURL(file).href)) as { run(session: Session): Promise<void> };
}

describe("the README's examples", () => {
  let temp: { dir: string; cleanup(): Promise<void> };
  const cwd = process.cwd();
  beforeEach(async () => {
    temp = await makeTempDir();
    // The examples use the default local path, relative to the working folder.
    process.chdir(temp.dir);
  });
  afterEach(async () => {
    process.chdir(cwd);
    await temp.cleanup();
  });

  it("quick start: each block runs and writes the track it names", async () => {
    const blocks = await blocksOf("Quick start");
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const [i, block] of blocks.entries()) {
      const module = await moduleOf(block, temp.dir, `quick-start-${i}`);
      await module.run(undefined as unknown as Session);
    }
    const session = await Session.open({ prefix: "project/my-experiment", flushOnExit: false });
    try {
      expect(await session.tracks.list()).toEqual(["metrics", "train"]);
      expect((await session.track("train").read()).data[0]?.data["loss"]).toBe(0.5);
    } finally {
      await session.close();
    }
  });

  it("tracks: the block runs against an open session and its reads return what it wrote", async () => {
    const [block] = await blocksOf("Tracks");
    const module = await moduleOf(block ?? "", temp.dir, "tracks");
    const session = await Session.open({ prefix: "project/my-experiment", flushOnExit: false });
    try {
      await module.run(session);
      expect(await session.tracks.list()).toEqual(["robot/pose", "train_loss"]);
      const page = await session.track("train_loss").read();
      expect(page.data.map((row) => row.data["value"])).toEqual([0.5, 0.45]);
    } finally {
      await session.close();
    }
  });

  it("tracks: the charts, scans and columns block runs after the first, on its tracks", async () => {
    const [first, charts] = await blocksOf("Tracks");
    expect(charts).toContain("downsample");
    const module = await moduleOf(`${first ?? ""}\n${charts ?? ""}`, temp.dir, "tracks-charts");
    const session = await Session.open({ prefix: "project/my-experiment", flushOnExit: false });
    try {
      await module.run(session);
      const chart = await session.track("train_loss").downsample({ buckets: 800 });
      expect(chart.buckets.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(2);
      expect(chart.buckets[0]?.fields["value"]?.max).toBe(0.5);
      const imu = await session.track("imu").read();
      expect(imu.data.map((row) => row.data["frame"])).toEqual(["f0", "f1", "f2"]);
    } finally {
      await session.close();
    }
  });
});
