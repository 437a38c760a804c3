import { Buffer } from "node:buffer";
import type { ColumnBatch } from "../core/column-batch.js";
import type { FieldValue } from "../core/point.js";
import { jsonText } from "../exchange/json-text.js";
import type { ColumnsSource } from "../remote/columns-sender.js";

/**
 * Points gathered from the local track's column batches until there are enough for a
 * request, and written as `COLUMNS_CONTENT_TYPE` bodies: `{"columns": {"_ts": [...],
 * "<field>": [...]}}`. A column of numbers is written by one `JSON.stringify` of the
 * array, or as `{"float64": "<base64>"}` when every point has a number there; `null`
 * stands where a point lacks the field (or holds null, which the object form leaves out
 * too), and in `_ts` where a point has no time (the server then gives it one, as when the
 * object form leaves `_ts` out).
 */
export class PendingColumns implements ColumnsSource {
  readonly #track: string;
  /** Index of the first point (points are consecutive: the scan has no time range). */
  #firstIndex = 0;
  readonly #timestamps: (number | null)[] = [];
  readonly #fields = new Map<string, (FieldValue | null)[]>();
  #wholeBody: string | undefined;

  constructor(track: string) {
    this.#track = track;
  }

  get count(): number {
    return this.#timestamps.length;
  }

  /** Adds the points of `batch` from its `skip`-th on. */
  add(batch: ColumnBatch, skip: number): void {
    const before = this.count;
    if (before === 0) this.#firstIndex = batch.indexes[skip] ?? 0;
    const timestamps = this.#timestamps;
    for (let i = skip; i < batch.count; i++) {
      const ts = batch.timestamps[i] as number;
      timestamps.push(Number.isFinite(ts) ? ts : null);
    }
    for (const name of Object.keys(batch.fields)) {
      const values = batch.fields[name] as readonly FieldValue[];
      let column = this.#fields.get(name);
      if (column === undefined) {
        column = new Array<FieldValue | null>(before).fill(null);
        this.#fields.set(name, column);
      }
      for (let i = skip; i < batch.count; i++) column.push(values[i] ?? null);
    }
    // Fields this batch lacks: its points have none.
    for (const column of this.#fields.values()) {
      while (column.length < timestamps.length) column.push(null);
    }
  }

  /**
   * Writes the body of every point now (while the previous request is in flight), for
   * {@link bodyOf} to give back.
   *
   * @throws {InvalidArgumentError} as {@link bodyOf}
   */
  prepareBody(): void {
    this.#wholeBody = this.#write(0, this.count);
  }

  /**
   * @throws {InvalidArgumentError} for a value JSON cannot carry (NaN, bytes, a bigint
   *   past 2^53), naming the track, the point and the field
   */
  bodyOf(start: number, count: number): string {
    if (start === 0 && count === this.count && this.#wholeBody !== undefined) {
      return this.#wholeBody;
    }
    return this.#write(start, count);
  }

  #write(start: number, count: number): string {
    const end = start + count;
    const isWhole = start === 0 && count === this.count;
    const part = <T>(column: T[]): T[] => (isWhole ? column : column.slice(start, end));
    let text = `{"columns":{"_ts":${timestampsText(part(this.#timestamps))}`;
    for (const [name, column] of this.#fields) {
      const values = part(column);
      const valuesText = this.#columnText(name, values, start);
      if (valuesText !== undefined) text += `,${JSON.stringify(name)}:${valuesText}`;
    }
    return `${text}}}`;
  }

  /**
   * One column as a JSON array, or undefined when it holds only nulls (no point has the
   * field); `first` is the position of its first value.
   */
  #columnText(
    name: string,
    values: readonly (FieldValue | null)[],
    first: number,
  ): string | undefined {
    let isPlain = true;
    let nulls = 0;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (value === null) {
        nulls++;
        continue;
      }
      // A finite number is written by JSON.stringify as it is.
      if (typeof value === "number" && value - value === 0) continue;
      isPlain = false;
      break;
    }
    if (nulls === values.length) return undefined;
    if (isPlain) {
      return nulls === 0 ? float64Text(values as readonly number[]) : JSON.stringify(values);
    }
    const texts = values.map((value, i) =>
      value === null
        ? "null"
        : (jsonText(value, "strict", () => {
            const index = String(this.#firstIndex + first + i);
            return `Point ${index} of track ${JSON.stringify(this.#track)}, field ${JSON.stringify(name)},`;
          }) ?? "null"),
    );
    return `[${texts.join(",")}]`;
  }
}

/**
 * A column of finite numbers as `{"float64": "<base64>"}`: their little-endian doubles,
 * about a tenth of the cost of number texts to write, and to read on the server.
 */
function float64Text(values: readonly number[]): string {
  const doubles = Float64Array.from(values);
  if (!IS_LITTLE_ENDIAN) {
    const view = new DataView(doubles.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i] as number, true);
  }
  return `{"float64":"${Buffer.from(doubles.buffer).toString("base64")}"}`;
}

/** The `_ts` column: null where a point has no time (the server gives it one). */
function timestampsText(timestamps: readonly (number | null)[]): string {
  return timestamps.includes(null)
    ? JSON.stringify(timestamps)
    : float64Text(timestamps as readonly number[]);
}

const IS_LITTLE_ENDIAN = new Uint8Array(Float64Array.of(1).buffer)[7] === 0x3f;
