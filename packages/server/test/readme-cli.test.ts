import { spawn, type ChildProcessByStdio } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { systemClock } from "dreamlake/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintToken } from "../src/auth/mint-token.js";
import { embeddedEnvironment } from "./embedded-environment.js";
import { startInstalledServer, type InstalledServer } from "./installed-server.js";

const REPO = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const BIN = path.join(REPO, "node_modules", ".bin");
const SECRET = "readme-cli-secret-0123456789";
/** Commands that run until Ctrl-C: started, given time to print, then sent SIGINT. */
const LONG_RUNNING = /dreamlake (tail -f|ui|serve)\b/;

type Ended = { readonly code: number | null; readonly stdout: string; readonly stderr: string };

/** The command lines of the README's "Command line" example, without comments. */
async function readmeCommands(): Promise<string[]> {
  const readme = await readFile(path.join(REPO, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Command line"));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  return block
    .split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line !== "");
}

function finish(child: ChildProcessByStdio<null, Readable, Readable>): Promise<Ended> {
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

describe("the README's command line examples", () => {
  let work: string;
  let server: InstalledServer;
  let url: string;
  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), "dreamlake-readme-cli-"));
    server = await startInstalledServer(BIN, path.join(work, "server"), SECRET);
    url = server.url;
  });
  afterAll(async () => {
    await server.stop();
    await rm(work, { recursive: true, force: true });
  });

  it("each runs, in order, and succeeds", async () => {
    const commands = await readmeCommands();
    expect(commands.length).toBeGreaterThanOrEqual(14);
    const env = {
      ...embeddedEnvironment(),
      DREAMLAKE_API_KEY: mintToken("alice", SECRET, systemClock),
      DREAMLAKE_DATA_DIR: path.join(work, "serve-data"),
      DREAMLAKE_JWT_SECRET: SECRET,
      PORT: "0",
    };
    for (const command of commands) {
      const line = command
        .replace(/^npx dreamlake /, `"${path.join(BIN, "dreamlake")}" `)
        .replaceAll("http://127.0.0.1:3000", url)
        .replace("--port 4000", "--port 0");
      const child = spawn("bash", ["-c", `exec ${line}`], {
        cwd: work,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      const done = finish(child);
      if (LONG_RUNNING.test(command)) {
        await new Promise((resolve) => setTimeout(resolve, 1500));
        child.kill("SIGINT");
      }
      const end = await done;
      expect(end.stderr, command).toBe("");
      expect(end.code, `${command}\n${end.stdout}`).toBe(0);
      if (command.includes("tail -f")) expect(end.stdout, command).toMatch(/^#0 _ts=/);
      if (command.includes(" ls --url"))
        expect(end.stdout, command).toContain("alice/project/my-experiment");
      if (command.includes("import "))
        expect(end.stdout, command).toContain("robot/pose  50 points");
    }
  });
});
