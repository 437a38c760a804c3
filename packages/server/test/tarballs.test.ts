/**
 * The packages as a user gets them: `npm pack` both, install the tarballs into an empty
 * project (third-party dependencies from the npm registry, through npm's cache), then
 * type-check a consumer under NodeNext, bundler and node10 resolution, run the READMEs'
 * examples as ES modules and as CommonJS, and run both commands through node_modules/.bin.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddedEnvironment } from "./embedded-environment.js";
import { listeningUrl } from "./listening-url.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const FIXTURE = path.join(ROOT, "packages", "server", "test", "fixtures", "consumer");
const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
const run = promisify(execFile);

type PackedFile = { readonly path: string; readonly size: number };
type Packed = { readonly name: string; readonly filename: string; readonly files: PackedFile[] };

let work: string;
let consumer: string;
let packed: Packed[];

/** The first code block of `language` in a package's README. */
async function readmeBlock(pkg: string, language: string): Promise<string> {
  const readme = await readFile(path.join(ROOT, "packages", pkg, "README.md"), "utf8");
  const match = new RegExp("```" + language + "\\n([\\s\\S]*?)```").exec(readme);
  if (match?.[1] === undefined) throw new Error(`no ${language} block in ${pkg}/README.md`);
  return match[1];
}

/** Runs a command in the consumer project; resolves with its exit code and output. */
function inConsumer(
  file: string,
  args: readonly string[],
  options: {
    readonly cwd?: string;
    readonly env?: Record<string, string>;
    /** Start from an environment without the tier variables `npm test` exports. */
    readonly withoutTiers?: boolean;
  } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base = options.withoutTiers === true ? embeddedEnvironment() : process.env;
  return new Promise((resolve) => {
    const child = execFile(
      file,
      [...args],
      { cwd: options.cwd ?? consumer, env: { ...base, ...options.env } },
      () => {
        resolve({ code: child.exitCode, stdout, stderr });
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  });
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "dreamlake-tarballs-"));
  consumer = path.join(work, "consumer");
  const { stdout } = await run(
    "npm",
    [
      "pack",
      "--json",
      "--pack-destination",
      work,
      "-w",
      "packages/dreamlake",
      "-w",
      "packages/server",
    ],
    { cwd: ROOT },
  );
  packed = JSON.parse(stdout) as Packed[];
  await cp(FIXTURE, consumer, { recursive: true });
  await writeFile(
    path.join(consumer, "package.json"),
    JSON.stringify({ name: "consumer", private: true }),
  );
  await writeFile(path.join(consumer, "sdk-esm.mts"), await readmeBlock("dreamlake", "ts"));
  await writeFile(path.join(consumer, "sdk-cjs.cjs"), await readmeBlock("dreamlake", "js"));
  await writeFile(path.join(consumer, "server-esm.mts"), await readmeBlock("server", "ts"));
  const rootManifest = JSON.parse(await readFile(path.join(ROOT, "package.json"), "utf8")) as {
    devDependencies: Record<string, string>;
  };
  await run(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      ...packed.map((pkg) => path.join(work, pkg.filename)),
      `@types/node@${rootManifest.devDependencies["@types/node"] ?? "20"}`,
    ],
    { cwd: consumer },
  );
}, 240_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("the tarballs", () => {
  it("hold README, LICENSE, typings and commands, and no source maps, build info or tests", () => {
    expect(packed.map((pkg) => pkg.name).sort()).toEqual(["@dreamlake/server", "dreamlake"]);
    for (const pkg of packed) {
      const files = pkg.files.map((file) => file.path);
      expect(files).toEqual(
        expect.arrayContaining(["README.md", "LICENSE", "package.json", "dist/index.d.ts"]),
      );
      expect(
        files.filter((file) => /\.map$|tsbuildinfo|\.test\.|^src\/|^test\//.test(file)),
      ).toEqual([]);
    }
    const sdk = packed.find((pkg) => pkg.name === "dreamlake")!.files.map((file) => file.path);
    expect(sdk).toEqual(
      expect.arrayContaining([
        "bin/dreamlake.js",
        "dist/engine.d.ts",
        "native/flock.c",
        "binding.gyp",
        "scripts/build-native.mjs",
      ]),
    );
    expect(sdk.filter((file) => file.startsWith("build/"))).toEqual([]);
  });

  it("install the server without a database client or an AWS SDK", async () => {
    const installed = JSON.parse(
      (await run("npm", ["ls", "--all", "--json"], { cwd: consumer })).stdout,
    ) as { dependencies: Record<string, { dependencies?: Record<string, { version?: string }> }> };
    const server = installed.dependencies["@dreamlake/server"]?.dependencies ?? {};
    // npm lists an optional peer dependency it did not install as an entry without a version.
    const present = Object.entries(server).filter(([, entry]) => entry.version !== undefined);
    const manifest = JSON.parse(
      await readFile(path.join(ROOT, "packages", "server", "package.json"), "utf8"),
    ) as { dependencies: Record<string, string> };
    expect(present.map(([name]) => name).sort()).toEqual(Object.keys(manifest.dependencies).sort());
    expect(Object.keys(manifest.dependencies)).not.toContain("pg");
    expect(existsSync(path.join(consumer, "node_modules", "pg"))).toBe(false);
    expect(existsSync(path.join(consumer, "node_modules", "@aws-sdk"))).toBe(false);
  });

  it("build the lock addon at install, for the Node.js that installed it", async () => {
    const result = await inConsumer(process.execPath, [
      "--input-type=module",
      "-e",
      'const m = await import("dreamlake/engine"); console.log(m.lockKind, m.lockAddonBuiltFor);',
    ]);
    expect(result.stdout.trim()).toBe(`flock ${process.versions.node}`);
  });
});

describe("a consumer of the installed packages", () => {
  it.each(["nodenext", "bundler", "node10"])(
    "type-checks under %s module resolution",
    async (resolution) => {
      const result = await inConsumer(process.execPath, [TSC, "-p", `tsconfig.${resolution}.json`]);
      expect(result.stdout + result.stderr).toBe("");
      expect(result.code).toBe(0);
    },
    120_000,
  );

  it("runs the SDK README's example as an ES module and as CommonJS", async () => {
    // The examples are plain JavaScript: the same text runs without a compiler.
    await cp(path.join(consumer, "sdk-esm.mts"), path.join(consumer, "sdk-esm.mjs"));
    const cwd = path.join(work, "run-sdk");
    await mkdir(cwd);
    const esm = await inConsumer(process.execPath, [path.join(consumer, "sdk-esm.mjs")], { cwd });
    expect(esm).toMatchObject({ code: 0, stdout: "1 0.5\n", stderr: "" });
    const cjs = await inConsumer(process.execPath, [path.join(consumer, "sdk-cjs.cjs")], { cwd });
    expect(cjs).toMatchObject({ code: 0, stdout: "1\n", stderr: "" });
  });

  it("runs the server README's example, and requires the server from CommonJS", async () => {
    await cp(path.join(consumer, "server-esm.mts"), path.join(consumer, "server-esm.mjs"));
    const cwd = path.join(work, "run-server");
    await mkdir(cwd);
    const esm = await inConsumer(process.execPath, [path.join(consumer, "server-esm.mjs")], {
      cwd,
    });
    expect(esm).toMatchObject({ code: 0, stdout: "200 { status: 'ok' }\n", stderr: "" });
    const cjs = await inConsumer(
      process.execPath,
      ["-e", 'console.log(typeof require("@dreamlake/server").createApp)'],
      { cwd: consumer },
    );
    expect(cjs).toMatchObject({ code: 0, stdout: "function\n", stderr: "" });
  });
});

describe("the installed commands", () => {
  const bin = (name: string): string => path.join(consumer, "node_modules", ".bin", name);

  it("dreamlake and dreamlake-server answer --help", async () => {
    const sdk = await inConsumer(bin("dreamlake"), ["--help"]);
    expect(sdk).toMatchObject({ code: 0, stderr: "" });
    expect(sdk.stdout).toContain("dreamlake demo");
    const server = await inConsumer(bin("dreamlake-server"), ["--help"]);
    expect(server).toMatchObject({ code: 0, stderr: "" });
    expect(server.stdout).toContain("dreamlake-server token <user>");
  });

  it("dreamlake-server serves in its default mode, with no tier package installed", async () => {
    const child = spawn(bin("dreamlake-server"), [], {
      cwd: path.join(work),
      env: { ...embeddedEnvironment(), PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const url = await listeningUrl(child);
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: "ok" });
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("dreamlake-server with the tiers on but pg missing says what to install, in one line", async () => {
    const result = await inConsumer(bin("dreamlake-server"), [], {
      env: {
        PORT: "0",
        DATABASE_URL: "postgres://nobody@127.0.0.1:1/none",
        DREAMLAKE_COLD_DIR: path.join(work, "cold"),
      },
      withoutTiers: true,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'dreamlake-server: DATABASE_URL (the PostgreSQL hot tier) needs the package pg, which is not installed: run npm install pg@"^8.23.1" next to @dreamlake/server\n',
    );
  });
});
