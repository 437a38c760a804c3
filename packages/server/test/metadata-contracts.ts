/**
 * The contract suites of the metadata ports (sessions, params, logs, files). Every adapter
 * runs them: the embedded ones on a data folder, the PostgreSQL ones (with an object store
 * for file bytes).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  NotFoundError,
  parseFilePrefix,
  parseLogQuery,
  type FileUpload,
  type NewLogEntry,
} from "dreamlake/engine";
import type { FileRepository } from "../src/files/file-repository.js";
import type { LogRepository } from "../src/logs/log-repository.js";
import type { ParamsRepository } from "../src/params/params-repository.js";
import type { SessionRef } from "../src/sessions/session-ref.js";
import type { SessionRegistry } from "../src/sessions/session-registry.js";

/** The metadata ports of one kind of storage, fresh for each test. */
export type MetadataFixture = {
  readonly sessions: SessionRegistry;
  readonly params: ParamsRepository;
  readonly logs: LogRepository;
  readonly files: FileRepository;
  /** Releases everything. */
  dispose(): Promise<void>;
};

let counter = 0;
const NOW = 1_770_000_000;

async function newSession(fixture: MetadataFixture, namespace = "alice"): Promise<SessionRef> {
  counter++;
  return fixture.sessions.upsert(namespace, { workspace: "ws", name: `run-${counter}` });
}

function entry(
  message: string,
  seconds: number,
  level: NewLogEntry["level"] = "info",
): NewLogEntry {
  return { timestamp: new Date(seconds * 1000).toISOString().replace("Z", "000Z"), level, message };
}

function upload(filename: string, text: string, extra: Partial<FileUpload> = {}): FileUpload {
  return {
    source: { kind: "bytes", bytes: new TextEncoder().encode(text) },
    prefix: parseFilePrefix("/models"),
    filename,
    description: undefined,
    tags: [],
    metadata: undefined,
    contentType: "text/plain",
    ...extra,
  };
}

async function text(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts).toString("utf8");
}

/** Registers the contract tests of the four metadata ports for one kind of storage. */
export function describeMetadataPorts(name: string, make: () => Promise<MetadataFixture>): void {
  describe(`metadata ports contract: ${name}`, () => {
    let fixture: MetadataFixture;
    beforeEach(async () => {
      fixture = await make();
    });
    afterEach(async () => {
      await fixture.dispose();
    });

    describe("SessionRegistry", () => {
      it("gives one id per (namespace, workspace, name), also to concurrent upserts", async () => {
        const ids = await Promise.all(
          Array.from({ length: 5 }, () =>
            fixture.sessions.upsert("alice", { workspace: "ws", name: "same" }),
          ),
        );
        expect(new Set(ids.map((record) => record.id)).size).toBe(1);
        const other = await fixture.sessions.upsert("bob", { workspace: "ws", name: "same" });
        expect(other.id).not.toBe(ids[0]?.id);
      });

      it("keeps fields an upsert does not give and changes those it gives", async () => {
        const first = await fixture.sessions.upsert("alice", {
          workspace: "ws",
          name: "fields",
          description: "readme",
          tags: ["a"],
          metadata: { gpu: 1 },
        });
        expect(first).toMatchObject({ description: "readme", tags: ["a"], writeProtected: false });
        const second = await fixture.sessions.upsert("alice", {
          workspace: "ws",
          name: "fields",
          tags: ["b"],
          writeProtected: true,
        });
        expect(second).toMatchObject({
          id: first.id,
          description: "readme",
          tags: ["b"],
          metadata: { gpu: 1 },
          writeProtected: true,
        });
        expect(second.updatedAt).not.toBeNull();
        expect(await fixture.sessions.describe("alice", first.id)).toEqual(second);
      });

      it("resolves a session only for its own namespace", async () => {
        const session = await newSession(fixture);
        expect(await fixture.sessions.resolve("alice", session.id)).toMatchObject({
          id: session.id,
          workspace: "ws",
        });
        await expect(fixture.sessions.resolve("bob", session.id)).rejects.toBeInstanceOf(
          NotFoundError,
        );
        await expect(fixture.sessions.resolve("alice", "no-such-id")).rejects.toBeInstanceOf(
          NotFoundError,
        );
      });

      it("lists the sessions of one namespace, newest first, with their fields", async () => {
        const namespace = `lister-${++counter}`;
        const older = await fixture.sessions.upsert(namespace, {
          workspace: "ws",
          name: "older",
          tags: ["x"],
        });
        await new Promise((resolve) => setTimeout(resolve, 5));
        const newer = await fixture.sessions.upsert(namespace, {
          workspace: "other",
          name: "newer",
        });
        await fixture.sessions.upsert(`${namespace}-else`, { workspace: "ws", name: "hidden" });
        const listed = await fixture.sessions.list(namespace);
        expect(listed.map((record) => record.id)).toEqual([newer.id, older.id]);
        expect(listed[1]).toEqual(await fixture.sessions.describe(namespace, older.id));
        expect(await fixture.sessions.list(`${namespace}-nobody`)).toEqual([]);
      });
    });

    describe("ParamsRepository", () => {
      it("answers an empty document before the first write", async () => {
        const session = await newSession(fixture);
        expect(await fixture.params.get(session)).toMatchObject({ data: {}, version: 0 });
      });

      it("merges keys, later values winning, and bumps the version", async () => {
        const session = await newSession(fixture);
        await fixture.params.merge(session, { lr: 0.1, "model.layers": 4 });
        const merged = await fixture.params.merge(session, { lr: 0.01, batch: 32 });
        expect(merged).toMatchObject({
          data: { lr: 0.01, "model.layers": 4, batch: 32 },
          version: 2,
        });
        expect(await fixture.params.get(session)).toEqual(merged);
      });

      it("loses no key to concurrent merges", async () => {
        const session = await newSession(fixture);
        await Promise.all(
          Array.from({ length: 8 }, (_, i) => fixture.params.merge(session, { [`k${i}`]: i })),
        );
        const document = await fixture.params.get(session);
        expect(Object.keys(document.data).sort()).toEqual(
          Array.from({ length: 8 }, (_, i) => `k${i}`).sort(),
        );
        expect(document.version).toBe(8);
      });
    });

    describe("LogRepository", () => {
      it("numbers entries from 0 without gaps, also under concurrent appends", async () => {
        const session = await newSession(fixture);
        const firsts = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            fixture.logs.append(session, [entry(`a${i}`, NOW + i), entry(`b${i}`, NOW + i)]),
          ),
        );
        expect(firsts.map((first) => first.firstSequence).sort((a, b) => a - b)).toEqual([
          0, 2, 4, 6, 8, 10,
        ]);
        const read = await fixture.logs.read(session, parseLogQuery({ limit: 100 }));
        expect(read.logs.map((log) => log.sequenceNumber)).toEqual(
          Array.from({ length: 12 }, (_, i) => i),
        );
      });

      it("filters by level and time, pages with offset and limit, and reverses", async () => {
        const session = await newSession(fixture);
        await fixture.logs.append(session, [
          entry("one", NOW, "debug"),
          { ...entry("two", NOW + 1, "error"), metadata: { loss: 0.5 } },
          entry("three", NOW + 2, "error"),
          entry("four", NOW + 3, "info"),
        ]);
        const errors = await fixture.logs.read(session, parseLogQuery({ level: "error" }));
        expect(errors.logs.map((log) => log.message)).toEqual(["two", "three"]);
        expect(errors.logs[0]?.metadata).toEqual({ loss: 0.5 });
        const window = await fixture.logs.read(
          session,
          parseLogQuery({ since: NOW + 1, until: NOW + 3 }),
        );
        expect(window.logs.map((log) => log.message)).toEqual(["two", "three"]);
        const page = await fixture.logs.read(
          session,
          parseLogQuery({ reverse: true, offset: 1, limit: 2 }),
        );
        expect(page.logs.map((log) => log.message)).toEqual(["three", "two"]);
        expect(page.hasMore).toBe(true);
      });

      it("finds entries whose message contains a text, ignoring case, and pages them", async () => {
        const session = await newSession(fixture);
        await fixture.logs.append(session, [
          entry("GPU memory high", NOW),
          entry("epoch 1 done", NOW + 1, "warn"),
          entry("gpu ok", NOW + 2),
          entry("100% of 50%", NOW + 3),
        ]);
        const search = async (text: string, extra: object = {}) =>
          (await fixture.logs.read(session, { ...parseLogQuery(extra), search: text })).logs.map(
            (log) => log.message,
          );
        expect(await search("gpu")).toEqual(["GPU memory high", "gpu ok"]);
        expect(await search("GPU", { reverse: true, limit: 1 })).toEqual(["gpu ok"]);
        expect(await search("gpu", { level: "warn" })).toEqual([]);
        // No pattern syntax: % and _ are plain characters.
        expect(await search("0%")).toEqual(["100% of 50%"]);
        expect(await search("_")).toEqual([]);
      });
    });

    describe("FileRepository", () => {
      it("stores the bytes and the record, and streams the bytes back", async () => {
        const session = await newSession(fixture);
        const record = await fixture.files.upload(
          session,
          upload("model.txt", "weights", { description: "best", tags: ["v1"], metadata: { e: 1 } }),
        );
        expect(record).toMatchObject({
          path: "/models",
          filename: "model.txt",
          description: "best",
          tags: ["v1"],
          metadata: { e: 1 },
          sizeBytes: 7,
          checksum: createHash("sha256").update("weights").digest("hex"),
        });
        expect(await fixture.files.get(session, record.id)).toEqual(record);
        const opened = await fixture.files.open(session, record.id);
        expect(await text(opened.chunks)).toBe("weights");
      });

      it("replaces an active file of the same prefix and name in its place", async () => {
        const session = await newSession(fixture);
        const first = await fixture.files.upload(session, upload("a.txt", "1"));
        await fixture.files.upload(session, upload("b.txt", "2"));
        const replaced = await fixture.files.upload(session, upload("a.txt", "3"));
        const listed = await fixture.files.list(session, {
          prefix: parseFilePrefix(undefined),
          tags: undefined,
        });
        expect(listed.map((record) => record.id)).toEqual([replaced.id, listed[1]?.id]);
        expect(listed.map((record) => record.filename)).toEqual(["a.txt", "b.txt"]);
        await expect(fixture.files.get(session, first.id)).rejects.toBeInstanceOf(NotFoundError);
      });

      it("lists by whole prefix segments and by any of the tags", async () => {
        const session = await newSession(fixture);
        await fixture.files.upload(session, upload("a", "1", { tags: ["x"] }));
        await fixture.files.upload(
          session,
          upload("b", "2", { prefix: parseFilePrefix("/models2"), tags: ["y"] }),
        );
        const models = await fixture.files.list(session, {
          prefix: parseFilePrefix("/models"),
          tags: undefined,
        });
        expect(models.map((record) => record.filename)).toEqual(["a"]);
        const tagged = await fixture.files.list(session, {
          prefix: parseFilePrefix(undefined),
          tags: ["y", "z"],
        });
        expect(tagged.map((record) => record.filename)).toEqual(["b"]);
      });

      it("updates fields, clears with null, and deletes softly", async () => {
        const session = await newSession(fixture);
        const record = await fixture.files.upload(
          session,
          upload("c", "3", { description: "d", metadata: { m: 1 } }),
        );
        const changed = await fixture.files.update(session, record.id, {
          description: null,
          tags: ["t"],
        });
        expect(changed.description).toBeUndefined();
        expect(changed.tags).toEqual(["t"]);
        expect(changed.metadata).toEqual({ m: 1 });
        const deleted = await fixture.files.delete(session, record.id);
        expect(deleted.id).toBe(record.id);
        await expect(fixture.files.get(session, record.id)).rejects.toThrow(/has been deleted/);
        await expect(fixture.files.delete(session, record.id)).rejects.toBeInstanceOf(
          NotFoundError,
        );
        expect(
          await fixture.files.list(session, {
            prefix: parseFilePrefix(undefined),
            tags: undefined,
          }),
        ).toEqual([]);
      });

      it("stores nothing when the source stream fails", async () => {
        const session = await newSession(fixture);
        // eslint-disable-next-line @typescript-eslint/require-await -- a stream source
        async function* failing() {
          yield new TextEncoder().encode("partial");
          throw new Error("the client went away");
        }
        await expect(
          fixture.files.upload(session, {
            ...upload("d", ""),
            source: { kind: "stream", chunks: failing() },
          }),
        ).rejects.toThrow(/went away/);
        expect(
          await fixture.files.list(session, {
            prefix: parseFilePrefix(undefined),
            tags: undefined,
          }),
        ).toEqual([]);
      });
    });
  });
}
