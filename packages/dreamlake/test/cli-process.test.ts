import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { McapIndexedReader } from "@mcap/core";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "../src/session/session.js";
import { assertFreshBuild } from "./child-process.js";
import { makeTempDir } from "./test-utils.js";

/** The command as users run it: the link npm made in node_modules/.bin. */
const COMMAND = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
  "node_modules",
  ".bin",
  "dreamlake",
);

/** Runs a bash script; resolves with its output whatever its exit code. */
async function bash(script: string): Promise<{ stdout: string; stderr: string }> {
  const { stdout, stderr } = await promisify(execFile)("bash", ["-c", script], {
    env: { ...process.env, COMMAND },
  });
  return { stdout, stderr };
}

describe("the dreamlake command, run through node_modules/.bin", () => {
  let temp: { dir: string; cleanup(): Promise<void> };
  beforeAll(async () => {
    await assertFreshBuild();
    temp = await makeTempDir();
    const session = await Session.open({ prefix: "p/s", localPath: temp.dir, flushOnExit: false });
    await session.track("t").appendBatch(Array.from({ length: 50_000 }, (_, v) => ({ v, _ts: v })));
    await session.close();
  });
  afterAll(async () => {
    await temp.cleanup();
  });

  it("ends quietly with code 0 when the reader of its output goes away (| head -1)", async () => {
    const { stdout, stderr } = await bash(
      `"$COMMAND" read p/s t --all --root "${temp.dir}" | head -1; echo "exit \${PIPESTATUS[0]}"`,
    );
    expect(stdout).toBe("#0 _ts=0 v=0\nexit 0\n");
    expect(stderr).toBe("");
  });

  it("prints one line and exits with 1 for a missing session, with 2 for a usage mistake", async () => {
    const { stdout, stderr } = await bash(
      `"$COMMAND" tracks no/such --root "${temp.dir}"; echo "exit $?"; "$COMMAND" --bogus 2>/dev/null; echo "exit $?"; "$COMMAND" --version`,
    );
    expect(stdout).toBe("exit 1\nexit 2\n0.1.0\n");
    expect(stderr).toBe(
      `dreamlake: No session "no/such" in ${temp.dir} (no session folder ${temp.dir}/no/such) (NOT_FOUND)\n`,
    );
  });

  it("exports to MCAP with its worker threads: @mcap/core's indexed reader reads every point, CRCs checked", async () => {
    const file = path.join(temp.dir, "t.mcap");
    const { stdout, stderr } = await bash(
      `"$COMMAND" export p/s t --format mcap --out "${file}" --root "${temp.dir}" --quiet; echo "exit $?"`,
    );
    expect(stderr).toBe("");
    expect(stdout).toMatch(/ 50,?000 points.*\nexit 0\n$/s);
    const bytes = await readFile(file);
    const reader = await McapIndexedReader.Initialize({
      readable: {
        size: () => Promise.resolve(BigInt(bytes.byteLength)),
        read: (offset, length) =>
          Promise.resolve(bytes.subarray(Number(offset), Number(offset + length))),
      },
    });
    expect(reader.statistics?.messageCount).toBe(50_000n);
    let v = 0;
    const decoder = new TextDecoder();
    for await (const message of reader.readMessages({ validateCrcs: true })) {
      expect(decoder.decode(message.data)).toBe(JSON.stringify({ _ts: v, v }));
      expect(message.logTime).toBe(BigInt(v) * 1_000_000_000n);
      expect(message.sequence).toBe(v);
      v++;
    }
    expect(v).toBe(50_000);
  });
});
