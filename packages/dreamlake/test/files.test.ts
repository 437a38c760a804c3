import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CorruptDataError,
  FailedPreconditionError,
  InvalidArgumentError,
  LimitExceededError,
  NotFoundError,
  Session,
  type FileRecord,
} from "../src/index.js";
import { makeTempDir, steppingClock } from "./test-utils.js";

let temp: { dir: string; cleanup(): Promise<void> };
let session: Session;
let folder: string;
let source: string;
const BYTES = "model weights \u00e9\n";

const sha256 = (bytes: string | Uint8Array): string =>
  createHash("sha256").update(bytes).digest("hex");
const index = async (): Promise<{ files: Record<string, unknown>[] }> =>
  JSON.parse(await readFile(path.join(folder, "files", ".files_metadata.json"), "utf8")) as {
    files: Record<string, unknown>[];
  };
const storedPath = (record: FileRecord): string =>
  path.join(folder, "files", record.path, record.id, record.filename);
const enc = (text: string): Uint8Array => new TextEncoder().encode(text);

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts).toString("utf8");
}

async function openSession(options: { maxFileBytes?: number } = {}): Promise<Session> {
  return Session.open({
    prefix: "ws/run",
    localPath: temp.dir,
    flushOnExit: false,
    clock: steppingClock(1_800_000_000, 1),
    ...options,
  });
}

beforeEach(async () => {
  temp = await makeTempDir();
  folder = path.join(temp.dir, "ws", "run");
  source = path.join(temp.dir, "model.pt");
  await writeFile(source, BYTES);
  session = await openSession();
});
afterEach(async () => {
  await session.close();
  await temp.cleanup();
});

describe("files.upload", () => {
  it("copies a file under files/<prefix>/<id>/<name> and records it as Python does", async () => {
    const record = await session.files.upload(source, {
      prefix: "/models",
      description: "best",
      tags: ["v1", "final"],
      metadata: { epoch: 3 },
    });
    expect(record).toEqual({
      id: expect.stringMatching(/^[1-9]\d{15}$/) as string,
      sessionId: "ws/run",
      path: "/models",
      filename: "model.pt",
      description: "best",
      tags: ["v1", "final"],
      contentType: "application/octet-stream",
      sizeBytes: Buffer.byteLength(BYTES),
      checksum: sha256(BYTES),
      metadata: { epoch: 3 },
      uploadedAt: "2027-01-15T08:00:02.000000Z",
      updatedAt: "2027-01-15T08:00:02.000000Z",
    });
    expect(await readFile(storedPath(record), "utf8")).toBe(BYTES);
    const { files } = await index();
    expect(Object.keys(files[0] ?? {})).toEqual([
      "id",
      "sessionId",
      "path",
      "filename",
      "description",
      "tags",
      "contentType",
      "sizeBytes",
      "checksum",
      "metadata",
      "uploadedAt",
      "updatedAt",
      "deletedAt",
    ]);
    expect(files[0]?.["deletedAt"]).toBeNull();
  });

  it("puts files without a prefix at files/<id>/<name>", async () => {
    const record = await session.files.upload(source);
    expect(record.path).toBe("/");
    expect(await readFile(path.join(folder, "files", record.id, "model.pt"), "utf8")).toBe(BYTES);
  });

  it("stores bytes, a Node stream, an async generator and a web stream", async () => {
    const fromBytes = await session.files.upload(enc("abc"), { filename: "a.bin" });
    const fromNode = await session.files.upload(Readable.from([enc("no"), enc("de")]), {
      filename: "n.bin",
    });
    async function* generate(): AsyncGenerator<Uint8Array> {
      // A chunk that arrives later, as from a network.
      yield await Promise.resolve(enc("gen"));
      yield enc("erator");
    }
    const fromGenerator = await session.files.upload(generate(), { filename: "g.bin" });
    const fromWeb = await session.files.upload(
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(enc("web"));
          controller.close();
        },
      }),
      { filename: "w.bin" },
    );
    const contents = await Promise.all(
      [fromBytes, fromNode, fromGenerator, fromWeb].map((r) => readFile(storedPath(r), "utf8")),
    );
    expect(contents).toEqual(["abc", "node", "generator", "web"]);
    expect(fromGenerator.checksum).toBe(sha256("generator"));
    expect(fromGenerator.sizeBytes).toBe(9);
  });

  it("needs a name for bytes and streams", async () => {
    await expect(session.files.upload(enc("x"))).rejects.toThrow(/needs a filename/);
  });

  it("refuses a stream of strings and keeps nothing of it", async () => {
    await expect(
      session.files.upload(Readable.from(["text"]) as AsyncIterable<Uint8Array>, {
        filename: "t.txt",
      }),
    ).rejects.toThrow(/Uint8Array chunks/);
    expect(await readdir(path.join(folder, "files"))).toEqual([]);
  });

  it("names a missing source file, and refuses a folder", async () => {
    const missing = path.join(temp.dir, "nope.pt");
    const attempt = session.files.upload(missing);
    await expect(attempt).rejects.toBeInstanceOf(NotFoundError);
    await expect(session.files.upload(missing)).rejects.toThrow(missing);
    await expect(session.files.upload(temp.dir, { filename: "d" })).rejects.toThrow(
      /is not a regular file/,
    );
  });

  it.each([
    ["a prefix with ..", { prefix: "/../../outside" }, /File prefix "\/\.\.\/\.\.\/outside"/],
    ["a prefix with an empty segment", { prefix: "/a//b" }, /File prefix "\/a\/\/b"/],
    ["a name with a /", { filename: "../escape.pt" }, /File name "\.\.\/escape\.pt"/],
    ["the name ..", { filename: ".." }, /File name "\.\."/],
    ["metadata that is not JSON", { metadata: { at: new Date() } }, /File metadata field "at"/],
    ["a tag with a comma", { tags: ["a,b"] }, /tag "a,b"/],
    ["an unknown option", { path: "/models" } as never, /got "path"/],
  ])("refuses %s, naming the value, and writes nothing", async (_name, options, message) => {
    const attempt = session.files.upload(source, options);
    await expect(attempt).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(session.files.upload(source, options)).rejects.toThrow(message);
    expect(await readdir(path.join(folder, "files"))).toEqual([]);
    expect(await readdir(temp.dir)).toEqual(["model.pt", "ws"]);
  });

  it("replaces an active file with the same prefix and name, in its slot, under a new id", async () => {
    const first = await session.files.upload(source, { prefix: "/models" });
    const other = await session.files.upload(source, { prefix: "/models", filename: "other.pt" });
    await writeFile(source, "newer weights");
    const second = await session.files.upload(source, { prefix: "models/" });
    expect(second.id).not.toBe(first.id);
    expect((await session.files.list()).map((r) => r.id)).toEqual([second.id, other.id]);
    expect((await index()).files).toHaveLength(2);
    // The replaced bytes are removed, as in Python.
    await expect(stat(path.join(folder, "files", "models", first.id))).rejects.toThrow();
    expect(await readFile(storedPath(second), "utf8")).toBe("newer weights");
  });
});

describe("the size limit (maxFileBytes)", () => {
  beforeEach(async () => {
    await session.close();
    session = await openSession({ maxFileBytes: 10 });
  });

  it("accepts a file of exactly the limit, from a path, bytes or a stream", async () => {
    await writeFile(source, "0123456789");
    await session.files.upload(source);
    await session.files.upload(enc("0123456789"), { filename: "b" });
    await session.files.upload(Readable.from([enc("01234"), enc("56789")]), { filename: "s" });
    expect(await session.files.list()).toHaveLength(3);
  });

  it("refuses one byte more, from a path, bytes or a stream, and keeps nothing", async () => {
    await writeFile(source, "0123456789X");
    await expect(session.files.upload(source)).rejects.toBeInstanceOf(LimitExceededError);
    await expect(session.files.upload(enc("0123456789X"), { filename: "b" })).rejects.toThrow(
      "File of 11 bytes is larger than the limit of 10 bytes (maxFileBytes)",
    );
    await expect(
      session.files.upload(Readable.from([enc("01234"), enc("56789"), enc("X")]), {
        filename: "s",
      }),
    ).rejects.toBeInstanceOf(LimitExceededError);
    expect(await readdir(path.join(folder, "files"))).toEqual([]);
  });

  it("is 5 GiB by default, as in Python", async () => {
    const { DEFAULT_MAX_FILE_BYTES } = await import("../src/index.js");
    expect(DEFAULT_MAX_FILE_BYTES).toBe(5 * 1024 ** 3);
  });
});

describe("files.list and files.get", () => {
  let records: FileRecord[];
  beforeEach(async () => {
    records = [
      await session.files.upload(enc("1"), { filename: "a.pt", prefix: "/models", tags: ["best"] }),
      await session.files.upload(enc("2"), { filename: "b.pt", prefix: "/models/old" }),
      await session.files.upload(enc("3"), {
        filename: "c.png",
        prefix: "/models2",
        tags: ["plot"],
      }),
      await session.files.upload(enc("4"), { filename: "d.txt", tags: ["best", "plot"] }),
    ];
  });
  const names = (list: readonly FileRecord[]): string[] => list.map((r) => r.filename);

  it("lists every active file in upload order", async () => {
    expect(names(await session.files.list())).toEqual(["a.pt", "b.pt", "c.png", "d.txt"]);
  });

  it("filters by prefix, whole segments only", async () => {
    expect(names(await session.files.list({ prefix: "/models" }))).toEqual(["a.pt", "b.pt"]);
    expect(names(await session.files.list({ prefix: "models/old/" }))).toEqual(["b.pt"]);
    expect(names(await session.files.list({ prefix: "/mod" }))).toEqual([]);
  });

  it("filters by tags (any of them) and by both", async () => {
    expect(names(await session.files.list({ tags: ["plot"] }))).toEqual(["c.png", "d.txt"]);
    expect(names(await session.files.list({ tags: ["best", "plot"] }))).toEqual([
      "a.pt",
      "c.png",
      "d.txt",
    ]);
    expect(names(await session.files.list({ prefix: "/models", tags: ["best"] }))).toEqual([
      "a.pt",
    ]);
  });

  it("gets one record by id, and names an unknown id", async () => {
    const [first] = records;
    expect(await session.files.get(first?.id ?? "")).toEqual(first);
    await expect(session.files.get("123")).rejects.toThrow(NotFoundError);
    await expect(session.files.get("123")).rejects.toThrow('File "123" not found');
  });
});

describe("files.download and files.stream", () => {
  let record: FileRecord;
  beforeEach(async () => {
    record = await session.files.upload(source, { prefix: "/models" });
  });

  it("write the bytes to the destination, creating its folders", async () => {
    const destination = path.join(temp.dir, "out", "deep", "model.pt");
    expect(await session.files.download(record.id, destination)).toBe(destination);
    expect(await readFile(destination, "utf8")).toBe(BYTES);
    expect(await collect(session.files.stream(record.id))).toBe(BYTES);
  });

  it("refuse bytes that do not match the checksum, leaving the destination untouched", async () => {
    await writeFile(storedPath(record), "tampered");
    const out = path.join(temp.dir, "out");
    await mkdir(out);
    await writeFile(path.join(out, "model.pt"), "old copy");
    const attempt = session.files.download(record.id, path.join(out, "model.pt"));
    await expect(attempt).rejects.toBeInstanceOf(CorruptDataError);
    await expect(session.files.download(record.id, path.join(out, "model.pt"))).rejects.toThrow(
      `does not match its record: SHA-256 ${sha256("tampered")}`,
    );
    expect(await readFile(path.join(out, "model.pt"), "utf8")).toBe("old copy");
    await expect(session.files.download(record.id, path.join(out, "new.pt"))).rejects.toThrow(
      CorruptDataError,
    );
    expect(await readdir(out)).toEqual(["model.pt"]);
    await expect(collect(session.files.stream(record.id))).rejects.toBeInstanceOf(CorruptDataError);
  });

  it("name a file whose bytes are gone", async () => {
    const { rm } = await import("node:fs/promises");
    await rm(storedPath(record));
    await expect(
      session.files.download(record.id, path.join(temp.dir, "x")),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it("download to the file's name in the working folder when no destination is given", async () => {
    const cwd = process.cwd();
    const out = path.join(temp.dir, "cwd");
    await mkdir(out);
    process.chdir(out);
    try {
      expect(await session.files.download(record.id)).toBe("model.pt");
    } finally {
      process.chdir(cwd);
    }
    expect(await readFile(path.join(out, "model.pt"), "utf8")).toBe(BYTES);
  });

  it("refuse a folder as destination", async () => {
    await expect(session.files.download(record.id, temp.dir)).rejects.toThrow(/is a folder/);
  });

  it("refuse a record (written by another tool) that points outside the files folder", async () => {
    const document = await index();
    const entry = document.files[0] ?? {};
    entry["path"] = "../../../outside";
    await writeFile(
      path.join(folder, "files", ".files_metadata.json"),
      JSON.stringify(document, null, 2),
    );
    await expect(session.files.download(record.id, path.join(temp.dir, "x"))).rejects.toThrow(
      /points outside the session's files folder/,
    );
  });
});

describe("files.update and files.delete", () => {
  let record: FileRecord;
  beforeEach(async () => {
    record = await session.files.upload(source, {
      description: "first",
      tags: ["a"],
      metadata: { k: 1 },
    });
  });

  it("update changes what is given, keeps what is absent, and clears with null", async () => {
    const tagged = await session.files.update(record.id, { tags: ["b", "c"] });
    expect(tagged).toMatchObject({ description: "first", tags: ["b", "c"], metadata: { k: 1 } });
    expect(tagged.updatedAt).not.toBe(record.updatedAt);
    const cleared = await session.files.update(record.id, { description: null, metadata: null });
    expect(cleared.description).toBeUndefined();
    expect(cleared.metadata).toBeUndefined();
    expect(cleared.tags).toEqual(["b", "c"]);
    expect((await index()).files[0]).toMatchObject({ description: null, metadata: null });
    await expect(session.files.update(record.id, { name: "x" } as never)).rejects.toThrow(
      /got "name"/,
    );
  });

  it("delete is soft: the record is marked, the bytes stay", async () => {
    const deleted = await session.files.delete(record.id);
    expect(deleted).toEqual({ id: record.id, deletedAt: expect.any(String) as string });
    expect(await session.files.list()).toEqual([]);
    await expect(session.files.get(record.id)).rejects.toThrow(NotFoundError);
    expect(await readFile(storedPath(record), "utf8")).toBe(BYTES);
    expect((await index()).files[0]).toMatchObject({
      deletedAt: deleted.deletedAt,
      updatedAt: deleted.deletedAt,
    });
    await expect(session.files.delete(record.id)).rejects.toThrow(/already deleted/);
    await expect(session.files.update(record.id, { tags: [] })).rejects.toThrow(/has been deleted/);
  });

  it("a deleted file's name and prefix can be used again", async () => {
    await session.files.delete(record.id);
    const again = await session.files.upload(source);
    expect((await session.files.list()).map((r) => r.id)).toEqual([again.id]);
    expect((await index()).files).toHaveLength(2);
  });
});

describe("the files index", () => {
  it("is never overwritten when damaged", async () => {
    const file = path.join(folder, "files", ".files_metadata.json");
    await writeFile(file, '{"files": [');
    await expect(session.files.list()).rejects.toBeInstanceOf(CorruptDataError);
    await expect(session.files.upload(source)).rejects.toThrow(/cannot be read as the files index/);
    expect(await readFile(file, "utf8")).toBe('{"files": [');
    // The copied bytes of the refused upload are removed too.
    expect((await readdir(path.join(folder, "files"))).sort()).toEqual([
      ".files_metadata.json",
      ".files_metadata.lock",
    ]);
  });

  it("keeps fields other tools added", async () => {
    const record = await session.files.upload(source);
    const document = await index();
    (document as Record<string, unknown>)["extra"] = 1;
    const entry = document.files[0] ?? {};
    entry["s3Url"] = "s3://x";
    await writeFile(path.join(folder, "files", ".files_metadata.json"), JSON.stringify(document));
    await session.files.update(record.id, { description: "d" });
    const after = await index();
    expect((after as Record<string, unknown>)["extra"]).toBe(1);
    expect(after.files[0]?.["s3Url"]).toBe("s3://x");
  });

  it("refuses calls on a closed session", async () => {
    await session.close();
    await expect(session.files.list()).rejects.toBeInstanceOf(FailedPreconditionError);
    await expect(session.files.upload(source)).rejects.toBeInstanceOf(FailedPreconditionError);
  });
});
