import { describeValue } from "./describe-value.js";
import { InvalidArgumentError } from "./errors.js";
import { setOwn } from "./json-value.js";
import { copyValue, type PointValue, type TrackData, type TrackPoint } from "./point.js";

/** A column entry: a value, or `undefined` where the point has no such field. */
export type ColumnValue = PointValue | undefined;

/**
 * Points kept column by column: one list per field and one list of `_ts`. This is the
 * shape they are written in (a columnar record), and keeping them so from the start
 * spares an object per point: appending a point pushes its values onto the lists.
 *
 * A column shorter than {@link count} means the missing points lack that field.
 */
export class PointColumns {
  readonly #keys: string[] = [];
  readonly #columns: ColumnValue[][] = [];
  readonly #keyIndex = new Map<string, number>();
  readonly #timestamps: number[] = [];

  /** Number of points. */
  get count(): number {
    return this.#timestamps.length;
  }

  /** Field names other than `_ts`, in first-seen order. */
  get keys(): readonly string[] {
    return this.#keys;
  }

  /** The `_ts` of every point. */
  get timestamps(): readonly number[] {
    return this.#timestamps;
  }

  /** The values of field `keys[i]` (shorter than `count` where points lack it). */
  column(i: number): readonly ColumnValue[] {
    return this.#columns[i] ?? [];
  }

  /**
   * Adds one point: checks and copies its fields (all but `_ts`) onto the columns, and
   * its `_ts`. When a field cannot be stored, nothing is added.
   *
   * @param fields a plain object (checked by the caller with `assertPointObject`)
   * @param resolveTs gives the point's `_ts`; called once every field was accepted, so a
   * refused point consumes no timestamp
   * @param where names the point in error messages (called only to build one)
   * @throws {InvalidArgumentError} naming the field that cannot be stored
   */
  add(
    fields: Readonly<Record<string, unknown>>,
    resolveTs: (ts: unknown) => number,
    where: () => string,
  ): void {
    const count = this.#timestamps.length;
    const keys = this.#keys;
    const columns = this.#columns;
    let position = 0;
    try {
      for (const key in fields) {
        if (key === "_ts") continue;
        const raw = fields[key];
        if (raw === undefined) continue;
        // Points of one track usually share their key order: try the same position first.
        let index: number | undefined = keys[position] === key ? position : undefined;
        if (index === undefined) {
          // The caller checked the prototype is Object's or null; skip what a polluted
          // Object.prototype would add.
          if (!Object.hasOwn(fields, key)) continue;
          index = this.#keyIndex.get(key) ?? this.#addKey(key);
        }
        position = index + 1;
        const column = columns[index] as ColumnValue[];
        while (column.length < count) column.push(undefined);
        const type = typeof raw;
        column.push(
          type === "number" || type === "string" || type === "boolean" || raw === null
            ? (raw as number | string | boolean | null)
            : copyValue(raw, where(), key, []),
        );
      }
      this.#timestamps.push(resolveTs(fields["_ts"]));
    } catch (error: unknown) {
      this.#truncateColumns(count);
      throw error;
    }
  }

  #addKey(key: string): number {
    const index = this.#keys.length;
    this.#keys.push(key);
    this.#columns.push([]);
    this.#keyIndex.set(key, index);
    return index;
  }

  #truncateColumns(count: number): void {
    for (const column of this.#columns) if (column.length > count) column.length = count;
  }

  /** Sets the `_ts` of point `i` (a batch resolves its timestamps once every point was accepted). */
  setTimestamp(i: number, ts: number): void {
    this.#timestamps[i] = ts;
  }

  /** Moves the points from position `from` on into a new instance (this one keeps the rest). */
  splitOff(from: number): PointColumns {
    const tail = new PointColumns();
    for (let p = from; p < this.count; p++) {
      const row: Record<string, ColumnValue> = {};
      for (let k = 0; k < this.#keys.length; k++) {
        const value = this.#columns[k]?.[p];
        // setOwn: a field named __proto__ must stay a field of the row.
        if (value !== undefined) setOwn(row, this.#keys[k] as string, value);
      }
      tail.#addChecked(row, this.#timestamps[p] as number);
    }
    this.#truncateColumns(from);
    this.#timestamps.length = Math.min(this.#timestamps.length, from);
    return tail;
  }

  /** Whether every `_ts` is larger than the one before, so a flush has nothing to merge. */
  isStrictlyIncreasing(): boolean {
    const timestamps = this.#timestamps;
    for (let i = 1; i < timestamps.length; i++) {
      if (!((timestamps[i] as number) > (timestamps[i - 1] as number))) return false;
    }
    return true;
  }

  /** Whether some point in `[start, end)` has field `keys[i]`. */
  hasValueIn(i: number, start: number, end: number): boolean {
    const column = this.#columns[i] ?? [];
    const last = Math.min(end, column.length);
    for (let p = start; p < last; p++) if (column[p] !== undefined) return true;
    return false;
  }

  /** The points as objects (`_ts` first, then the fields they have). */
  toRows(): TrackPoint[] {
    const rows = new Array<TrackPoint>(this.count);
    for (let p = 0; p < this.count; p++) {
      const row: Record<string, PointValue> = { _ts: this.#timestamps[p] as number };
      for (let k = 0; k < this.#keys.length; k++) {
        const value = this.#columns[k]?.[p];
        if (value === undefined) continue;
        const key = this.#keys[k] as string;
        if (key === "__proto__") {
          Object.defineProperty(row, key, {
            value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        } else {
          row[key] = value;
        }
      }
      rows[p] = row as TrackPoint;
    }
    return rows;
  }

  /**
   * Columns of points already checked (read back, merged, or parsed by the server).
   * Their values are kept, not copied.
   *
   * @throws {InvalidArgumentError} when a point has no numeric `_ts`
   */
  static fromRows(rows: readonly TrackData[]): PointColumns {
    const columns = new PointColumns();
    rows.forEach((row, i) => {
      const ts = row["_ts"];
      if (typeof ts !== "number") {
        throw new InvalidArgumentError(`Point ${i} has no numeric _ts, got ${describeValue(ts)}`);
      }
      columns.#addChecked(row, ts);
    });
    return columns;
  }

  #addChecked(row: Readonly<Record<string, ColumnValue>>, ts: number): void {
    const count = this.#timestamps.length;
    for (const key of Object.keys(row)) {
      const value = row[key];
      if (key === "_ts" || value === undefined) continue;
      const index = this.#keyIndex.get(key) ?? this.#addKey(key);
      const column = this.#columns[index] as ColumnValue[];
      while (column.length < count) column.push(undefined);
      column.push(value);
    }
    this.#timestamps.push(ts);
  }
}
