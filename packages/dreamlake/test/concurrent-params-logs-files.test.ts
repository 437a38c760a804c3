import { spawn } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Session } from "../src/index.js";
import { lockKind } from "../src/storage/node/file-lock-manager.js";
import { assertFreshBuild } from "./child-process.js";
import { makeTempDir } from "./test-utils.js";

const REPO = fileURLToPath(new URL("../../..", import.meta.url));
const SCRIPTS = fileURLToPath(new URL("./scripts", import.meta.url));
const PYTHON = "/usr/bin/python3";

let temp: { dir: string; cleanup(): Promise<void> };
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.cleanup();
});

const open = (): Promise<Session> =>
  Session.open({
    prefix: "ws/shared",
    localPath: temp.dir,
    flushOnExit: false,
    flushIntervalMs: 0,
  });

/** What one writer does: the steps of scripts/plf-writer.mjs, with a flush after each entry. */
async function write(session: Session, tag: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    session.log(`${tag} ${i}`, { metadata: { tag, i } });
    // Not awaited: this writer's next steps overlap its own log write too.
    const flushed = session.logs.flush();
    await session.params.set({ [tag]: { [`k${i}`]: i } });
    if (i % 20 === 0) {
      await session.files.upload(new TextEncoder().encode(`${tag}-${i}`), {
        prefix: "/both",
        filename: `${tag}-${i}.txt`,
      });
    }
    await flushed;
  }
}

/** Checks that nothing any writer wrote was lost or numbered twice. */
async function expectEverything(tags: readonly string[], count: number): Promise<void> {
  const session = await open();
  try {
    const { logs } = await session.logs.read({ limit: 10_000 });
    const numbers = logs.map((entry) => entry.sequenceNumber);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(numbers).toEqual(Array.from({ length: tags.length * count }, (_, i) => i));
    for (const tag of tags) {
      const mine = logs.filter((entry) => entry.metadata?.["tag"] === tag);
      expect(mine.map((entry) => entry.message)).toEqual(
        Array.from({ length: count }, (_, i) => `${tag} ${i}`),
      );
    }
    const flat = await session.params.get({ flatten: true });
    expect(Object.keys(flat)).toHaveLength(tags.length * count);
    for (const tag of tags)
      for (let i = 0; i < count; i++) expect(flat[`${tag}.k${i}`], `${tag}.k${i}`).toBe(i);
    const files = await session.files.list({ prefix: "/both" });
    const expectedNames = tags.flatMap((tag) =>
      Array.from({ length: Math.ceil(count / 20) }, (_, j) => `${tag}-${j * 20}.txt`),
    );
    expect(files.map((file) => file.filename).sort()).toEqual(expectedNames.sort());
    expect(new Set(files.map((file) => file.id)).size).toBe(files.length);
    for (const file of files) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of session.files.stream(file.id)) chunks.push(chunk);
      expect(Buffer.concat(chunks).toString()).toBe(file.filename.replace(".txt", ""));
    }
  } finally {
    await session.close();
  }
}

type Writer = { readonly ready: Promise<void>; go(): void; readonly done: Promise<string> };

/** Starts a writer process that waits for "go" on stdin once it printed "ready". */
function startWriter(command: string, args: readonly string[]): Writer {
  const child = spawn(command, args, { cwd: REPO, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on("exit", resolve);
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.startsWith("ready\n")) resolve();
    });
    void exited.then((code) => {
      reject(new Error(`${command} exited with ${String(code)} before it was ready: ${stderr}`));
    });
  });
  const done = exited.then((code) => {
    if (code !== 0) throw new Error(`${command} exited with ${String(code)}: ${stderr}`);
    return stdout;
  });
  return { ready, go: () => child.stdin.end("go\n"), done };
}

async function runTogether(writers: readonly Writer[]): Promise<string[]> {
  await Promise.all(writers.map((writer) => writer.ready));
  for (const writer of writers) writer.go();
  return Promise.all(writers.map((writer) => writer.done));
}

describe("two writers of one session", () => {
  beforeAll(async () => {
    // The writer processes run the built package, as a user's program does.
    await assertFreshBuild();
  });

  it("two Session objects in one process lose nothing and number no log entry twice", async () => {
    const [a, b] = [await open(), await open()];
    await Promise.all([write(a, "a", 100), write(b, "b", 100)]);
    await Promise.all([a.close(), b.close()]);
    await expectEverything(["a", "b"], 100);
  });

  it("two processes lose nothing and number no log entry twice", async () => {
    const writer = path.join(SCRIPTS, "plf-writer.mjs");
    await runTogether([
      startWriter(process.execPath, [writer, temp.dir, "ws/shared", "p", "100"]),
      startWriter(process.execPath, [writer, temp.dir, "ws/shared", "q", "100"]),
    ]);
    await expectEverything(["p", "q"], 100);
  });

  it("a Python SDK writer and a TypeScript process exclude each other through flock", async () => {
    // Without the native addon the lock is not flock, and Python writers are not excluded.
    expect(lockKind).toBe("flock");
    const session = await open(); // creates the folders Python expects
    await session.close();
    const [python] = await runTogether([
      startWriter(PYTHON, [
        path.join(SCRIPTS, "python_sdk_0_4_0.py"),
        "write",
        path.join(temp.dir, "ws", "shared"),
        "py",
        "60",
      ]),
      startWriter(process.execPath, [
        path.join(SCRIPTS, "plf-writer.mjs"),
        temp.dir,
        "ws/shared",
        "ts",
        "60",
      ]),
    ]);
    expect(python).toContain('"done": true');
    await expectEverything(["py", "ts"], 60);
  });
});
