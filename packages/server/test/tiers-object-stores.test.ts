import { createHash } from "node:crypto";
import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { UnavailableError } from "dreamlake/engine";
import { FileObjectStore } from "../src/tiers/cold/file-object-store.js";
import { MemoryObjectStore } from "../src/tiers/cold/memory-object-store.js";
import { S3ObjectStore } from "../src/tiers/cold/s3-object-store.js";
import { describeObjectStore } from "./object-store-contract.js";
import { FlakyObjectStore } from "./tiers-doubles.js";
import { makeTempDir, requireS3Options, uniqueName } from "./tiers-services.js";

describeObjectStore("MemoryObjectStore", () =>
  Promise.resolve({ store: new MemoryObjectStore(), cleanup: () => Promise.resolve() }),
);

describeObjectStore("FileObjectStore", async () => {
  const { dir, cleanup } = await makeTempDir();
  return { store: new FileObjectStore(dir), cleanup };
});

describeObjectStore("S3ObjectStore on Swift (S3_* from scripts/services-up.sh)", () => {
  const options = requireS3Options();
  const keyPrefix = `${uniqueName("contract")}/`;
  // Small pages, so that listing crosses pages without a thousand objects.
  const store = new S3ObjectStore({ ...options, keyPrefix, listPageSize: 7 });
  return Promise.resolve({
    store,
    cleanup: async () => {
      const sweeper = new S3ObjectStore({ ...options, keyPrefix });
      const keys: string[] = [];
      for await (const object of sweeper.list("")) keys.push(object.key);
      await sweeper.delete(keys);
      await sweeper.close();
    },
  });
});

describe("S3ObjectStore streams", () => {
  it("uploads a stream larger than a part as a multipart upload, and reads it back", async () => {
    const options = requireS3Options();
    const store = new S3ObjectStore({ ...options, keyPrefix: `${uniqueName("multipart")}/` });
    const part = new Uint8Array(1024 * 1024).map((_, i) => (i * 13) & 0xff);
    // eslint-disable-next-line @typescript-eslint/require-await -- a stream source
    async function* source() {
      for (let i = 0; i < 11; i++) yield part;
    }
    try {
      expect(await store.putStream("big", source())).toEqual({ size: 11 * 1024 * 1024 });
      let size = 0;
      for await (const chunk of (await store.getStream("big"))!) size += chunk.byteLength;
      expect(size).toBe(11 * 1024 * 1024);
    } finally {
      await store.delete(["big"]);
      await store.close();
    }
  });
});

/**
 * An HTTP proxy in front of the S3 server that flips the first byte of every PUT body (as a
 * damaged link would) and records the headers of each PUT.
 */
async function damagingProxy(
  endpoint: string,
): Promise<{ url: string; puts: IncomingHttpHeaders[]; server: Server }> {
  const target = new URL(endpoint);
  const puts: IncomingHttpHeaders[] = [];
  const server = createServer((incoming, answer) => {
    const parts: Buffer[] = [];
    incoming.on("data", (part: Buffer) => parts.push(part));
    incoming.on("end", () => {
      const body = Buffer.concat(parts);
      if (incoming.method === "PUT" && body.length > 0) {
        puts.push(incoming.headers);
        body[0] = (body[0] ?? 0) ^ 1;
      }
      const upstream = request(
        {
          host: target.hostname,
          port: target.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (reply) => {
          answer.writeHead(reply.statusCode ?? 502, reply.headers);
          reply.pipe(answer);
        },
      );
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, puts, server };
}

describe("S3ObjectStore put", () => {
  it("sends the MD5 of the bytes, and refuses with UnavailableError bytes damaged on the way, storing nothing", async () => {
    const options = requireS3Options();
    const keyPrefix = `${uniqueName("damaged")}/`;
    const proxy = await damagingProxy(options.endpoint ?? "");
    const store = new S3ObjectStore({ ...options, endpoint: proxy.url, keyPrefix, maxAttempts: 1 });
    const direct = new S3ObjectStore({ ...options, keyPrefix });
    const bytes = new Uint8Array(4096).map((_, i) => (i * 7) & 0xff);
    try {
      await expect(store.put("chunk", bytes)).rejects.toBeInstanceOf(UnavailableError);
      expect(proxy.puts[0]?.["content-md5"]).toBe(createHash("md5").update(bytes).digest("base64"));
      expect(await direct.get("chunk")).toBeUndefined();
    } finally {
      await store.close();
      await direct.close();
      proxy.server.close();
    }
  });
});

describe("S3ObjectStore when the server does not answer", () => {
  it("rejects with UnavailableError naming the endpoint", async () => {
    // Port 9 (discard) on loopback refuses connections: nothing listens there.
    const store = new S3ObjectStore({
      bucket: "b",
      endpoint: "http://127.0.0.1:9",
      credentials: { accessKeyId: "k", secretAccessKey: "s" },
      maxAttempts: 1,
    });
    const failure = store.get("some/key");
    await expect(failure).rejects.toBeInstanceOf(UnavailableError);
    await expect(failure).rejects.toThrow(/127\.0\.0\.1:9/);
    await store.close();
  });
});

describe("FlakyObjectStore (the hostile double the tiering tests use)", () => {
  it("fails the first k calls with UnavailableError, then passes calls through", async () => {
    const flaky = new FlakyObjectStore(new MemoryObjectStore(), { failFirst: 2 });
    await expect(flaky.put("a", new Uint8Array([1]))).rejects.toBeInstanceOf(UnavailableError);
    await expect(flaky.get("a")).rejects.toBeInstanceOf(UnavailableError);
    await flaky.put("a", new Uint8Array([1]));
    expect(await flaky.get("a")).toEqual(new Uint8Array([1]));
    expect(flaky.calls).toEqual({ put: 2, get: 2, head: 0, delete: 0, list: 0 });
  });
});
