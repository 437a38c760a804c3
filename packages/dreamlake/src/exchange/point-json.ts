import type { ColumnBatch } from "../core/column-batch.js";
import { jsonText, type JsonTextMode } from "./json-text.js";

/**
 * The points of a batch as JSON objects, `{"_ts": ..., <fields>}` in the batch's field
 * order, one text per point. A field that is null (or absent) in a point is left out of
 * it, and so is a `_ts` the point does not have.
 *
 * @param mode how values JSON cannot hold are written (`JsonTextMode`)
 * @param track names the track in an error (strict mode)
 * @throws {InvalidArgumentError} in strict mode, naming the track, the index and the field
 */
export function pointJsonTexts(batch: ColumnBatch, mode: JsonTextMode, track = ""): string[] {
  const names = Object.keys(batch.fields);
  const columns = names.map((name) => batch.fields[name] ?? []);
  const keys = names.map((name) => `,${JSON.stringify(name)}:`);
  const texts = new Array<string>(batch.count);
  for (let i = 0; i < batch.count; i++) {
    const ts = batch.timestamps[i] as number;
    let text = Number.isFinite(ts) ? `{"_ts":${String(ts)}` : "{";
    for (let k = 0; k < columns.length; k++) {
      const value = (columns[k] as readonly unknown[])[i];
      if (value === null || value === undefined) continue;
      let piece: string | undefined;
      if (typeof value === "number" && Number.isFinite(value)) piece = String(value);
      else {
        piece = jsonText(value, mode, () => {
          const index = String(batch.indexes[i]);
          return `Point ${index} of track ${JSON.stringify(track)}, field ${JSON.stringify(names[k])},`;
        });
      }
      if (piece === undefined) continue;
      text +=
        text.length === 1 ? (keys[k] as string).slice(1) + piece : (keys[k] as string) + piece;
    }
    texts[i] = `${text}}`;
  }
  return texts;
}
