/**
 * Remote and hybrid sessions with a three-segment prefix `namespace/workspace/name`: the SDK
 * opens them through the namespaced API (creating the project after a 404, as the Python
 * client 0.8 does), so `teamA/proj/run1` and `teamB/proj/run1` never share a session on the
 * server either; a namespace other than the token's is refused, and a longer prefix too.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, PermissionDeniedError, Session } from "dreamlake";
import { QUIET } from "./sdk-modes.js";
import { startSdkServer, type SdkServer } from "./sdk-server.js";

let server: SdkServer;
beforeAll(async () => {
  server = await startSdkServer();
});
afterAll(async () => {
  await server.close();
});

const remote = (prefix: string) =>
  Session.open({ ...QUIET, prefix, url: server.url, apiKey: server.token });

describe("a three-segment prefix on a server", () => {
  it("opens namespace/workspace/name through the namespaced API, creating the project", async () => {
    const before = server.requests.length;
    const session = await remote("alice/vision/run-1");
    await session.track("loss").appendBatch([{ value: 1, _ts: 1 }]);
    await session.close();
    const opened = server.requests
      .slice(before, before + 3)
      .map((request) => `${request.method} ${request.path}`);
    expect(opened).toEqual([
      "POST /namespaces/alice/projects/vision/episodes",
      "POST /namespaces/alice/projects",
      "POST /namespaces/alice/projects/vision/episodes",
    ]);
    // The same session as the two-segment prefix in the token's namespace.
    const again = await remote("vision/run-1");
    expect((await again.track("loss").read()).data.map((row) => row.data)).toEqual([
      { value: 1, _ts: 1 },
    ]);
    await again.close();
  });

  it("refuses another namespace than the token's, in remote and hybrid mode", async () => {
    await expect(remote("teamB/proj/run1")).rejects.toThrow(PermissionDeniedError);
    const localPath = await mkdtemp(path.join(tmpdir(), "dreamlake-namespaced-"));
    try {
      await expect(
        Session.open({
          ...QUIET,
          prefix: "teamB/proj/run1",
          url: server.url,
          apiKey: server.token,
          localPath,
        }),
      ).rejects.toThrow(PermissionDeniedError);
    } finally {
      await rm(localPath, { recursive: true, force: true });
    }
  });

  it("refuses a prefix of four segments in remote and hybrid mode", async () => {
    const before = server.requests.length;
    await expect(remote("a/alice/proj/run")).rejects.toThrow(InvalidArgumentError);
    await expect(remote("a/alice/proj/run")).rejects.toThrow(/at most three/);
    expect(server.requests.length).toBe(before);
  });
});
