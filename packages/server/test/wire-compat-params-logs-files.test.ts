/**
 * The Python client 0.4.0's params, logs and files requests, as it sends them, and the
 * response fields it reads.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pythonMultipart } from "./python-multipart.js";
import { startTestServer, type TestServer } from "./test-server.js";

let server: TestServer;
let id: string;

beforeEach(async () => {
  server = await startTestServer();
  id = await server.session("run-1");
});
afterEach(async () => {
  await server.close();
});

type Body = Record<string, unknown>;
const json = async (response: Response, status = 200): Promise<Body> => {
  expect(response.status, await response.clone().text()).toBe(status);
  return (await response.json()) as Body;
};
const sessionFolder = (): string => path.join(server.dataDir, "alice", "ws", "run-1");
const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

describe("parameters", () => {
  it("merges each POST into one document and bumps the version", async () => {
    const first = await json(
      await server.call("POST", `/sessions/${id}/parameters`, {
        body: { data: { learning_rate: 0.001, "model.layers": 4 } },
      }),
    );
    expect(first).toMatchObject({
      sessionId: id,
      version: 1,
      data: { learning_rate: 0.001, "model.layers": 4 },
    });
    const second = await json(
      await server.call("POST", `/sessions/${id}/parameters`, {
        body: { data: { learning_rate: 0.01, batch: 32 } },
      }),
    );
    expect(second).toMatchObject({ version: 2 });
    const got = await json(await server.call("GET", `/sessions/${id}/parameters`));
    expect(got.data).toEqual({ learning_rate: 0.01, "model.layers": 4, batch: 32 });
  });

  it("writes parameters.json in the Python layout", async () => {
    await server.call("POST", `/sessions/${id}/parameters`, { body: { data: { a: 1 } } });
    const stored = JSON.parse(
      await readFile(path.join(sessionFolder(), "parameters.json"), "utf8"),
    ) as Body;
    expect(stored).toMatchObject({ version: 1, data: { a: 1 } });
  });

  it("answers GET before any POST with empty data", async () => {
    const got = await json(await server.call("GET", `/sessions/${id}/parameters`));
    expect(got).toMatchObject({ data: {}, version: 0 });
  });

  it("refuses a write to a write-protected session with 409", async () => {
    const locked = await json(
      await server.call("POST", "/workspaces/ws/sessions", {
        body: { name: "locked", writeProtected: true },
      }),
    );
    const lockedId = (locked.session as { id: string }).id;
    const response = await server.call("POST", `/sessions/${lockedId}/parameters`, {
      body: { data: { a: 1 } },
    });
    expect((await json(response, 409)).code).toBe("CONFLICT");
  });
});

describe("logs", () => {
  it("appends the one-entry batches the client sends and numbers them", async () => {
    const entry = (message: unknown, extra: Body = {}) => ({
      logs: [{ timestamp: "2026-11-26T15:01:43.959357Z", level: "info", message, ...extra }],
    });
    const first = await json(
      await server.call("POST", `/sessions/${id}/logs`, { body: entry("Epoch 1") }),
    );
    expect(first).toEqual({ created: 1, startSequence: 0, endSequence: 0, sessionId: id });
    const second = await json(
      await server.call("POST", `/sessions/${id}/logs`, {
        body: entry("Epoch 2", { level: "warn", metadata: { loss: 0.3 } }),
      }),
    );
    expect(second).toMatchObject({ startSequence: 1, endSequence: 1 });
    await server.call("POST", `/sessions/${id}/logs`, { body: entry(123) });
    const lines = (await readFile(path.join(sessionFolder(), "logs", "logs.jsonl"), "utf8"))
      .trim()
      .split("\n");
    expect(lines.map((line) => (JSON.parse(line) as Body)["message"])).toEqual([
      "Epoch 1",
      "Epoch 2",
      "123",
    ]);
    expect(JSON.parse(lines[1] ?? "")).toMatchObject({
      sequenceNumber: 1,
      level: "warn",
      metadata: { loss: 0.3 },
    });
  });

  it("reads the logs back with level and paging filters", async () => {
    const levels = ["info", "warn", "error", "info"];
    for (const [i, level] of levels.entries()) {
      await server.call("POST", `/sessions/${id}/logs`, {
        body: { logs: [{ timestamp: `2026-11-26T15:01:4${i}.000000Z`, level, message: `m${i}` }] },
      });
    }
    const all = await json(await server.call("GET", `/sessions/${id}/logs`));
    expect((all.logs as Body[]).map((entry) => entry["message"])).toEqual(["m0", "m1", "m2", "m3"]);
    const page = await json(
      await server.call("GET", `/sessions/${id}/logs?level=info,error&limit=2&reverse=true`),
    );
    expect((page.logs as Body[]).map((entry) => entry["message"])).toEqual(["m3", "m2"]);
    expect(page.hasMore).toBe(true);
  });

  it("refuses an unknown level naming it", async () => {
    const response = await server.call("POST", `/sessions/${id}/logs`, {
      body: { logs: [{ timestamp: "2026-11-26T15:01:43Z", level: "warning", message: "x" }] },
    });
    expect(String((await json(response, 400)).message)).toMatch(/warning/);
  });
});

describe("files", () => {
  const bytes = new TextEncoder().encode("model weights\n");
  const upload = (fields: [string, string][], filename = "model.txt", content = bytes) => {
    const form = pythonMultipart(fields, { filename, type: "text/plain", bytes: content });
    return server.call("POST", `/sessions/${id}/files`, {
      body: form.body,
      headers: { "content-type": form.contentType },
    });
  };
  const pythonFields = (extra: [string, string][] = []): [string, string][] => [
    ["prefix", "/models"],
    ["checksum", sha256(bytes)],
    ["sizeBytes", String(bytes.byteLength)],
    ...extra,
  ];

  it("stores an upload with the fields the client sends and returns its record", async () => {
    const record = await json(
      await upload(
        pythonFields([
          ["description", "best model"],
          ["tags", "best,v1"],
          ["metadata", JSON.stringify({ epoch: 10 })],
        ]),
      ),
    );
    expect(record).toMatchObject({
      sessionId: id,
      path: "/models",
      filename: "model.txt",
      description: "best model",
      tags: ["best", "v1"],
      contentType: "text/plain",
      sizeBytes: bytes.byteLength,
      checksum: sha256(bytes),
      metadata: { epoch: 10 },
      deletedAt: null,
    });
    expect(typeof record.id).toBe("string");
    expect(typeof record.uploadedAt).toBe("string");
    const onDisk = await readFile(
      path.join(sessionFolder(), "files", "models", String(record.id), "model.txt"),
    );
    expect(new Uint8Array(onDisk)).toEqual(bytes);
  });

  it("lists, gets, downloads, patches and soft-deletes a file", async () => {
    const { id: fileId } = await json(await upload(pythonFields([["tags", "keep"]])));
    await upload([["prefix", "/other"]], "notes.txt");
    const listed = await json(
      await server.call("GET", `/sessions/${id}/files?prefix=/models&tags=keep`),
    );
    expect((listed.files as Body[]).map((file) => file["filename"])).toEqual(["model.txt"]);
    const meta = await json(await server.call("GET", `/sessions/${id}/files/${String(fileId)}`));
    expect(meta).toMatchObject({ filename: "model.txt", checksum: sha256(bytes) });
    const download = await server.call("GET", `/sessions/${id}/files/${String(fileId)}/download`);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-length")).toBe(String(bytes.byteLength));
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(bytes);
    const patched = await json(
      await server.call("PATCH", `/sessions/${id}/files/${String(fileId)}`, {
        body: { description: "renamed", tags: [] },
      }),
    );
    expect(patched).toMatchObject({ description: "renamed", tags: [] });
    const deleted = await json(
      await server.call("DELETE", `/sessions/${id}/files/${String(fileId)}`),
    );
    expect(deleted).toMatchObject({ id: fileId });
    expect(typeof deleted.deletedAt).toBe("string");
    expect((await server.call("GET", `/sessions/${id}/files/${String(fileId)}`)).status).toBe(404);
    const remaining = await json(await server.call("GET", `/sessions/${id}/files`));
    expect((remaining.files as Body[]).map((file) => file["filename"])).toEqual(["notes.txt"]);
  });

  it("keeps unicode and spaces in file names", async () => {
    const record = await json(await upload([["prefix", "/"]], "résumé final.txt"));
    expect(record.filename).toBe("résumé final.txt");
    const download = await server.call(
      "GET",
      `/sessions/${id}/files/${String(record.id)}/download`,
    );
    expect(download.headers.get("content-disposition")).toContain("r%C3%A9sum%C3%A9%20final.txt");
  });

  it("refuses an upload whose checksum does not match and stores nothing", async () => {
    const response = await upload([["checksum", "0".repeat(64)]]);
    expect(String((await json(response, 400)).message)).toMatch(/SHA-256/);
    const listed = await json(await server.call("GET", `/sessions/${id}/files`));
    expect(listed.files).toEqual([]);
  });

  it("refuses an upload whose sizeBytes does not match", async () => {
    expect((await json(await upload([["sizeBytes", "3"]]), 400)).code).toBe("INVALID_ARGUMENT");
  });

  it("refuses a prefix that would leave the files folder", async () => {
    expect((await json(await upload([["prefix", "/../../escape"]]), 400)).code).toBe(
      "INVALID_ARGUMENT",
    );
  });

  it("refuses an unknown form field and a form without a file", async () => {
    expect((await json(await upload([["folder", "x"]]), 400)).message).toMatch(
      /unknown field "folder"/,
    );
    const response = await server.call("POST", `/sessions/${id}/files`, {
      body: new TextEncoder().encode(
        '--b\r\nContent-Disposition: form-data; name="prefix"\r\n\r\n/\r\n--b--\r\n',
      ),
      headers: { "content-type": "multipart/form-data; boundary=b" },
    });
    expect(String((await json(response, 400)).message)).toMatch(/no file part/);
  });

  it("refuses a field sent after the file and stores nothing", async () => {
    const form = pythonMultipart([], { filename: "late.txt", type: "text/plain", bytes });
    const text = Buffer.from(form.body).toString("latin1");
    const late = text.replace(
      /--([0-9a-f]+)--\r\n$/,
      '--$1\r\nContent-Disposition: form-data; name="prefix"\r\n\r\n/late\r\n--$1--\r\n',
    );
    const response = await server.call("POST", `/sessions/${id}/files`, {
      body: new Uint8Array(Buffer.from(late, "latin1")),
      headers: { "content-type": form.contentType },
    });
    expect(String((await json(response, 400)).message)).toMatch(/after the file/);
    expect((await json(await server.call("GET", `/sessions/${id}/files`))).files).toEqual([]);
  });

  it("refuses a file larger than the limit with 413", async () => {
    await server.close();
    server = await startTestServer({ DREAMLAKE_MAX_FILE_BYTES: "8" });
    id = await server.session("run-1");
    const ok = await upload([], "small.bin", new Uint8Array(8));
    expect(ok.status).toBe(200);
    const response = await upload([], "big.bin", new Uint8Array(9));
    expect((await json(response, 413)).code).toBe("LIMIT_EXCEEDED");
  });

  it("answers 404 for a file id that does not exist", async () => {
    expect((await server.call("GET", `/sessions/${id}/files/123456`)).status).toBe(404);
    expect((await server.call("GET", `/sessions/${id}/files/nope/download`)).status).toBe(404);
  });
});
