import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Session } from "dreamlake";
import { run } from "../src/cli.js";

// `dreamlake-server doctor`: the SDK's doctor over the embedded server's data folder, whose
// sessions are <namespace>/<workspace>/<name>.

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "dreamlake-server-doctor-"));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function io(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      env: { DREAMLAKE_DATA_DIR: dataDir, ...env },
      cwd: "/",
      stdout: (text: string) => out.push(text),
      stderr: (text: string) => err.push(text),
      waitForShutdown: () => Promise.resolve(),
    },
    out: () => out.join(""),
    err: () => err.join(""),
  };
}

/** A session of user alice, laid out as the embedded server lays it out. */
async function writeSession(): Promise<string> {
  const session = await Session.open({
    prefix: "ws/run",
    localPath: path.join(dataDir, "alice"),
    flushOnExit: false,
  });
  for (let r = 0; r < 3; r++) {
    await session
      .track("loss")
      .appendBatch(Array.from({ length: 50 }, (_, i) => ({ _ts: r * 50 + i, v: i })));
  }
  await session.close();
  return path.join(dataDir, "alice", "ws", "run", "tracks", "loss", "data.msgpack");
}

describe("dreamlake-server doctor", () => {
  it("checks every session of the data folder, repairs one, then finds it healthy", async () => {
    const data = await writeSession();
    const healthy = io();
    expect(await run(["doctor"], healthy.io)).toBe(0);
    expect(healthy.out()).toContain("alice/ws/run loss: healthy (150 points in 3 records");
    const bytes = await readFile(data);
    bytes[bytes.byteLength - 20] = (bytes[bytes.byteLength - 20] as number) ^ 0x01;
    await writeFile(data, bytes);
    const found = io();
    expect(await run(["doctor"], found.io)).toBe(1);
    expect(found.out()).toContain("alice/ws/run loss: damaged (100 points in 2 records");
    const repaired = io();
    expect(await run(["doctor", "alice/ws/run", "loss", "--repair", "--json"], repaired.io)).toBe(
      1,
    );
    expect(JSON.parse(repaired.out())).toMatchObject({
      session: "alice/ws/run",
      track: "loss",
      status: "repaired",
      repair: { lost: [{ first: 100, last: 149 }] },
    });
    expect(await run(["doctor"], io().io)).toBe(0);
  });

  it("refuses a bad command line and a replica's configuration with exit code 2", async () => {
    await writeSession();
    expect(await run(["doctor", "ws/run"], io().io)).toBe(2);
    expect(await run(["doctor", "alice/../run"], io().io)).toBe(2);
    expect(await run(["doctor", "--fix"], io().io)).toBe(2);
    const replica = io({ DATABASE_URL: "postgres://127.0.0.1:1/x", S3_BUCKET: "b" });
    expect(await run(["doctor"], replica.io)).toBe(2);
    expect(replica.err()).toContain("manifest checksums");
    const missing = io();
    expect(await run(["doctor", "alice/ws/none"], missing.io)).toBe(1);
    expect(missing.err()).toContain("No session folder");
  });
});
