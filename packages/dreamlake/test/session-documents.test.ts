/**
 * The session's own document under both of its Python names: `session.json` (Python 0.4.0)
 * and `episode.json` (0.4.2 and later). Both are written, the newer one is read, and the
 * files index's `episodeId` (0.4.2 and later) is read like 0.4.0's `sessionId`. The real
 * clients check the same in python-clients-local.test.ts; these cases need no Python.
 */
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Session, type SessionOptions } from "../src/index.js";
import { makeTempDir, steppingClock } from "./test-utils.js";

let temp: { dir: string; cleanup(): Promise<void> };
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.cleanup();
});

const folder = (): string => path.join(temp.dir, "ws", "run");
const options = (extra: Partial<SessionOptions> = {}): SessionOptions => ({
  prefix: "ws/run",
  localPath: temp.dir,
  flushOnExit: false,
  flushIntervalMs: 0,
  clock: steppingClock(),
  ...extra,
});
const readDocument = async (name: string): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(path.join(folder(), name), "utf8")) as Record<string, unknown>;

/** A document as a Python version writes it (indent 2, its own field order). */
async function writeDocument(name: string, fields: Record<string, unknown>): Promise<void> {
  await mkdir(folder(), { recursive: true });
  const document = {
    name: "run",
    workspace: "ws",
    description: null,
    tags: [],
    folder: null,
    metadata: null,
    created_at: "2026-01-01T00:00:00.000000Z",
    write_protected: false,
    ...fields,
  };
  await writeFile(path.join(folder(), name), JSON.stringify(document, null, 2));
}

describe("the session document", () => {
  it("is written as session.json and episode.json, the same bytes, under both locks", async () => {
    const session = await Session.open(options({ readme: "notes", tags: ["a"] }));
    await session.close();
    const entries = await readdir(folder());
    expect(entries).toEqual(
      expect.arrayContaining(["session.json", "episode.json", ".session.lock", ".episode.lock"]),
    );
    const session_ = await readFile(path.join(folder(), "session.json"), "utf8");
    expect(await readFile(path.join(folder(), "episode.json"), "utf8")).toBe(session_);
    expect(await readDocument("episode.json")).toMatchObject({ description: "notes", tags: ["a"] });
  });

  it("keeps what a folder with episode.json only says (Python 0.8 wrote it)", async () => {
    await writeDocument("episode.json", { description: "from 0.8", tags: ["py"] });
    const session = await Session.open(options({ tags: ["ts"] }));
    await session.close();
    for (const name of ["session.json", "episode.json"]) {
      expect(await readDocument(name)).toMatchObject({
        description: "from 0.8",
        tags: ["ts"],
        created_at: "2026-01-01T00:00:00.000000Z",
      });
    }
  });

  it("takes the more recently updated of the two as the base", async () => {
    await writeDocument("session.json", {
      description: "older",
      updated_at: "2026-02-01T00:00:00.000000Z",
    });
    await writeDocument("episode.json", {
      description: "newer",
      metadata: { gpu: 2 },
      updated_at: "2026-03-01T00:00:00.000000Z",
    });
    await (await Session.open(options())).close();
    expect(await readDocument("session.json")).toMatchObject({
      description: "newer",
      metadata: { gpu: 2 },
    });
  });

  it("ignores a damaged one and rewrites both from the other", async () => {
    await writeDocument("session.json", { description: "intact" });
    await writeFile(path.join(folder(), "episode.json"), "{ not json");
    await (await Session.open(options())).close();
    expect(await readDocument("episode.json")).toMatchObject({ description: "intact" });
  });
});

describe("the files index", () => {
  it("reads a record's episodeId (Python 0.4.2 and later) as its sessionId", async () => {
    await mkdir(path.join(folder(), "files", "7355221506499119"), { recursive: true });
    await writeFile(path.join(folder(), "files", "7355221506499119", "a.txt"), "a");
    const record = {
      id: "7355221506499119",
      episodeId: "ws/run",
      path: "/",
      filename: "a.txt",
      description: null,
      tags: [],
      contentType: "text/plain",
      sizeBytes: 1,
      checksum: "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb",
      metadata: null,
      uploadedAt: "2026-01-01T00:00:00.000000Z",
      updatedAt: "2026-01-01T00:00:00.000000Z",
      deletedAt: null,
    };
    await writeFile(
      path.join(folder(), "files", ".files_metadata.json"),
      JSON.stringify({ files: [record] }, null, 2),
    );
    const session = await Session.open(options());
    expect(await session.files.list()).toMatchObject([{ id: record.id, sessionId: "ws/run" }]);
    await session.close();
  });
});
