/**
 * The README's "Remote and hybrid modes" examples run as written, against a real server
 * (its URL replaces the example's `http://127.0.0.1:3000`), and leave what they say.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, beforeEach, expect, it } from "vitest";
import { Session } from "dreamlake";
import { startSdkServer, type SdkServer } from "./sdk-server.js";
import { readAll } from "./sdk-modes.js";

const README = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
  "README.md",
);
const EXAMPLE_URL = "http://127.0.0.1:3000";

/** The ```ts blocks of one `## ` section of the README. */
async function blocksOf(section: string): Promise<string[]> {
  const text = await readFile(README, "utf8");
  const start = text.indexOf(`\n## ${section}\n`);
  if (start === -1) throw new Error(`README has no section "${section}"`);
  const end = text.indexOf("\n## ", start + 1);
  const body = text.slice(start, end === -1 ? undefined : end);
  return [...body.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
}

let server: SdkServer;
let dir: string;
const cwd = process.cwd();
const savedKey = process.env["DREAMLAKE_API_KEY"];

beforeEach(async () => {
  server = await startSdkServer();
  dir = await mkdtemp(path.join(tmpdir(), "dreamlake-readme-remote-"));
  process.chdir(dir);
  process.env["DREAMLAKE_API_KEY"] = server.token;
});
afterEach(async () => {
  process.chdir(cwd);
  if (savedKey === undefined) delete process.env["DREAMLAKE_API_KEY"];
  else process.env["DREAMLAKE_API_KEY"] = savedKey;
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

it("runs the remote and hybrid example, which leaves its points on the server and locally", async () => {
  const blocks = await blocksOf("Remote and hybrid modes");
  expect(blocks).toHaveLength(1);
  const block = (blocks[0] ?? "").replaceAll(EXAMPLE_URL, server.url);
  expect(block).not.toContain(EXAMPLE_URL);
  const file = path.join(dir, "remote-example.ts");
  const lines = block.split("\n");
  await writeFile(
    file,
    [
      ...lines.filter((line) => line.startsWith("import ")),
      "export async function run() {",
      ...lines.filter((line) => !line.startsWith("import ")),
      "}",
    ].join("\n"),
  );
  const example = (await import(pathToFileURL(file).href)) as { run(): Promise<void> };
  await example.run();

  const quiet = { flushOnExit: false, flushIntervalMs: 0, url: server.url, apiKey: server.token };
  const remote = await Session.open({ ...quiet, prefix: "robotics/walk-7" });
  const onServer = await Session.open({ ...quiet, prefix: "robotics/walk-8" });
  const local = await Session.open({ prefix: "robotics/walk-8", flushOnExit: false });
  try {
    expect((await readAll(remote, "robot/pose")).map((row) => row.data)).toEqual([
      { x: 0.1, y: 0.2, _ts: 1234.5 },
    ]);
    const hybridPoint = [{ index: 0, data: { x: 0.3, _ts: 1235 } }];
    expect(await readAll(onServer, "robot/pose")).toEqual(hybridPoint);
    expect(await readAll(local, "robot/pose")).toEqual(hybridPoint);
  } finally {
    await remote.close();
    await onServer.close();
    await local.close();
  }
});
