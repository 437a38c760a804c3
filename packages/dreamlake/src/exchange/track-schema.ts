import type { ColumnBatch } from "../core/column-batch.js";
import { NULL_TYPE, widenTypes, widenWithValue, type FieldType } from "./field-type.js";

/** The fields of a track and their types, in the order they first appear. */
export type TrackSchema = {
  readonly fields: ReadonlyMap<string, FieldType>;
};

/** How many points an export looks at before it settles on a first schema. */
export const SCHEMA_SAMPLE_POINTS = 65_536;

/** Learns a track's schema from its batches (see `FieldType` for the rules). */
export class SchemaBuilder {
  readonly #fields = new Map<string, FieldType>();

  /** Widens the schema with every value of the batch. */
  observe(batch: ColumnBatch): void {
    for (const name of Object.keys(batch.fields)) {
      const column = batch.fields[name] ?? [];
      let type = this.#fields.get(name) ?? NULL_TYPE;
      for (let i = 0; i < column.length; i++) type = widenWithValue(type, column[i]);
      this.#fields.set(name, type);
    }
  }

  /** Widens the schema with another one. */
  merge(schema: TrackSchema): void {
    for (const [name, type] of schema.fields) {
      const current = this.#fields.get(name);
      this.#fields.set(name, current === undefined ? type : widenTypes(current, type));
    }
  }

  /** The schema so far (a copy). */
  schema(): TrackSchema {
    return { fields: new Map(this.#fields) };
  }
}

/**
 * Whether every value of the batch fits the schema: each field is in it, and its type
 * holds each value. A batch that does not fit makes an export start again with a wider
 * schema.
 */
export function batchFits(schema: TrackSchema, batch: ColumnBatch): boolean {
  for (const name of Object.keys(batch.fields)) {
    const column = batch.fields[name] ?? [];
    const type = schema.fields.get(name);
    if (type === undefined) {
      if (column.some((value) => value !== null)) return false;
      continue;
    }
    for (let i = 0; i < column.length; i++) {
      if (widenWithValue(type, column[i]) !== type) return false;
    }
  }
  return true;
}

/** The schema of a whole scan. */
export async function inferSchema(batches: AsyncIterable<ColumnBatch>): Promise<TrackSchema> {
  const builder = new SchemaBuilder();
  for await (const batch of batches) builder.observe(batch);
  return builder.schema();
}
