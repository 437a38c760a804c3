import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { systemClock } from "dreamlake/engine";
import { mintToken } from "../src/auth/mint-token.js";
import { run } from "../src/cli.js";
import { S3ObjectStore } from "../src/tiers/cold/s3-object-store.js";
import { keepingLog } from "./tiers-fixtures.js";
import { DATABASE_KINDS, testDatabaseEnv, type TestDatabaseEnv } from "./test-databases.js";
import { requireS3Options, uniqueName } from "./tiers-services.js";

const SECRET = "tiers-test-secret-0123456789";

/** The `dreamlake-server serve` command on port 0, with the tiers configured by `env`. */
async function serve(env: Record<string, string>): Promise<{
  readonly url: string;
  readonly stdout: string[];
  readonly stop: () => Promise<number>;
}> {
  let stopServer: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stopServer = resolve));
  const stdout: string[] = [];
  let onUrl: (url: string) => void = () => undefined;
  const listening = new Promise<string>((resolve) => (onUrl = resolve));
  const exit = run(["serve"], {
    env: { PORT: "0", DREAMLAKE_JWT_SECRET: SECRET, ...env },
    cwd: process.cwd(),
    stdout: (text) => stdout.push(text),
    stderr: (text) => stdout.push(text),
    waitForShutdown: () => stopped,
    log: keepingLog(),
    onListening: onUrl,
  });
  const url = await Promise.race([listening, exit.then((code) => `exited with ${code}`)]);
  return {
    url,
    stdout,
    stop: async () => {
      stopServer();
      return exit;
    },
  };
}

async function call(url: string, method: string, body?: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${mintToken("alice", SECRET, systemClock)}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return JSON.parse(text) as unknown;
}

describe.each(DATABASE_KINDS)("dreamlake-server with $label and S3_* set", ({ kind, label }) => {
  let dataDir: string;
  let unwritable: string;
  let database: TestDatabaseEnv;
  let prefix: string;
  let env: Record<string, string>;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "dreamlake-tiers-server-"));
    // A data folder no one can create, not even root: its parent is a regular file.
    await writeFile(path.join(dataDir, "a-file"), "");
    unwritable = path.join(dataDir, "a-file", "data");
    database = testDatabaseEnv(kind, "server");
    prefix = uniqueName("server");
    const s3 = requireS3Options();
    env = {
      DREAMLAKE_DATA_DIR: unwritable,
      ...database.env,
      S3_ENDPOINT: s3.endpoint ?? "",
      S3_BUCKET: s3.bucket,
      S3_REGION: s3.region ?? "",
      S3_ACCESS_KEY_ID: s3.credentials?.accessKeyId ?? "",
      S3_SECRET_ACCESS_KEY: s3.credentials?.secretAccessKey ?? "",
      S3_PREFIX: prefix,
      DREAMLAKE_CHUNK_SIZE: "5",
    };
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
    await database.drop();
    const objects = new S3ObjectStore({ ...requireS3Options(), keyPrefix: `${prefix}/` });
    const keys: string[] = [];
    for await (const object of objects.list("")) keys.push(object.key);
    await objects.delete(keys);
    await objects.close();
  });

  it("keeps everything in the database and S3 across a restart, with a data folder it cannot write", async () => {
    const first = await serve(env);
    expect(first.url).toMatch(/^http:/);
    expect(first.stdout.join("")).toContain(`stateless replica: everything in ${label}`);
    const created = (await call(`${first.url}/workspaces/ws/sessions`, "POST", {
      name: "run-1",
    })) as { session: { id: string } };
    const tracks = `${first.url}/sessions/${created.session.id}/tracks`;
    const points = Array.from({ length: 12 }, (_, i) => ({ _ts: 100 + i, loss: 1 / (i + 1) }));
    await call(`${tracks}/robot/loss/append-batch`, "POST", { dataPoints: points });
    await expect
      .poll(
        async () =>
          ((await call(`${tracks}/robot/loss/stats`, "GET")) as Record<string, unknown>)[
            "chunkedDataPoints"
          ],
      )
      .toBe(10);
    const sessionUrl = `${first.url}/sessions/${created.session.id}`;
    await call(`${sessionUrl}/parameters`, "POST", { data: { lr: 0.1 } });
    await call(`${sessionUrl}/logs`, "POST", { logs: [{ message: "epoch 1" }] });
    expect(await first.stop()).toBe(0);
    expect(await readdir(dataDir)).toEqual(["a-file"]);

    const second = await serve(env);
    const again = `${second.url}/sessions/${created.session.id}/tracks`;
    const stats = (await call(`${again}/robot/loss/stats`, "GET")) as Record<string, unknown>;
    expect(stats).toMatchObject({
      totalDataPoints: 12,
      bufferedDataPoints: 2,
      chunkedDataPoints: 10,
      totalChunks: 2,
      chunkSize: 5,
    });
    const read = (await call(`${again}/robot/loss?s=3&limit=5`, "GET")) as {
      data: { index: number; data: Record<string, unknown> }[];
    };
    expect(read.data.map((row) => row.data["_ts"])).toEqual([103, 104, 105, 106, 107]);
    const params = (await call(
      `${second.url}/sessions/${created.session.id}/parameters`,
      "GET",
    )) as {
      data: unknown;
    };
    expect(params.data).toEqual({ lr: 0.1 });
    const logs = (await call(`${second.url}/sessions/${created.session.id}/logs`, "GET")) as {
      logs: { message: string; sequenceNumber: number }[];
    };
    expect(logs.logs).toMatchObject([{ message: "epoch 1", sequenceNumber: 0 }]);
    const window = (await call(
      `${again}/robot/loss/by-time?st=104&et=111&reverse=true&limit=3`,
      "GET",
    )) as {
      data: { index: number }[];
    };
    expect(window.data.map((row) => row.index)).toEqual([10, 9, 8]);
    expect(await second.stop()).toBe(0);
  });

  it("refuses to start without DREAMLAKE_JWT_SECRET, naming it", async () => {
    const withoutSecret = { ...env, DREAMLAKE_JWT_SECRET: "" };
    const server = await serve(withoutSecret);
    expect(server.url).toBe("exited with 1");
    expect(server.stdout.join("")).toMatch(/DREAMLAKE_JWT_SECRET/);
  });

  it("refuses to start on an empty database next to a bucket that holds a deployment", async () => {
    const first = await serve(env);
    expect(await first.stop()).toBe(0);
    await database.drop();
    const second = await serve(env);
    expect(second.url).toBe("exited with 1");
    expect(second.stdout.join("")).toMatch(
      kind === "postgres"
        ? /no schema .* replaced or restored/
        : /holds no dreamlake deployment, .* replaced or restored/,
    );
  });

  it("refuses to start with S3 settings but no database", async () => {
    const withoutDatabase = { ...env };
    delete withoutDatabase["DATABASE_URL"];
    delete withoutDatabase["MONGODB_URI"];
    const server = await serve(withoutDatabase);
    expect(server.url).toBe("exited with 1");
    expect(server.stdout.join("")).toMatch(/DATABASE_URL is not \(nor MONGODB_URI\)/);
  });
});

describe("dreamlake-server with DATABASE_URL and MONGODB_URI set", () => {
  it("refuses to start, naming both", async () => {
    const server = await serve({
      DATABASE_URL: "postgres://app@127.0.0.1:1/none",
      MONGODB_URI: "mongodb://127.0.0.1:1/",
      DREAMLAKE_COLD_DIR: tmpdir(),
    });
    expect(server.url).toBe("exited with 1");
    expect(server.stdout.join("")).toMatch(/DATABASE_URL and MONGODB_URI are both set/);
  });
});
