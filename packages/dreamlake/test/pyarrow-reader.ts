import { execFile } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCRIPT = path.join(HERE, "..", "..", "..", "scripts", "python-clients.sh");

/** What pyarrow read from one Parquet file (`test/python/read_parquet.py`). */
export type ParquetReading = {
  /** Arrow type of each column, as pyarrow prints it (`int64`, `struct<x: double>`). */
  readonly schema: Record<string, string>;
  /** Physical and logical Parquet type of each leaf column, by dotted path. */
  readonly physical: Record<string, { readonly physical: string; readonly logical: string }>;
  readonly metadata: Record<string, string>;
  /** Rows in each row group. */
  readonly rowGroups: readonly number[];
  /** Rows as pyarrow's to_pylist() gives them (timestamps as ISO text, bytes as `{ base64 }`). */
  readonly rows: readonly Record<string, unknown>[];
};

let python: Promise<string> | undefined;

/** The python of the venv with pyarrow that scripts/python-clients.sh makes (cached). */
export function pyarrowPython(): Promise<string> {
  python ??= run("bash", [SCRIPT, "pyarrow"], { timeout: 10 * 60_000 }).then(
    ({ stdout }) => stdout.trim().split(" ")[2] ?? "",
  );
  return python;
}

/** Reads Parquet files with pyarrow (every row, or with `lastRows` the last ones only). */
export async function readParquet(
  files: readonly string[],
  lastRows?: number,
): Promise<Record<string, ParquetReading>> {
  const last = lastRows === undefined ? [] : [`--last=${lastRows}`];
  const { stdout } = await run(
    await pyarrowPython(),
    [path.join(HERE, "python", "read_parquet.py"), ...last, ...files],
    { maxBuffer: 1024 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as Record<string, ParquetReading>;
}

/** Reads a CSV (Python's csv module) or JSON Lines (Python's json) file. */
export async function readTextExport(kind: "csv" | "jsonl", file: string): Promise<unknown> {
  const { stdout } = await run(
    await pyarrowPython(),
    [path.join(HERE, "python", "read_text_exports.py"), kind, file],
    { maxBuffer: 1024 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as unknown;
}
