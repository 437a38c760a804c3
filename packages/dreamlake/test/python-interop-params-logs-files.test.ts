import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatPythonJson } from "../src/core/python-json.js";
import { Session, type JsonValue } from "../src/index.js";
import { makeTempDir } from "./test-utils.js";

const SCRIPTS = fileURLToPath(new URL("./scripts", import.meta.url));
const PYTHON = "/usr/bin/python3";

/** Runs Python with the SDK 0.4.0 storage functions of scripts/python_sdk_0_4_0.py as `sdk`. */
function python(code: string, args: readonly string[] = [], input = ""): string {
  const prelude = `import sys, json\nfrom pathlib import Path\nsys.path.insert(0, ${JSON.stringify(SCRIPTS)})\nimport python_sdk_0_4_0 as sdk\n`;
  return execFileSync(PYTHON, ["-c", prelude + code, ...args], { encoding: "utf8", input });
}

type PythonView = {
  params: Record<string, unknown> | null;
  nested: Record<string, unknown> | null;
  logs: Record<string, unknown>[];
  logKeys: string[][];
  sequence: string | null;
  files: Record<string, unknown>[];
  fileKeys: string[][];
  downloads: Record<string, string>;
};

/** What the Python SDK's readers see in a session folder. */
function pythonRead(folder: string): PythonView {
  const out = execFileSync(PYTHON, [path.join(SCRIPTS, "python_sdk_0_4_0.py"), "read", folder], {
    encoding: "utf8",
  });
  return JSON.parse(out) as PythonView;
}

const FILE_KEYS = [
  "id",
  "sessionId",
  "path",
  "filename",
  "description",
  "tags",
  "contentType",
  "sizeBytes",
  "checksum",
  "metadata",
  "uploadedAt",
  "updatedAt",
  "deletedAt",
];

let temp: { dir: string; cleanup(): Promise<void> };
let folder: string;
const open = (): Promise<Session> =>
  Session.open({ prefix: "ws/run", localPath: temp.dir, flushOnExit: false });

beforeEach(async () => {
  temp = await makeTempDir();
  folder = path.join(temp.dir, "ws", "run");
});
afterEach(async () => {
  await temp.cleanup();
});

describe("the Python SDK 0.4.0 reading what we write", () => {
  it("reads our params, flat and nested as its unflatten_dict builds them", async () => {
    const session = await open();
    await session.params.set({ lr: 0.001, model: { layers: 4, act: "relu" }, name: "résumé 😀" });
    await session.params.set({ model: { layers: 8 }, sizes: [1, 2, { x: null }], "a.b": true });
    const ours = await session.params.get({ flatten: true });
    const nested = await session.params.get();
    await session.close();
    const view = pythonRead(folder);
    expect(view.params).toEqual(ours);
    expect(view.nested).toEqual(nested);
  });

  it("reads lone UTF-16 surrogates in our params and log lines as we gave them (JSON escapes carry them)", async () => {
    // Unlike a track's msgpack (UTF-8, which refuses them), params and logs are JSON with
    // Python's ensure_ascii escapes: "\ud800" stays "\ud800", as Python itself writes it.
    const session = await open();
    await session.params.set({ "key\ud800": "value\udc00" });
    session.log("message \ud800", { metadata: { "x\udfff": "y\ud83d" } });
    const { logs } = await session.logs.read();
    await session.close();
    expect(logs[0]).toMatchObject({
      message: "message \ud800",
      metadata: { "x\udfff": "y\ud83d" },
    });
    const view = pythonRead(folder);
    expect(view.params).toEqual({ "key\ud800": "value\udc00" });
    expect(view.logs).toEqual(logs);
    const again = await open();
    expect(await again.params.get()).toEqual({ "key\ud800": "value\udc00" });
    await again.close();
  });

  it("reads our log lines with Python's key order, and continues our sequence", async () => {
    const session = await open();
    session.log("start", { level: "debug" });
    session.log("ünïcode \u2028 line", {
      level: "WARN" as "warn",
      metadata: { loss: 0.25, tags: ["a"] },
    });
    session.log("empty metadata", { level: "fatal", metadata: {} });
    const { logs } = await session.logs.read();
    await session.close();
    const view = pythonRead(folder);
    expect(view.logs).toEqual(logs);
    expect(view.logKeys).toEqual([
      ["sequenceNumber", "timestamp", "level", "message"],
      ["sequenceNumber", "timestamp", "level", "message", "metadata"],
      ["sequenceNumber", "timestamp", "level", "message"],
    ]);
    expect(view.sequence).toBe("3");
    // Python's writer continues where we stopped.
    python("sdk.write_log(Path(sys.argv[1]), 'from python', 'error')", [folder]);
    const again = await open();
    const after = await again.logs.read({ reverse: true, limit: 1 });
    await again.close();
    expect(after.logs[0]).toMatchObject({
      sequenceNumber: 3,
      level: "error",
      message: "from python",
    });
  });

  it("lists and downloads our files with its own checksum check", async () => {
    const session = await open();
    const model = await session.files.upload(new TextEncoder().encode("weights"), {
      prefix: "/models",
      filename: "model.pt",
      description: "best",
      tags: ["v1"],
      metadata: { epoch: 3 },
    });
    const plot = await session.files.upload(new TextEncoder().encode("png"), {
      filename: "plot é.png",
    });
    const gone = await session.files.upload(new TextEncoder().encode("x"), {
      filename: "gone.txt",
    });
    await session.files.delete(gone.id);
    await session.files.update(plot.id, { tags: ["figure"] });
    const ours = await session.files.list();
    await session.close();
    const view = pythonRead(folder);
    expect(view.files.map((entry) => entry["id"])).toEqual(ours.map((record) => record.id));
    expect(view.fileKeys).toEqual([FILE_KEYS, FILE_KEYS]);
    expect(view.files[0]).toMatchObject({
      path: "/models",
      filename: "model.pt",
      description: "best",
      tags: ["v1"],
      metadata: { epoch: 3 },
      sizeBytes: 7,
      checksum: model.checksum,
      deletedAt: null,
    });
    expect(view.files[1]).toMatchObject({ filename: "plot é.png", tags: ["figure"] });
    expect(view.downloads).toEqual({ [model.id]: "weights", [plot.id]: "png" });
  });
});

describe("reading what the Python SDK 0.4.0 writes", () => {
  beforeEach(async () => {
    const session = await open();
    await session.close();
    await writeFile(path.join(temp.dir, "model.pt"), "python weights");
    python(
      [
        "s = Path(sys.argv[1])",
        "sdk.write_parameters(s, {'lr': 0.01, 'model.layers': 2})",
        "sdk.write_parameters(s, {'model.layers': 3, 'name': 'caf\\u00e9'})",
        "sdk.write_log(s, 'first', 'info', {'epoch': 1})",
        "sdk.write_log(s, 'second', 'warn')",
        "sdk.upload_file(s, sys.argv[2], prefix='models/', tags=['py'])",
      ].join("\n"),
      [folder, path.join(temp.dir, "model.pt")],
    );
  });

  it("reads Python's params (its second write drops createdAt) and merges into them", async () => {
    const session = await open();
    expect(await session.params.get()).toEqual({ lr: 0.01, model: { layers: 3 }, name: "café" });
    await session.params.set({ model: { act: "relu" } });
    await session.close();
    const document = JSON.parse(await readFile(path.join(folder, "parameters.json"), "utf8")) as {
      version: number;
      createdAt?: string;
    };
    expect(document.version).toBe(3);
    expect(document.createdAt).toBeUndefined();
    expect(pythonRead(folder).nested).toEqual({
      lr: 0.01,
      model: { layers: 3, act: "relu" },
      name: "café",
    });
  });

  it("reads Python's log lines and numbers ours after them", async () => {
    const session = await open();
    session.log("third");
    const { logs } = await session.logs.read();
    await session.close();
    expect(logs.map((entry) => [entry.sequenceNumber, entry.level, entry.message])).toEqual([
      [0, "info", "first"],
      [1, "warn", "second"],
      [2, "info", "third"],
    ]);
    expect(logs[0]?.metadata).toEqual({ epoch: 1 });
  });

  it("lists and downloads Python's file, and replaces it in its slot by prefix and name", async () => {
    const session = await open();
    const [pythonFile] = await session.files.list({ prefix: "/models" });
    expect(pythonFile).toMatchObject({ path: "models/", filename: "model.pt", tags: ["py"] });
    const target = path.join(temp.dir, "downloaded.pt");
    await session.files.download(pythonFile?.id ?? "", target);
    expect(await readFile(target, "utf8")).toBe("python weights");
    const ours = await session.files.upload(new TextEncoder().encode("ts weights"), {
      prefix: "/models",
      filename: "model.pt",
    });
    await session.close();
    const view = pythonRead(folder);
    expect(view.files.map((entry) => entry["id"])).toEqual([ours.id]);
    expect(view.downloads).toEqual({ [ours.id]: "ts weights" });
  });
});

describe("formatPythonJson", () => {
  it("writes what Python's json.dumps writes, byte for byte, one line and indent 2", () => {
    // Numbers where both languages print the same digits: integers, and floats that neither
    // prints with an exponent (Python from 1e16 and below 1e-4, JavaScript from 1e21 and below 1e-6).
    const number = fc.oneof(
      fc.integer(),
      fc.double({ min: 1e-4, max: 1e15, noNaN: true }).filter((x) => !Number.isInteger(x)),
    );
    const text = fc.string({ unit: "binary", maxLength: 12 });
    const value = fc.letrec<{ json: JsonValue }>((tie) => ({
      json: fc.oneof(
        { depthSize: "small" },
        number,
        text,
        fc.boolean(),
        fc.constant(null),
        fc.array(tie("json"), { maxLength: 4 }),
        fc.dictionary(text, tie("json"), { maxKeys: 4 }),
      ),
    })).json;
    const values = fc.sample(value, { numRuns: 300, seed: 4 });
    // Python gets each value as plain JSON and prints it both ways.
    const printed = JSON.parse(
      python(
        "values = json.loads(sys.stdin.read())\n" +
          "print(json.dumps([[json.dumps(v), json.dumps(v, indent=2)] for v in values]))",
        [],
        JSON.stringify(values),
      ),
    ) as [string, string][];
    values.forEach((item, i) => {
      expect(formatPythonJson(item), JSON.stringify(item)).toBe(printed[i]?.[0]);
      expect(formatPythonJson(item, { indent: 2 })).toBe(printed[i]?.[1]);
    });
  });
});
