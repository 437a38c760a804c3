/**
 * Input an adversary sends: numbers JSON.parse makes infinite, nesting deep enough to
 * overflow a recursive walk, upload names with path parts. Each gets 400 INVALID_ARGUMENT
 * naming the problem, stores nothing, and the server keeps answering.
 */
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

/** Sends `text` as the body and expects a 400 whose message matches `message`. */
async function expect400(method: string, url: string, text: string, message: RegExp) {
  const response = await server.call(method, url, {
    body: text,
    headers: { "content-type": "application/json" },
  });
  const body = (await response.json()) as { code: string; message: string };
  expect({ status: response.status, code: body.code }).toEqual({
    status: 400,
    code: "INVALID_ARGUMENT",
  });
  expect(body.message).toMatch(message);
  expect(server.log.errors).toEqual([]);
}

/** A JSON text nested `levels` deep: `{"k":{"k":...1...}}`. */
const deepObject = (levels: number): string => '{"k":'.repeat(levels) + "1" + "}".repeat(levels);

describe("numbers beyond a 64-bit float (1e309)", () => {
  it.each([
    ["1e309", "1e309"],
    ["-1e309", "-1e309"],
    ["1E+400", "1E+400"],
    ["a 1 and 400 zeros", `1${"0".repeat(400)}`],
    ["0.5e1000", "0.5e1000"],
  ])("refuses %s in a point, naming the field, and stores nothing", async (_name, number) => {
    const url = `/sessions/${id}/tracks/t/append-batch`;
    const text = `{"dataPoints":[{"_ts":1,"x":1},{"_ts":2,"pose":[0,${number}]}]}`;
    await expect400("POST", url, text, /64-bit float at dataPoints\[1\]\.pose\[1\] /);
    expect((await server.call("GET", `/sessions/${id}/tracks/t/stats`)).status).toBe(404);
  });

  it.each([
    ["as _ts", "POST", "tracks/t/append", '{"data":{"_ts":1e309}}', /data\._ts/],
    [
      "in track metadata",
      "POST",
      "tracks/t/append-batch",
      '{"dataPoints":[{"x":1}],"metadata":{"m":1e309}}',
      /metadata\.m/,
    ],
    ["in params", "POST", "parameters", '{"data":{"lr":1e309}}', /data\.lr/],
    [
      "in log metadata",
      "POST",
      "logs",
      '{"logs":[{"message":"m","metadata":{"v":-1e309}}]}',
      /logs\[0\]\.metadata\.v/,
    ],
    [
      "in file metadata",
      "PATCH",
      "files/7355208973547353",
      '{"metadata":{"v":1e999}}',
      /metadata\.v/,
    ],
  ])("refuses one %s", async (_name, method, route, text, path) => {
    await expect400(method, `/sessions/${id}/${route}`, text, path);
  });

  it("refuses one in session metadata", async () => {
    const text = '{"name":"run-2","metadata":{"gpu":{"memory":1e400}}}';
    await expect400("POST", "/workspaces/ws/sessions", text, /metadata\.gpu\.memory/);
  });

  it("accepts the largest finite double and the smallest subnormal", async () => {
    const text = '{"dataPoints":[{"_ts":1,"big":1.7976931348623157e308,"tiny":5e-324}]}';
    const response = await server.call("POST", `/sessions/${id}/tracks/t/append-batch`, {
      body: text,
    });
    expect(response.status).toBe(200);
    const read = (await (await server.call("GET", `/sessions/${id}/tracks/t?s=0`)).json()) as {
      data: { data: Record<string, number> }[];
    };
    expect(read.data[0]?.data).toMatchObject({ big: Number.MAX_VALUE, tiny: Number.MIN_VALUE });
  });
});

describe("nesting 100,000 levels deep", () => {
  const deep = deepObject(100_000);

  it.each([
    ["params", "POST", "parameters", `{"data":${deep}}`, /nests deeper than 64 levels/],
    ["a point", "POST", "tracks/t/append-batch", `{"dataPoints":[{"v":${deep}}]}`, /64 levels/],
    [
      "track metadata",
      "POST",
      "tracks/t/append-batch",
      `{"dataPoints":[{"v":1}],"metadata":${deep}}`,
      /64 levels/,
    ],
    ["log metadata", "POST", "logs", `{"logs":[{"message":"m","metadata":${deep}}]}`, /64 levels/],
    ["file metadata", "PATCH", "files/7355208973547353", `{"metadata":${deep}}`, /64 levels/],
  ])(
    "in %s gets 400, and the server keeps answering",
    async (_name, method, route, text, message) => {
      await expect400(method, `/sessions/${id}/${route}`, text, message);
      expect((await server.call("GET", `/sessions/${id}/parameters`)).status).toBe(200);
    },
  );

  it("in session metadata gets 400", async () => {
    await expect400(
      "POST",
      "/workspaces/ws/sessions",
      `{"name":"r","metadata":${deep}}`,
      /64 levels/,
    );
  });

  it("in episode metadata (the 0.8 client's session upsert) gets 400", async () => {
    const project = await server.call("POST", "/namespaces/alice/projects", {
      body: { name: "deep", slug: "deep" },
    });
    expect(project.status).toBe(201);
    const url = "/namespaces/alice/projects/deep/episodes";
    await expect400("POST", url, `{"name":"r","metadata":${deep}}`, /64 levels/);
  });

  it("accepts params nested 64 levels deep", async () => {
    const response = await server.call("POST", `/sessions/${id}/parameters`, {
      body: `{"data":${deepObject(64)}}`,
    });
    expect(response.status).toBe(200);
  });
});

describe("upload file names with path parts", () => {
  const bytes = new TextEncoder().encode("x");
  const upload = (disposition: string) => {
    const form = pythonMultipart([], { filename: "PLACEHOLDER", type: "text/plain", bytes });
    const text = Buffer.from(form.body)
      .toString("latin1")
      .replace('filename="PLACEHOLDER"', disposition);
    return server.call("POST", `/sessions/${id}/files`, {
      body: new Uint8Array(Buffer.from(text, "latin1")),
      headers: { "content-type": form.contentType },
    });
  };

  it.each([
    ['filename="../../x"'],
    ['filename="a/b.txt"'],
    ['filename="/etc/passwd"'],
    ['filename="..\\\\..\\\\x"'],
    ["filename*=UTF-8''..%2F..%2Fx"],
  ])("refuses %s with 400 and stores nothing", async (disposition) => {
    const response = await upload(disposition);
    const body = (await response.json()) as { code: string; message: string };
    expect({ status: response.status, code: body.code }).toEqual({
      status: 400,
      code: "INVALID_ARGUMENT",
    });
    expect(body.message).toMatch(/File name .* holds a \/ or \\/);
    const list = (await (await server.call("GET", `/sessions/${id}/files`)).json()) as {
      files: unknown[];
    };
    expect(list.files).toEqual([]);
  });

  it("keeps a name with spaces, dots and Unicode as given", async () => {
    const response = await upload("filename*=UTF-8''model%20v1.%C3%BCn%C3%AF.pt");
    expect(((await response.json()) as { filename: string }).filename).toBe("model v1.ünï.pt");
  });
});
