/**
 * The server as `npm start` runs it: the `dreamlake-server` command's `serve` on a real
 * socket (port 0), then the built binary itself.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JoseTokenVerifier } from "../src/auth/jose-token-verifier.js";
import { FixedSecrets } from "../src/auth/secret-source.js";
import type { JwtClaims } from "../src/auth/token-verifier.js";
import { run, type CliIo } from "../src/cli.js";
import { capturingLog } from "./test-server.js";
import { embeddedEnvironment } from "./embedded-environment.js";
import { listeningUrl } from "./listening-url.js";

const BINARY = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "dist", "main.js");
const SDK_CLI = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "dreamlake",
  "dist",
  "cli",
  "main.js",
);

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "dreamlake-server-cli-"));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function fakeIo(env: Record<string, string> = {}): CliIo & {
  out: string;
  err: string;
  listening: Promise<string>;
  stop(): void;
} {
  let stop: () => void = () => undefined;
  let listened: (url: string) => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const io = {
    env: { DREAMLAKE_DATA_DIR: dataDir, PORT: "0", ...env },
    cwd: dataDir,
    out: "",
    err: "",
    log: capturingLog(),
    listening: new Promise<string>((resolve) => {
      listened = resolve;
    }),
    stdout(text: string) {
      io.out += text;
    },
    stderr(text: string) {
      io.err += text;
    },
    waitForShutdown: () => stopped,
    onListening: (url: string) => {
      listened(url);
    },
    stop: () => {
      stop();
    },
  };
  return io;
}

describe("dreamlake-server serve", () => {
  it("serves the API on a real socket, with tokens from `token` for the same data folder", async () => {
    const server = fakeIo();
    const exit = run([], server);
    const url = await server.listening;
    expect(server.out).toContain(`listening on ${url}`);
    expect(server.out).toContain("dreamlake-server token <user>");

    const tokenIo = fakeIo();
    expect(await run(["token", "alice"], tokenIo)).toBe(0);
    const token = tokenIo.out.trim();
    const auth = { authorization: `Bearer ${token}` };

    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: "ok" });
    const created = await fetch(`${url}/workspaces/ws/sessions`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ name: "run-1" }),
    });
    const { session } = (await created.json()) as { session: { id: string } };
    const appended = await fetch(`${url}/sessions/${session.id}/tracks/robot/pose/append-batch`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({
        dataPoints: [
          { _ts: 1, x: 1 },
          { _ts: 2, x: 2 },
        ],
      }),
    });
    expect(await appended.json()).toMatchObject({ startIndex: 0, endIndex: 1, count: 2 });
    const read = await fetch(`${url}/sessions/${session.id}/tracks/robot/pose?s=0&limit=10`, {
      headers: auth,
    });
    expect(((await read.json()) as { data: unknown[] }).data).toHaveLength(2);

    server.stop();
    expect(await exit).toBe(0);
    expect(server.out).toContain("stopped");
  });

  it("enforces the body limit on a socket body too, by Content-Length and while streaming", async () => {
    const server = fakeIo({ DREAMLAKE_MAX_BODY_BYTES: "2048" });
    const exit = run(["serve"], server);
    const url = await server.listening;
    const tokenIo = fakeIo();
    await run(["token", "alice"], tokenIo);
    const auth = { authorization: `Bearer ${tokenIo.out.trim()}` };
    const created = await fetch(`${url}/workspaces/ws/sessions`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ name: "run-1" }),
    });
    const { session } = (await created.json()) as { session: { id: string } };
    const big = JSON.stringify({ dataPoints: [{ _ts: 1, pad: "x".repeat(4000) }] });
    const sized = await fetch(`${url}/sessions/${session.id}/tracks/t/append-batch`, {
      method: "POST",
      headers: auth,
      body: big,
    });
    expect(sized.status).toBe(413);
    const chunks = new TextEncoder().encode(big);
    const streamed = await fetch(`${url}/sessions/${session.id}/tracks/t/append-batch`, {
      method: "POST",
      headers: auth,
      body: new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < chunks.length; i += 1000)
            controller.enqueue(chunks.slice(i, i + 1000));
          controller.close();
        },
      }),
      duplex: "half",
    });
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as { code: string }).code).toBe("LIMIT_EXCEEDED");
    server.stop();
    await exit;
  });

  it("refuses a bad configuration with exit code 1", async () => {
    const io = fakeIo({ PORT: "http" });
    expect(await run(["serve"], io)).toBe(1);
    expect(io.err).toMatch(/PORT must be an integer/);
  });
});

/** The claims of `token` when it verifies with `secret` now. */
function verifyJwt(token: string, secret: string): Promise<JwtClaims> {
  return new JoseTokenVerifier({
    secrets: new FixedSecrets([secret]),
    clock: { nowSeconds: () => Date.now() / 1000 },
  })
    .verify(token)
    .then((verified) => verified.claims);
}

describe("dreamlake-server token", () => {
  it("prints a token signed with the secret the server keeps in the data folder, and names it", async () => {
    const server = fakeIo();
    const exit = run([], server);
    await server.listening;
    server.stop();
    await exit;
    const secretFile = path.join(dataDir, ".jwt-secret");
    const first = fakeIo();
    expect(await run(["token", "alice", "--days", "1"], first)).toBe(0);
    expect(first.err).toContain(`signed with the secret in ${secretFile}`);
    const secret = (await readFile(secretFile, "utf8")).trim();
    const claims = await verifyJwt(first.out.trim(), secret);
    expect(claims).toMatchObject({ userName: "alice", username: "alice", sub: "alice" });
    expect((claims["exp"] as number) - (claims["iat"] as number)).toBe(86_400);
    const second = fakeIo();
    await run(["token", "bob"], second);
    expect(await verifyJwt(second.out.trim(), secret)).toMatchObject({
      userName: "bob",
    });
  });

  it("refuses to sign when the data folder has no secret (another folder than the server's), and creates none", async () => {
    const io = fakeIo();
    expect(await run(["token", "alice"], io)).toBe(1);
    expect(io.out).toBe("");
    expect(io.err.trim().split("\n")).toHaveLength(1);
    expect(io.err).toContain(`${path.join(dataDir, ".jwt-secret")} does not exist`);
    expect(io.err).toContain("DREAMLAKE_DATA_DIR");
    expect(existsSync(path.join(dataDir, ".jwt-secret"))).toBe(false);
  });

  it("signs with DREAMLAKE_JWT_SECRET when it is set", async () => {
    const io = fakeIo({ DREAMLAKE_JWT_SECRET: "configured-secret-0123456789" });
    await run(["token", "alice"], io);
    expect(io.err).toContain("signed with the secret of DREAMLAKE_JWT_SECRET");
    expect(await verifyJwt(io.out.trim(), "configured-secret-0123456789")).toMatchObject({
      userName: "alice",
    });
    expect(existsSync(path.join(dataDir, ".jwt-secret"))).toBe(false);
  });

  it("refuses a missing or unusable user name with exit code 2 or 1", async () => {
    const missing = fakeIo();
    expect(await run(["token"], missing)).toBe(2);
    expect(missing.err).toMatch(/exactly one user name/);
    const bad = fakeIo();
    expect(await run(["token", "../root"], bad)).toBe(1);
    expect(bad.err).toMatch(/cannot be used/);
  });

  it("answers help and refuses an unknown command", async () => {
    const help = fakeIo();
    expect(await run(["help"], help)).toBe(0);
    expect(help.out).toMatch(/Usage/);
    const unknown = fakeIo();
    expect(await run(["start"], unknown)).toBe(2);
  });
});

describe("the built binary", () => {
  it.runIf(existsSync(BINARY))("starts, answers /health and stops on SIGTERM", async () => {
    const env = { ...embeddedEnvironment(), DREAMLAKE_DATA_DIR: dataDir, PORT: "0" };
    const child = spawn(process.execPath, [BINARY], { env, stdio: ["ignore", "pipe", "pipe"] });
    const url = await listeningUrl(child);
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: "ok" });
    const { stdout } = await promisify(execFile)(process.execPath, [BINARY, "token", "bob"], {
      env,
    });
    const sessions = await fetch(`${url}/workspaces/ws/sessions`, {
      method: "POST",
      headers: { authorization: `Bearer ${stdout.trim()}` },
      body: JSON.stringify({ name: "r" }),
    });
    expect(sessions.status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});

describe("dreamlake serve (the SDK's command)", () => {
  it.runIf(existsSync(SDK_CLI))("starts the same server and stops on SIGINT", async () => {
    const env = { ...embeddedEnvironment(), DREAMLAKE_DATA_DIR: dataDir, PORT: "0" };
    const child = spawn(process.execPath, [SDK_CLI, "serve"], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const url = await listeningUrl(child);
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: "ok" });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
  });
});

/** The environment without the tier settings: this server must run on its embedded storage. */
