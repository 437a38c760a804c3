import type { ColumnBatch } from "../core/column-batch.js";
import type { ByteSink } from "./byte-sink.js";
import type { FieldType } from "./field-type.js";
import { base64, jsonText } from "./json-text.js";
import { INDEX_COLUMN, TS_COLUMN, type TableFormat, type TableWriter } from "./table-format.js";
import type { TrackSchema } from "./track-schema.js";

const encoder = new TextEncoder();
/** RFC 4180 ends records with CRLF. */
const NEWLINE = "\r\n";

/** One CSV column: a field, or a leaf of a nested object, by its path. */
type CsvColumn = {
  readonly name: string;
  readonly path: readonly string[];
  readonly type: FieldType;
};

/** The columns of a schema: nested objects are flattened into dotted names (`pose.x`). */
export function csvColumns(schema: TrackSchema): CsvColumn[] {
  const columns: CsvColumn[] = [];
  const add = (path: readonly string[], type: FieldType): void => {
    if (type.kind === "struct" && type.fields.size > 0) {
      for (const [key, child] of type.fields) add([...path, key], child);
      return;
    }
    columns.push({ name: path.join("."), path, type });
  };
  for (const [name, type] of schema.fields) add([name], type);
  return columns;
}

/** A cell quoted as RFC 4180 asks: when it holds a comma, a quote, CR or LF (or is empty text). */
export function csvQuote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The cell text of a value: empty for null, numbers as JavaScript prints them, lists and mixed values as JSON. */
export function csvCell(value: unknown): string {
  switch (typeof value) {
    case "number":
    case "bigint":
      return String(value);
    case "boolean":
      return value ? "true" : "false";
    case "string":
      // Quoted even when empty, so that "" (empty text) differs from an empty cell (null).
      return value === "" ? '""' : csvQuote(value);
    case "object":
    case "function":
    case "symbol":
    case "undefined":
      break;
  }
  if (value === null || value === undefined) return "";
  if (value instanceof Uint8Array) return base64(value);
  return csvQuote(jsonText(value, "lenient", () => "") ?? "");
}

/** The cell of a field of mixed types: every value as JSON text (`"a"` for the text a). */
function jsonCell(value: unknown): string {
  return csvQuote(jsonText(value, "lenient", () => "") ?? "");
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (let k = 1; k < path.length; k++) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[path[k] as string];
  }
  return value;
}

/**
 * CSV (RFC 4180): a header, then one record per point: `_index`, `_ts` (seconds, as
 * stored), then the fields. Nested objects become dotted columns (`pose.x`); lists and
 * fields of mixed types are JSON text; bytes are base64; null is an empty cell and empty
 * text is `""`. Records end with CRLF.
 */
export const CSV_FORMAT: TableFormat = {
  extension: ".csv",
  needsSchema: true,
  open: async (sink: ByteSink, schema: TrackSchema): Promise<TableWriter> => {
    const columns = csvColumns(schema);
    // A field named `_index` keeps its name; the column of the point's index is left out.
    const hasIndex = !schema.fields.has(INDEX_COLUMN);
    const header = [
      ...(hasIndex ? [INDEX_COLUMN] : []),
      TS_COLUMN,
      ...columns.map((column) => column.name),
    ];
    await sink.write(encoder.encode(header.map(csvQuote).join(",") + NEWLINE));
    return {
      write: async (batch: ColumnBatch) => {
        const sources = columns.map((column) => batch.fields[column.path[0] as string]);
        let text = "";
        for (let i = 0; i < batch.count; i++) {
          const ts = batch.timestamps[i] as number;
          if (hasIndex) text += `${String(batch.indexes[i])},`;
          text += Number.isNaN(ts) ? "" : String(ts);
          for (let c = 0; c < columns.length; c++) {
            const source = sources[c];
            const column = columns[c] as CsvColumn;
            const value = source === undefined ? undefined : source[i];
            const cell = column.path.length === 1 ? value : valueAt(value, column.path);
            text += `,${column.type.kind === "json" ? jsonCell(cell) : csvCell(cell)}`;
          }
          text += NEWLINE;
        }
        await sink.write(encoder.encode(text));
      },
      finish: () => Promise.resolve(),
    };
  },
};
