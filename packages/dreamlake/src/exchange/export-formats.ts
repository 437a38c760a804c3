import { CSV_FORMAT } from "./csv-format.js";
import { JSONL_FORMAT } from "./jsonl-format.js";
import { loadWithPackages } from "./optional-package.js";
import type { TableFormat } from "./table-format.js";

/** The formats `dreamlake export` writes. */
export const EXPORT_FORMATS = ["csv", "jsonl", "parquet", "mcap"] as const;

/** One of {@link EXPORT_FORMATS}. */
export type ExportFormatName = (typeof EXPORT_FORMATS)[number];

/** The optional packages of the Parquet writer (optional peer dependencies of dreamlake). */
export const PARQUET_PACKAGES = [
  { name: "parquet-wasm", range: "^0.8.0" },
  { name: "apache-arrow", range: "^21.2.0" },
] as const;

/**
 * The writer of a one-track-per-file format. Parquet's is loaded on first use: its
 * packages are large and optional.
 *
 * @throws {FailedPreconditionError} for Parquet when its packages are not installed
 */
export async function tableFormat(name: Exclude<ExportFormatName, "mcap">): Promise<TableFormat> {
  switch (name) {
    case "csv":
      return CSV_FORMAT;
    case "jsonl":
      return JSONL_FORMAT;
    case "parquet":
      return loadWithPackages(
        "export --format parquet",
        PARQUET_PACKAGES,
        async () => (await import("./parquet/parquet-format.js")).PARQUET_FORMAT,
      );
  }
}
