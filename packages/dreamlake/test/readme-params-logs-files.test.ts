import { readFile, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, beforeEach, expect, it } from "vitest";
import { Session } from "../src/index.js";
import { makeTempDir } from "./test-utils.js";

const README = fileURLToPath(new URL("../../../README.md", import.meta.url));
const SECTION = "Params, logs and files";

/** The ```ts blocks of the README's "Params, logs and files" section. */
async function blocks(): Promise<string[]> {
  const text = await readFile(README, "utf8");
  const start = text.indexOf(`\n## ${SECTION}\n`);
  if (start === -1) throw new Error(`README has no section "${SECTION}"`);
  const end = text.indexOf("\n## ", start + 1);
  const body = text.slice(start, end === -1 ? undefined : end);
  return [...body.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
}

/** A module whose `run(session)` executes a README block (imports moved to the top). */
async function moduleOf(
  block: string,
  file: string,
): Promise<{ run(session: Session): Promise<void> }> {
  const lines = block.split("\n");
  const source = [
    ...lines.filter((line) => line.startsWith("import ")),
    "export async function run(session: any) {",
    ...lines.filter((line) => !line.startsWith("import ")),
    "}",
  ].join("\n");
  await writeFile(file, source);
  return (await import(pathToFileURL(file).href)) as { run(session: Session): Promise<void> };
}

let temp: { dir: string; cleanup(): Promise<void> };
const cwd = process.cwd();
beforeEach(async () => {
  temp = await makeTempDir();
  // The examples name files relative to the working folder.
  process.chdir(temp.dir);
});
afterEach(async () => {
  process.chdir(cwd);
  await temp.cleanup();
});

it("the README's params, logs and files examples run and do what their comments say", async () => {
  const found = await blocks();
  expect(found).toHaveLength(2);
  const session = await Session.open({
    prefix: "project/my-experiment",
    localPath: temp.dir,
    flushOnExit: false,
  });
  try {
    for (const [i, block] of found.entries()) {
      await (await moduleOf(block, path.join(temp.dir, `readme-${i}.ts`))).run(session);
    }
    expect(await session.params.get()).toEqual({
      learning_rate: 0.001,
      batch_size: 32,
      model: { layers: 4, dropout: 0.1 },
    });
    expect(await session.params.get({ flatten: true })).toEqual({
      learning_rate: 0.001,
      batch_size: 32,
      "model.layers": 4,
      "model.dropout": 0.1,
    });
    const { logs } = await session.logs.read();
    expect(logs).toMatchObject([
      { sequenceNumber: 0, level: "info", message: "Epoch 1/10 complete" },
      { sequenceNumber: 1, level: "warn", message: "GPU memory high" },
    ]);
    expect(logs[0]?.metadata).toEqual({ train_loss: 0.3 });
    // The model was downloaded, updated, then deleted; the CSV stays.
    expect(await readFile(path.join(temp.dir, "out", "model.pt"), "utf8")).toBe("weights");
    const files = await session.files.list();
    expect(files.map((file) => [file.path, file.filename])).toEqual([["/metrics", "loss.csv"]]);
    const index = JSON.parse(
      await readFile(
        path.join(temp.dir, "project", "my-experiment", "files", ".files_metadata.json"),
        "utf8",
      ),
    ) as { files: { description: string; tags: string[]; deletedAt: string | null }[] };
    expect(index.files[0]).toMatchObject({ description: "best so far", tags: ["v1", "final"] });
    expect(index.files[0]?.deletedAt).not.toBeNull();
  } finally {
    await session.close();
  }
});
