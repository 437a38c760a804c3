import { describe, expect, it, beforeEach, afterEach } from "vitest";
import { InvalidArgumentError } from "dreamlake/engine";
import type { ObjectInfo, ObjectStore } from "../src/tiers/cold/object-store.js";

/** Makes a fresh, empty store for one test, and disposes of it afterwards. */
export type ObjectStoreFactory = () => Promise<{
  readonly store: ObjectStore;
  readonly cleanup: () => Promise<void>;
}>;

async function collect(iterable: AsyncIterable<ObjectInfo>): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

function bytesOf(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/**
 * The contract every {@link ObjectStore} adapter keeps (see the port's TSDoc). Run it once
 * per adapter: `describeObjectStore("S3ObjectStore on Swift", factory)`.
 */
export function describeObjectStore(name: string, factory: ObjectStoreFactory): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let store: ObjectStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await factory());
    });
    afterEach(async () => {
      await store.close();
      await cleanup();
    });

    it("gives back the bytes it stored", async () => {
      const bytes = new Uint8Array(70_000).map((_, i) => (i * 31) & 0xff);
      await store.put("chunks/a/0001.msgpack", bytes);
      expect(await store.get("chunks/a/0001.msgpack")).toEqual(bytes);
    });

    it("stores an empty object", async () => {
      await store.put("empty", new Uint8Array(0));
      expect(await store.get("empty")).toEqual(new Uint8Array(0));
      expect(await store.head("empty")).toEqual({ key: "empty", size: 0 });
    });

    it("stores a stream and gives it back as a stream", async () => {
      const part = new Uint8Array(300_000).map((_, i) => (i * 7) & 0xff);
      // eslint-disable-next-line @typescript-eslint/require-await -- a stream source
      async function* source() {
        for (let i = 0; i < 4; i++) yield part;
      }
      expect(await store.putStream("files/s/1", source())).toEqual({ size: 1_200_000 });
      const chunks: Uint8Array[] = [];
      for await (const chunk of (await store.getStream("files/s/1"))!) chunks.push(chunk);
      expect(Buffer.concat(chunks)).toEqual(Buffer.concat([part, part, part, part]));
      expect(await store.getStream("files/s/missing")).toBeUndefined();
    });

    it("stores nothing from a stream whose source throws, and passes its error on", async () => {
      await store.put("files/s/2", bytesOf("old"));
      const failure = new InvalidArgumentError("the checksum does not match");
      // eslint-disable-next-line @typescript-eslint/require-await -- a stream source
      async function* source() {
        yield bytesOf("new bytes");
        throw failure;
      }
      await expect(store.putStream("files/s/2", source())).rejects.toBe(failure);
      await expect(store.putStream("files/s/3", source())).rejects.toBe(failure);
      expect(await store.get("files/s/2")).toEqual(bytesOf("old"));
      expect(await store.head("files/s/3")).toBeUndefined();
    });

    it("answers undefined for a missing key", async () => {
      expect(await store.get("missing/key")).toBeUndefined();
      expect(await store.head("missing/key")).toBeUndefined();
    });

    it("reports the size of an object without reading it", async () => {
      await store.put("sized", bytesOf("twelve bytes"));
      expect(await store.head("sized")).toEqual({ key: "sized", size: 12 });
    });

    it("replaces an object as a whole", async () => {
      await store.put("k", bytesOf("the first, longer version"));
      await store.put("k", bytesOf("second"));
      expect(await store.get("k")).toEqual(bytesOf("second"));
      expect((await store.head("k"))?.size).toBe(6);
    });

    it("keeps its own copy of the bytes it was given", async () => {
      const bytes = bytesOf("original");
      await store.put("copied", bytes);
      bytes.fill(0);
      expect(await store.get("copied")).toEqual(bytesOf("original"));
    });

    it("deletes objects and skips keys that do not exist", async () => {
      await store.put("d/1", bytesOf("1"));
      await store.put("d/2", bytesOf("2"));
      await store.delete(["d/1", "d/never-there"]);
      expect(await store.get("d/1")).toBeUndefined();
      expect(await store.get("d/2")).toEqual(bytesOf("2"));
      await store.delete(["d/1"]);
      await store.delete([]);
    });

    it("lists the objects under a prefix in ascending key order", async () => {
      for (const key of ["t/b/2", "t/a/10", "t/a/9", "t/a-x", "u/a/1", "t/a/1"]) {
        await store.put(key, bytesOf(key));
      }
      const all = await collect(store.list("t/"));
      expect(all.map((o) => o.key)).toEqual(["t/a-x", "t/a/1", "t/a/10", "t/a/9", "t/b/2"]);
      expect(all.find((o) => o.key === "t/a/10")?.size).toBe(6);
      expect((await collect(store.list("t/a/"))).map((o) => o.key)).toEqual([
        "t/a/1",
        "t/a/10",
        "t/a/9",
      ]);
      expect((await collect(store.list("t/a/1"))).map((o) => o.key)).toEqual(["t/a/1", "t/a/10"]);
      expect(await collect(store.list("nothing/"))).toEqual([]);
    });

    it("lists more objects than one page holds", async () => {
      // The S3 adapter under test lists 7 keys a page (see tiers-object-stores.test.ts).
      const keys = Array.from({ length: 25 }, (_, i) => `many/${String(i).padStart(4, "0")}`);
      await Promise.all(keys.map((key) => store.put(key, new Uint8Array([1]))));
      const listed = await collect(store.list("many/"));
      expect(listed.map((o) => o.key)).toEqual(keys);
      await store.delete(keys);
      expect(await collect(store.list("many/"))).toEqual([]);
    });

    it("holds every byte value and keys with the allowed punctuation", async () => {
      const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
      const key = "tracks/s%2Fx/robot%2Fpose/chunk-000001_0~9=+.msgpack";
      await store.put(key, bytes);
      expect(await store.get(key)).toEqual(bytes);
      expect((await collect(store.list("tracks/"))).map((o) => o.key)).toEqual([key]);
    });

    it.each(["", "/lead", "trail/", "a//b", "a/../b", "./a", "sp ace", "é", "a\\b"])(
      "rejects the key %j before touching the store",
      async (key) => {
        await expect(store.put(key, bytesOf("x"))).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(store.get(key)).rejects.toBeInstanceOf(InvalidArgumentError);
      },
    );

    it("stops a put when the signal is already aborted", async () => {
      const controller = new AbortController();
      controller.abort(new Error("stop"));
      await expect(
        store.put("aborted", bytesOf("x"), { signal: controller.signal }),
      ).rejects.toThrow();
      expect(await store.get("aborted")).toBeUndefined();
    });
  });
}
