/**
 * Rotating the HS256 secret without a restart: the secret file (DREAMLAKE_JWT_SECRET_FILE,
 * or the data folder's `.jwt-secret`) is re-read when it changes.
 */
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveJwtSecret } from "../src/auth/jwt-secret.js";
import { signJwt } from "../src/auth/jwt.js";
import { startTestServer, type TestServer } from "./test-server.js";

const OLD = "the-old-secret-0123456789";
const NEW = "the-new-secret-0123456789";

let folder: string;
let secretFile: string;
let server: TestServer | undefined;

beforeEach(async () => {
  folder = await mkdtemp(path.join(tmpdir(), "dreamlake-secret-"));
  secretFile = path.join(folder, "jwt-secret");
  await writeFile(secretFile, `${OLD}\n`);
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(folder, { recursive: true, force: true });
});

/** Replaces the file as deployment tools do: write a new file, rename it over the old one. */
async function replaceSecrets(text: string): Promise<void> {
  const next = `${secretFile}.next`;
  await writeFile(next, text);
  await rename(next, secretFile);
}

async function statusWith(secret: string, jti: string): Promise<number> {
  const token = signJwt({ userName: "alice", jti }, secret);
  const response = await server!.call("GET", "/sessions/ffffffffffffffffffffffff", {
    user: null,
    headers: { authorization: `Bearer ${token}` },
  });
  return response.status; // 404 once authenticated: the session does not exist
}

/** Polls until `check` holds (the file is checked every 20 ms here); fails after 5 s. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("the secret file change was not picked up");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("a secret file", () => {
  beforeEach(async () => {
    server = await startTestServer(
      { DREAMLAKE_JWT_SECRET: "", DREAMLAKE_JWT_SECRET_FILE: secretFile },
      undefined,
      { secretPollMs: 20 },
    );
  });

  it("is rotated without a restart: new secret first, the old one kept, then removed", async () => {
    expect(await statusWith(OLD, "a")).toBe(404);
    expect(await statusWith(NEW, "b")).toBe(401);

    await replaceSecrets(`${NEW}\n${OLD}\n`);
    await eventually(async () => (await statusWith(NEW, "c")) === 404);
    expect(await statusWith(OLD, "d")).toBe(404);
    expect(server!.log.infos.map((line) => line.message)).toContain("token secrets reloaded");

    await replaceSecrets(`${NEW}\n`);
    // The remembered token "a" is forgotten too: the secrets changed.
    await eventually(async () => (await statusWith(OLD, "a")) === 401);
    expect(await statusWith(NEW, "e")).toBe(404);
  });

  it("keeps the previous secrets when the file becomes unusable, and logs it", async () => {
    await replaceSecrets("short\n");
    await eventually(() => Promise.resolve(server!.log.errors.length > 0));
    expect(server!.log.errors[0]?.message).toMatch(/secret file changed and cannot be used/);
    expect(await statusWith(OLD, "a")).toBe(404);
  });

  it("signs `dreamlake-server token` tokens with its first secret", async () => {
    await writeFile(secretFile, `${NEW}\n${OLD}\n`);
    const resolved = await resolveJwtSecret(undefined, folder, secretFile);
    expect(resolved).toEqual({ secret: NEW, source: "secret file", file: secretFile });
  });
});

describe("the data folder's generated .jwt-secret", () => {
  it("is re-read when it changes", async () => {
    server = await startTestServer({ DREAMLAKE_JWT_SECRET: "" }, undefined, { secretPollMs: 20 });
    const file = path.join(server.dataDir, ".jwt-secret");
    expect(server.embedded.secret).toMatchObject({ source: "generated", file });
    await writeFile(`${file}.next`, `${NEW}\n`);
    await rename(`${file}.next`, file);
    await eventually(async () => (await statusWith(NEW, "a")) === 404);
  });
});

describe("a missing or unusable secret file", () => {
  it.each([
    ["missing", undefined, /does not exist or is empty/],
    ["empty", "\n\n", /does not exist or is empty/],
    ["short", "short\n", /secret 1 is 5 characters long/],
  ])("stops the start (%s)", async (_name, text, message) => {
    if (text === undefined) await rm(secretFile);
    else await writeFile(secretFile, text);
    await expect(
      startTestServer({ DREAMLAKE_JWT_SECRET: "", DREAMLAKE_JWT_SECRET_FILE: secretFile }),
    ).rejects.toThrow(message);
  });
});
