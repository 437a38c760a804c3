/**
 * A client that goes away mid-request (mid-body, mid-upload, mid-download) is logged as
 * one info line, never as an error with a stack trace, and the server keeps answering.
 */
import { request as httpRequest, type ClientRequest } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listen, type Listener } from "../src/http/listen.js";
import { startTestServer, type TestServer } from "./test-server.js";

let server: TestServer;
let listener: Listener;
let id: string;

beforeEach(async () => {
  server = await startTestServer();
  listener = await listen(server.app, 0, "127.0.0.1");
  id = await server.session("run-1");
});
afterEach(async () => {
  await listener.close();
  await server.close();
});

/** Sends the start of a request, then cuts the connection when `cut` says so. */
function cutRequest(
  method: string,
  path: string,
  headers: Record<string, string>,
  cut: (request: ClientRequest, done: () => void) => void,
): Promise<void> {
  const { hostname, port } = new URL(listener.url);
  return new Promise<void>((resolve) => {
    const request = httpRequest({
      hostname,
      port,
      path,
      method,
      headers: { authorization: `Bearer ${server.token()}`, ...headers },
    });
    request.on("error", () => undefined);
    cut(request, resolve);
  });
}

/** Waits until the server logged the disconnect, then checks it was the only line. */
async function expectOneInfoLine(path: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (server.log.infos.length === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  // The server still answers (and has had the time to log anything else).
  const health = await fetch(`${listener.url}/health`);
  expect(health.status).toBe(200);
  expect(server.log.errors).toEqual([]);
  expect(server.log.infos).toHaveLength(1);
  expect(server.log.infos[0]).toMatchObject({
    message: "client disconnected before the answer was sent",
    fields: { path },
  });
  expect(JSON.stringify(server.log.infos[0])).not.toMatch(/stack|\n {4}at /);
}

describe("a client that disconnects", () => {
  it("in the middle of a JSON body: one info line", async () => {
    const path = `/sessions/${id}/tracks/t/append-batch`;
    await cutRequest("POST", path, { "content-length": "100000" }, (request, done) => {
      request.write('{"dataPoints":[{"_ts":1,');
      setTimeout(() => {
        request.destroy();
        done();
      }, 20);
    });
    await expectOneInfoLine(path);
    const stats = await server.call("GET", `/sessions/${id}/tracks/t/stats`);
    expect(stats.status).toBe(404); // nothing was stored
  });

  it("in the middle of an upload: one info line, and no file", async () => {
    const path = `/sessions/${id}/files`;
    const type = { "content-type": "multipart/form-data; boundary=B" };
    await cutRequest("POST", path, type, (request, done) => {
      request.write(
        '--B\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\nsome bytes',
      );
      setTimeout(() => {
        request.destroy();
        done();
      }, 20);
    });
    await expectOneInfoLine(path);
    const list = (await (await server.call("GET", path)).json()) as { files: unknown[] };
    expect(list.files).toEqual([]);
  });

  it("in the middle of a download: one info line", async () => {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(32 * 1024 * 1024)]), "big.bin");
    const upload = await server.call("POST", `/sessions/${id}/files`, { body: form });
    const { id: fileId } = (await upload.json()) as { id: string };
    const path = `/sessions/${id}/files/${fileId}/download`;
    await cutRequest("GET", path, {}, (request, done) => {
      request.on("response", (response) => {
        response.once("data", () => {
          request.destroy();
          done();
        });
      });
      request.end();
    });
    await expectOneInfoLine(path);
  });
});
