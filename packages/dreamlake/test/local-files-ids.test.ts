import { mkdir, readFile, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { snowflakeId } from "../src/core/snowflake.js";
import { parseFilePrefix } from "../src/core/file-paths.js";
import { FileLockManager } from "../src/storage/node/file-lock-manager.js";
import { LocalFiles } from "../src/storage/local/local-files.js";
import { NodeFileSystem } from "../src/storage/node/node-file-system.js";
import { makeTempDir } from "./test-utils.js";

const NOW_SECONDS = 1_800_000_000;
/** The id the store makes first: its clock and random numbers are fixed. */
const FIRST_ID = snowflakeId(NOW_SECONDS * 1000, 0);

let temp: { dir: string; cleanup(): Promise<void> };
let files: LocalFiles;
let locks: FileLockManager;
beforeEach(async () => {
  temp = await makeTempDir();
  locks = new FileLockManager();
  files = new LocalFiles({ fs: new NodeFileSystem(), locks }, temp.dir, {
    clock: { nowSeconds: () => NOW_SECONDS },
    random: () => 0,
    lockTimeoutMs: 1000,
    fsync: "never",
    maxFileBytes: 1024,
    sessionId: "ws/run",
  });
});
afterEach(async () => {
  await locks.close();
  await temp.cleanup();
});

const upload = (name: string, prefix = "/") =>
  files.upload({
    source: { kind: "bytes", bytes: new TextEncoder().encode(name) },
    prefix: parseFilePrefix(prefix),
    filename: name,
    description: undefined,
    tags: [],
    metadata: undefined,
    contentType: "text/plain",
  });

it("gives ids that grow within a process, even from one millisecond and one random number", async () => {
  const ids = [(await upload("a")).id, (await upload("b")).id, (await upload("c")).id];
  expect(ids[0]).toBe(FIRST_ID);
  expect(ids.map((id) => BigInt(id) - BigInt(FIRST_ID))).toEqual([0n, 1n, 2n]);
});

it("skips an id whose folder another writer created", async () => {
  await mkdir(path.join(temp.dir, "files", FIRST_ID), { recursive: true });
  const record = await upload("a");
  expect(record.id).toBe((BigInt(FIRST_ID) + 1n).toString());
  expect(await readFile(path.join(temp.dir, "files", record.id, "a"), "utf8")).toBe("a");
});

it("moves its bytes to a fresh id when the index already holds its id (under another prefix)", async () => {
  // A Python writer recorded the same id under /other meanwhile.
  await mkdir(path.join(temp.dir, "files"), { recursive: true });
  await writeFile(
    path.join(temp.dir, "files", ".files_metadata.json"),
    JSON.stringify({
      files: [
        {
          id: FIRST_ID,
          path: "/other",
          filename: "x",
          checksum: "0",
          sizeBytes: 0,
          deletedAt: null,
        },
      ],
    }),
  );
  const record = await upload("mine.txt", "/models");
  expect(record.id).not.toBe(FIRST_ID);
  expect(
    await readFile(path.join(temp.dir, "files", "models", record.id, "mine.txt"), "utf8"),
  ).toBe("mine.txt");
  const chunks: Uint8Array[] = [];
  for await (const chunk of files.stream(record.id)) chunks.push(chunk);
  expect(Buffer.concat(chunks).toString()).toBe("mine.txt");
});
