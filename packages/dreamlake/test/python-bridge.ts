import { execFile, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { FieldValue } from "../src/index.js";
import { collect } from "./child-process.js";

/**
 * Runs Debian's Python (which has python3-msgpack; the `python3` on PATH may not) over the
 * scripts in test/scripts/, and converts the tagged JSON they exchange with the tests
 * (see test/scripts/python_tagged.py).
 */
export const PYTHON = "/usr/bin/python3";
const SCRIPTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "scripts");
const run = promisify(execFile);

/** Runs `test/scripts/<script>` and returns its stdout. */
export async function runPython(
  script: string,
  args: readonly string[],
  input?: string,
): Promise<string> {
  if (input === undefined) {
    const { stdout } = await run(PYTHON, [path.join(SCRIPTS, script), ...args], {
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  }
  const child = spawnPython(script, args);
  const output = collect(child);
  child.stdin.end(input);
  return output;
}

/** Starts `test/scripts/<script>` and leaves it running. */
export function spawnPython(
  script: string,
  args: readonly string[],
): ChildProcessWithoutNullStreams {
  return spawn(PYTHON, [path.join(SCRIPTS, script), ...args]);
}

/** A value in tagged JSON, as the Python scripts read and write it. */
export type Tagged =
  | null
  | boolean
  | number
  | string
  | Tagged[]
  | { $float: string }
  | { $int: string }
  | { $bytes: string }
  | { $map: [string, Tagged][] };

/**
 * Tags a value the way Python sees what our writer writes: a safe whole number is an int,
 * any other number a float (by its IEEE bits), a bigint an int.
 */
export function toTagged(value: FieldValue | undefined): Tagged {
  if (value === undefined || value === null) return null;
  if (typeof value === "number") {
    if (Number.isSafeInteger(value) && !Object.is(value, -0)) return value;
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value);
    return { $float: Buffer.from(bytes).toString("hex") };
  }
  if (typeof value === "bigint") {
    return value >= -(2n ** 53n) && value <= 2n ** 53n ? Number(value) : { $int: String(value) };
  }
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString("hex") };
  if (Array.isArray(value)) return (value as readonly FieldValue[]).map(toTagged);
  const map = value as { readonly [key: string]: FieldValue };
  return { $map: Object.keys(map).map((key) => [key, toTagged(map[key])]) };
}

/** Turns tagged JSON back into the values our reader gives for the same msgpack. */
export function fromTagged(value: Tagged): FieldValue {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(fromTagged);
  if ("$float" in value) {
    return new DataView(Uint8Array.from(Buffer.from(value.$float, "hex")).buffer).getFloat64(0);
  }
  if ("$int" in value) {
    const big = BigInt(value.$int);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(big)
      : big;
  }
  if ("$bytes" in value) return Uint8Array.from(Buffer.from(value.$bytes, "hex"));
  const out: { [key: string]: FieldValue } = {};
  for (const [key, item] of value.$map) {
    Object.defineProperty(out, key, {
      value: fromTagged(item),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** The rows of a track's data.msgpack as the Python SDK 0.4.0 decodes them. */
export async function pythonReadsTrack(
  dataFile: string,
): Promise<{ rows: FieldValue[]; tsTypes: string[] }> {
  const output = JSON.parse(await runPython("python_decode_track.py", [dataFile])) as {
    rows: Tagged[];
    tsTypes: string[];
  };
  return { rows: output.rows.map(fromTagged), tsTypes: output.tsTypes };
}
