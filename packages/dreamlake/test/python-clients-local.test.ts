/**
 * Local folders between this SDK and the real Python clients (0.4.0, 0.8.0 and the newest
 * PyPI serves; scripts/python-clients.sh installs them): each reads what the other wrote
 * (tracks, params, logs, files, and the session's own document, `session.json` for 0.4.0 and
 * `episode.json` from 0.4.2 on), and two prefixes that differ only before the workspace
 * (`teamA/proj/run1`, `teamB/proj/run1`) stay in two folders that Python reads apart.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "../src/index.js";
import {
  MAKE_CLIENTS_TIMEOUT_MS,
  pythonClients,
  runWithClient,
  sessionDocumentOf,
  type PythonClient,
} from "./python-clients.js";

const SCRIPT = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "scripts",
  "python_client_local.py",
);
const QUIET = { flushIntervalMs: 0, flushOnExit: false } as const;

let clients: readonly PythonClient[];
let root: string;

beforeAll(async () => {
  clients = await pythonClients();
  root = await mkdtemp(path.join(tmpdir(), "dreamlake-python-local-"));
}, MAKE_CLIENTS_TIMEOUT_MS);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

type Json = Record<string, unknown>;
type Row = { index: number | string; data: Json };

async function python(
  client: PythonClient,
  command: "read" | "write",
  localPath: string,
  prefix: string,
): Promise<Json> {
  const work = await mkdtemp(path.join(root, "work-"));
  return JSON.parse(
    await runWithClient(client, SCRIPT, [command, localPath, prefix, work]),
  ) as Json;
}

describe("a folder dreamlake wrote, read by each Python client", () => {
  it("gives Python every track, param, log line and file, and the session's document", async () => {
    for (const client of clients) {
      const localPath = await mkdtemp(path.join(root, "ts-"));
      const prefix = "ws/from-typescript";
      const session = await Session.open({
        prefix,
        localPath,
        readme: "written by typescript",
        tags: ["ts"],
        ...QUIET,
      });
      await session.params.set({ learning_rate: 0.001, model: { layers: 4 } });
      session.log("hello from typescript", { metadata: { step: 1 } });
      const pose = session.track("robot/pose");
      for (let i = 0; i < 3; i++) pose.append({ x: i + 0.5, _ts: 100 + i });
      await session.track("loss").appendBatch([
        { value: 0.5, _ts: 200 },
        { value: 0.25, _ts: 201 },
      ]);
      const model = path.join(localPath, "model.bin");
      await writeFile(model, "typescript weights");
      await session.files.upload(model, { prefix: "/models", tags: ["v1"] });
      await session.close();

      const read = await python(client, "read", localPath, prefix);
      expect(read["params"]).toEqual({ learning_rate: 0.001, "model.layers": 4 });
      expect((read["pose"] as Row[]).map((row) => [Number(row.index), row.data])).toEqual([
        [0, { x: 0.5, _ts: 100 }],
        [1, { x: 1.5, _ts: 101 }],
        [2, { x: 2.5, _ts: 102 }],
      ]);
      expect((read["loss"] as Row[]).map((row) => row.data["value"])).toEqual([0.5, 0.25]);
      expect((read["newest"] as Row[]).map((row) => row.data["_ts"])).toEqual([102]);
      expect(read["tracks"]).toEqual(["loss", "robot/pose"]);
      expect(read["files"]).toMatchObject([{ path: "/models", filename: "model.bin" }]);
      expect(Buffer.from(read["downloaded"] as string, "hex").toString()).toBe(
        "typescript weights",
      );
      expect(read["logs"]).toMatchObject([
        { sequenceNumber: 0, level: "info", message: "hello from typescript" },
      ]);
      // Python opened the folder: it found its own document and kept what we wrote there.
      expect(read[sessionDocumentOf(client)]).toMatchObject({
        name: "from-typescript",
        workspace: "ws",
        description: "written by typescript",
        tags: ["ts"],
      });
    }
  });
});

describe("a folder each Python client wrote, read by dreamlake", () => {
  it("gives dreamlake every track, param, log line and file, and keeps Python's document", async () => {
    for (const client of clients) {
      const localPath = await mkdtemp(path.join(root, "py-"));
      const prefix = "ws/from-python";
      await python(client, "write", localPath, prefix);
      const folder = path.join(localPath, "ws", "from-python");
      const written = JSON.parse(
        await readFile(path.join(folder, sessionDocumentOf(client)), "utf8"),
      ) as Json;
      // Only the document of the client's own version exists so far.
      const other = sessionDocumentOf(client) === "episode.json" ? "session.json" : "episode.json";
      expect(await readdir(folder)).not.toContain(other);

      const session = await Session.open({ prefix, localPath, ...QUIET });
      expect(await session.params.get()).toEqual({ learning_rate: 0.01, model: { layers: 2 } });
      const pose = await session.track("robot/pose").read();
      expect(pose.data.map((row) => row.data)).toEqual([
        { x: 0, _ts: 500 },
        { x: 1, _ts: 501 },
        { x: 2, _ts: 502 },
      ]);
      const loss = await session.track("loss").readByTime({ startTime: 601 });
      expect(loss.data.map((row) => row.data["value"])).toEqual([0.25]);
      expect(await session.tracks.list()).toEqual(["loss", "robot/pose"]);
      const logs = await session.logs.read();
      expect(logs.logs).toMatchObject([{ message: "hello from python", metadata: { step: 1 } }]);
      const [file] = await session.files.list();
      expect(file).toMatchObject({ path: "/models", filename: "model.bin", tags: ["v1"] });
      const copy = path.join(localPath, "copy.bin");
      await session.files.download(file?.id ?? "", copy);
      expect(await readFile(copy)).toEqual(Buffer.from("python weights\n\x00\xff", "latin1"));
      await session.close();

      // Our open wrote both documents from Python's, keeping its fields.
      for (const name of ["session.json", "episode.json"]) {
        const document = JSON.parse(await readFile(path.join(folder, name), "utf8")) as Json;
        expect(document).toMatchObject({
          name: "from-python",
          description: "written by python",
          tags: ["py"],
          created_at: written["created_at"],
        });
      }
    }
  });
});

describe("prefixes that differ only before the workspace", () => {
  it("live in two folders, which Python 0.4.0 and 0.8 and later read apart", async () => {
    const localPath = await mkdtemp(path.join(root, "teams-"));
    for (const team of ["teamA", "teamB"]) {
      const session = await Session.open({ prefix: `${team}/proj/run1`, localPath, ...QUIET });
      await session.track("robot/pose").appendBatch([{ team, _ts: 1 }]);
      await session.params.set({ team });
      await session.close();
    }
    expect((await readdir(localPath)).sort()).toEqual(["teamA", "teamB"]);

    for (const client of clients) {
      for (const team of ["teamA", "teamB"]) {
        // Python keeps the last two segments; the rest goes into its root.
        for (const prefix of ["proj/run1", `${team}/proj/run1`]) {
          const read = await python(client, "read", path.join(localPath, team), prefix);
          expect((read["pose"] as Row[]).map((row) => row.data["team"])).toEqual([team]);
          expect(read["params"]).toEqual({ team });
        }
      }
    }
  });
});
