import type { ColumnBatch } from "../core/column-batch.js";
import type { ByteSink } from "./byte-sink.js";
import { pointJsonTexts } from "./point-json.js";
import type { TableFormat, TableWriter } from "./table-format.js";

const encoder = new TextEncoder();

/**
 * JSON Lines: one point per line, `{"_ts": ..., <fields>}` as stored (what `appendBatch`
 * takes back). Null fields are left out; a bigint is an integer literal, bytes are base64
 * text, NaN and infinities are left out (JSON has no such number).
 */
export const JSONL_FORMAT: TableFormat = {
  extension: ".jsonl",
  needsSchema: false,
  open: (sink: ByteSink): Promise<TableWriter> =>
    Promise.resolve({
      write: async (batch: ColumnBatch) => {
        if (batch.count === 0) return;
        await sink.write(encoder.encode(`${pointJsonTexts(batch, "lenient").join("\n")}\n`));
      },
      finish: () => Promise.resolve(),
    }),
};
