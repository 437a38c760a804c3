/**
 * `dreamlake ui` (the server's `ui` command): the dashboard API over a local SDK folder,
 * through the same contract as the servers, plus what only the local folder has.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Session } from "dreamlake";
import { run } from "../src/cli.js";
import { startUi } from "./served-ui.js";
import { describeDashboardApi, type ApiUnderTest } from "./dashboard-api-contract.js";
import { QUIET } from "./sdk-modes.js";

describeDashboardApi("dreamlake ui over a local folder", { needsToken: false }, async () => {
  const folder = await mkdtemp(path.join(tmpdir(), "dreamlake-ui-"));
  const ui = await startUi(["--root", folder, "--port", "0"], "/");
  return {
    url: ui.url,
    headers: {},
    open: (prefix, options = {}) =>
      Session.open({ ...QUIET, prefix, localPath: folder, ...options }),
    async close() {
      await ui.stop();
      await rm(folder, { recursive: true, force: true });
    },
  } satisfies ApiUnderTest;
});

describe("dreamlake ui", () => {
  it("binds 127.0.0.1, prints the URL, needs no token, serves no wire route and writes nothing", async () => {
    const folder = await mkdtemp(path.join(tmpdir(), "dreamlake-ui-"));
    try {
      const session = await Session.open({
        ...QUIET,
        prefix: "team/proj/run-1",
        localPath: folder,
      });
      session.track("loss").append({ value: 1, _ts: 10 });
      await session.close();
      const ui = await startUi(["--root", ".", "--port", "0"], folder);
      try {
        expect(ui.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(ui.output.join("")).toContain(`dreamlake ui: ${ui.url}/`);
        const me = await fetch(`${ui.url}/api/v1/me`);
        expect(await me.json()).toEqual({ namespace: "local", authentication: "none" });
        const list = (await (await fetch(`${ui.url}/api/v1/sessions`)).json()) as {
          sessions: { id: string; prefix: string; pointCount: number }[];
        };
        expect(list.sessions).toMatchObject([
          { id: "team~proj~run-1", prefix: "team/proj/run-1", pointCount: 1 },
        ]);
        const wire = await fetch(`${ui.url}/workspaces/proj/sessions`, {
          method: "POST",
          body: "{}",
        });
        expect(wire.status).toBe(404);
        expect((await fetch(`${ui.url}/api/v1/sessions/team~proj~nope`)).status).toBe(404);
        expect((await fetch(`${ui.url}/api/v1/sessions/..~..~etc`)).status).toBe(404);
        // A page of another site whose name was rebound to 127.0.0.1 still names its host.
        const rebound = await new Promise<number>((resolve, reject) => {
          const request = http.get(
            `${ui.url}/api/v1/sessions`,
            { headers: { host: "evil.example:4000" } },
            (answer) => {
              answer.resume();
              resolve(answer.statusCode ?? 0);
            },
          );
          request.once("error", reject);
        });
        expect(rebound).toBe(403);
      } finally {
        expect(await ui.stop()).toBe(0);
      }
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("says which folder is missing, and refuses a bad port", async () => {
    const output: string[] = [];
    const io = {
      env: {},
      cwd: "/",
      stdout: (text: string) => output.push(text),
      stderr: (text: string) => output.push(text),
      waitForShutdown: () => Promise.resolve(),
    };
    expect(await run(["ui", "--root", "/no/such/folder"], io)).toBe(1);
    expect(output.join("")).toContain("no folder /no/such/folder");
    expect(await run(["ui", "--port", "99999"], io)).toBe(2);
    expect(await run(["ui", "--colour"], io)).toBe(2);
  });

  it("is what `dreamlake ui` of the SDK's command runs, and stops on SIGTERM", async () => {
    const folder = await mkdtemp(path.join(tmpdir(), "dreamlake-ui-"));
    const command = fileURLToPath(new URL("../../../node_modules/.bin/dreamlake", import.meta.url));
    const child = spawn(command, ["ui", "--root", folder, "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = "";
        child.stdout.on("data", (chunk: Buffer) => {
          output += chunk.toString();
          const match = /dreamlake ui: (http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
          if (match?.[1] !== undefined) resolve(match[1]);
        });
        child.once("exit", (code) => {
          reject(new Error(`dreamlake ui exited with ${code}: ${output}`));
        });
      });
      expect(await (await fetch(`${url}/api/v1/me`)).json()).toEqual({
        namespace: "local",
        authentication: "none",
      });
      const page = await fetch(`${url}/`);
      expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
      expect(await page.text()).toContain("<title>dreamlake</title>");
    } finally {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      await rm(folder, { recursive: true, force: true });
    }
  });
});
