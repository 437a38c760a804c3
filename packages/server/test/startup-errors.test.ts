/**
 * First runs without traps: the installed `dreamlake-server` command (through
 * node_modules/.bin, as `npx dreamlake-server` runs it) answers each start-up problem with
 * one line naming the fix and exit code 1, never a stack trace.
 */
import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const BIN = path.join(ROOT, "node_modules", ".bin", "dreamlake-server");

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "dreamlake-startup-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the command to its end; the environment has no tier variables unless given. */
function runBin(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        name !== "DATABASE_URL" &&
        name !== "MONGODB_URI" &&
        !name.startsWith("S3_") &&
        !name.startsWith("PORT"),
    ),
  );
  return new Promise((resolve) => {
    const child = execFile(BIN, [...args], { cwd: dir, env: { ...base, ...env } }, (error) => {
      resolve({ code: child.exitCode ?? (error === null ? 0 : null), stdout, stderr });
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  });
}

/** One line on stderr, exit code 1, no stack trace. */
function expectOneLine(result: { code: number | null; stderr: string }, pattern: RegExp): void {
  expect(result.code).toBe(1);
  expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(result.stderr).toMatch(/^dreamlake-server: /);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stderr).toMatch(pattern);
}

describe("dreamlake-server start-up errors", () => {
  let blocker: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => {
      if (blocker === undefined) resolve();
      else
        blocker.close(() => {
          resolve();
        });
    });
    blocker = undefined;
  });

  it("a port in use names PORT", async () => {
    const taken = createServer();
    blocker = taken;
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const address = taken.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    const result = await runBin([], { PORT: String(address.port), DREAMLAKE_DATA_DIR: dir });
    expectOneLine(result, new RegExp(`Port ${address.port} on 127.0.0.1 is already in use.*PORT`));
  });

  it("a data folder that cannot be written names DREAMLAKE_DATA_DIR", async () => {
    // Tests run as root, for whom permission bits stop nothing: a file stands where a folder must be.
    await writeFile(path.join(dir, "not-a-folder"), "");
    const result = await runBin([], {
      PORT: "0",
      DREAMLAKE_DATA_DIR: path.join(dir, "not-a-folder", "data"),
    });
    expectOneLine(result, /data folder .*not-a-folder\/data cannot be written.*DREAMLAKE_DATA_DIR/);
  });

  it("a bad variable names the variable and what it takes", async () => {
    expectOneLine(await runBin([], { PORT: "http" }), /PORT must be an integer from 0 to 65535/);
    expectOneLine(
      await runBin([], { PORT: "0", DREAMLAKE_FSYNC: "sometimes" }),
      /DREAMLAKE_FSYNC must be never or always/,
    );
    expectOneLine(
      await runBin([], { PORT: "0", S3_BUCKET: "b" }),
      /S3_BUCKET set but DATABASE_URL is not/,
    );
  });

  it("token run in another folder than the server's says where it looked", async () => {
    const result = await runBin(["token", "alice"], {});
    expectOneLine(result, /\.dreamlake-server\/\.jwt-secret does not exist.*DREAMLAKE_DATA_DIR/);
    expect(result.stdout).toBe("");
  });

  it("--help answers through the installed link", async () => {
    const result = await runBin(["--help"], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("dreamlake-server token <user>");
  });
});

describe("the installed dreamlake command", () => {
  it("--help answers through node_modules/.bin (the link's path is not the module's)", async () => {
    const child = spawn(path.join(ROOT, "node_modules", ".bin", "dreamlake"), ["--help"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(0);
    expect(stdout).toContain("dreamlake demo");
  });
});
