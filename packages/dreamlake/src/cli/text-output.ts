import type { IndexedPoint } from "../core/track-results.js";
import { jsonLine } from "./json-lines.js";

/** A field value in human output: numbers and strings as they are, anything else as JSON. */
function valueText(value: unknown): string {
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  return jsonLine(value);
}

/** One point for people: `#12 _ts=1700000000.5 loss=0.25 pose=[1,2,3]`. */
export function pointText(point: IndexedPoint): string {
  const fields = Object.entries(point.data).map(([key, value]) => `${key}=${valueText(value)}`);
  return `#${point.index} ${fields.join(" ")}`;
}

/** Rows as a table with aligned columns (two spaces apart), headers first. */
export function tableText(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0),
      )
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].map((text) => `${text}\n`).join("");
}

/** A byte count for people: `512 B`, `1.5 KiB`, `3.2 MiB`, `1.1 GiB`. */
export function bytesText(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit] ?? ""}`;
}
