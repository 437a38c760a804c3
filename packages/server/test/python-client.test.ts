/**
 * End to end with Python: a script that sends exactly the requests of the dreamlake
 * Python client 0.4.0 (urllib, Debian's /usr/bin/python3 with python3-msgpack) against the
 * server on a real socket, and reads the stored track with msgpack as the Python SDK does.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { systemClock } from "dreamlake/engine";
import { createApp } from "../src/app.js";
import { mintToken } from "../src/auth/mint-token.js";
import { parseConfig } from "../src/config.js";
import { createEmbeddedServer } from "../src/embedded/embedded-deps.js";
import { listen } from "../src/http/listen.js";
import { capturingLog, TEST_SECRET } from "./test-server.js";

const PYTHON = "/usr/bin/python3";
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "python", "client_0_4_0.py");

async function hasMsgpack(): Promise<boolean> {
  if (!existsSync(PYTHON)) return false;
  try {
    await promisify(execFile)(PYTHON, ["-c", "import msgpack"]);
    return true;
  } catch {
    return false;
  }
}

const HAS_PYTHON = await hasMsgpack();

describe("the Python client's requests, sent by Python", () => {
  it.runIf(HAS_PYTHON)("work end to end against a listening server", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "dreamlake-server-python-"));
    const config = parseConfig({ DREAMLAKE_DATA_DIR: dataDir, DREAMLAKE_JWT_SECRET: TEST_SECRET });
    const embedded = await createEmbeddedServer(config, { log: capturingLog() });
    const listener = await listen(createApp(embedded.deps), 0, "127.0.0.1");
    try {
      const { stdout } = await promisify(execFile)(PYTHON, [SCRIPT], {
        env: {
          DREAMLAKE_URL: listener.url,
          DREAMLAKE_API_KEY: mintToken("alice", TEST_SECRET, systemClock),
          DREAMLAKE_DATA: dataDir,
        },
      });
      expect(stdout.trim()).toBe("ok");
    } finally {
      await listener.close();
      await embedded.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
