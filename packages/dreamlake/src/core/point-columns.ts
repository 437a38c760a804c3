import { describeValue } from "./describe-value.js";
import { InvalidArgumentError, LimitExceededError } from "./errors.js";
import { isPlainObject, setOwn } from "./json-value.js";
import { MAX_BATCH_POINTS } from "./limits.js";
import { assertTimestampInput } from "./timestamp-resolver.js";
import { assertWellFormedText, hasLoneSurrogate } from "./well-formed-text.js";
import { copyValue, type FieldValue, type Point, type TimedPoint } from "./point.js";

/**
 * Points kept column by column: one list per field and one list of `_ts`. This is the
 * shape they are written in (a columnar record), and keeping them so from the start
 * spares an object per point: appending a point pushes its values onto the lists.
 *
 * A column shorter than {@link count} means the missing points lack that field.
 */
export class PointColumns {
  readonly #keys: string[] = [];
  readonly #columns: (FieldValue | undefined)[][] = [];
  readonly #keyIndex = new Map<string, number>();
  /** A caller's typed array of `_ts` is kept as it is (a fixed batch), like its field columns. */
  #timestamps: number[] | ArrayLike<number> = [];
  /**
   * How many fields come before `_ts` in a point's key order: 0 for appended points
   * (`_ts` first), the first point's order for points read back or received, so that a
   * point written again keeps its fields in their order.
   */
  #fieldsBeforeTs = 0;
  /** Built from a caller's columns (which may be typed arrays): written as is, never added to or split. */
  #isFixed = false;

  /** Number of points. */
  get count(): number {
    return this.#timestamps.length;
  }

  /** Field names other than `_ts`, in first-seen order. */
  get keys(): readonly string[] {
    return this.#keys;
  }

  /** How many of {@link keys} (the first ones) come before `_ts` in a point's key order. */
  get fieldsBeforeTs(): number {
    return this.#fieldsBeforeTs;
  }

  /** The `_ts` of every point. */
  get timestamps(): ArrayLike<number> {
    return this.#timestamps;
  }

  /** The values of field `keys[i]` (shorter than `count` where points lack it). */
  column(i: number): readonly (FieldValue | undefined)[] {
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
    this.#assertGrowable();
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
          index = this.#keyIndex.get(key) ?? this.#addKey(checkedName(key, where));
        }
        position = index + 1;
        const column = columns[index] as (FieldValue | undefined)[];
        while (column.length < count) column.push(undefined);
        const type = typeof raw;
        // Numbers first: the common case pays one comparison, as before strings were checked.
        column.push(
          type === "number" || type === "boolean" || raw === null
            ? (raw as number | boolean | null)
            : type === "string" && !hasLoneSurrogate(raw as string)
              ? (raw as string)
              : copyValue(raw, where(), key, []),
        );
      }
      this.#growable().push(resolveTs(fields["_ts"]));
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
    this.#growable()[i] = ts;
  }

  /** Moves the points from position `from` on into a new instance (this one keeps the rest). */
  splitOff(from: number): PointColumns {
    this.#assertGrowable();
    const tail = new PointColumns();
    tail.#fieldsBeforeTs = this.#fieldsBeforeTs;
    for (let p = from; p < this.count; p++) {
      const row: Record<string, FieldValue | undefined> = {};
      for (let k = 0; k < this.#keys.length; k++) {
        const value = this.#columns[k]?.[p];
        // setOwn: a field named __proto__ must stay a field of the row.
        if (value !== undefined) setOwn(row, this.#keys[k] as string, value);
      }
      tail.#addChecked(row, this.#timestamps[p] as number);
    }
    this.#truncateColumns(from);
    this.#growable().length = Math.min(this.#timestamps.length, from);
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

  /** Whether some point has field `keys[i]`. */
  hasAnyValue(i: number): boolean {
    const column = this.#columns[i] ?? [];
    for (const value of column) if (value !== undefined) return true;
    return false;
  }

  /** The points as objects: the fields they have, with `_ts` in its place (see {@link fieldsBeforeTs}). */
  toPoints(): TimedPoint[] {
    const points = new Array<TimedPoint>(this.count);
    for (let p = 0; p < this.count; p++) {
      const point: Record<string, FieldValue> = {};
      for (let k = 0; k < this.#keys.length; k++) {
        if (k === this.#fieldsBeforeTs) point["_ts"] = this.#timestamps[p] as number;
        const value = this.#columns[k]?.[p];
        if (value !== undefined) setOwn(point, this.#keys[k] as string, value);
      }
      if (this.#keys.length <= this.#fieldsBeforeTs) point["_ts"] = this.#timestamps[p] as number;
      points[p] = point as TimedPoint;
    }
    return points;
  }

  /**
   * Columns of points already checked (read back, merged, or parsed by the server).
   * Their values are kept, not copied.
   *
   * @throws {InvalidArgumentError} when a point has no numeric `_ts`
   */
  static fromPoints(rows: readonly Point[]): PointColumns {
    const columns = new PointColumns();
    rows.forEach((row, i) => {
      const ts = row["_ts"];
      if (typeof ts !== "number") {
        throw new InvalidArgumentError(`Point ${i} has no numeric _ts, got ${describeValue(ts)}`);
      }
      if (i === 0) columns.#fieldsBeforeTs = fieldsBefore(row, "_ts");
      columns.#addChecked(row, ts);
    });
    return columns;
  }

  /**
   * Columns from a caller's columnar batch (`appendColumns`), without an object per point:
   * typed arrays are kept as they are (they hold numbers), plain arrays are checked value by
   * value like `append`'s fields (and copied where a value is an array, a map or bytes).
   * `_ts` values are resolved last, so a refused batch consumes no timestamp.
   *
   * @param checkField an extra check of each field value (remote mode: what JSON carries)
   * @param where names the batch in error messages
   * @throws {InvalidArgumentError} naming the column, the point and the value
   * @throws {LimitExceededError} beyond {@link MAX_BATCH_POINTS} points
   */
  static fromColumnsInput(
    input: unknown,
    resolveTs: (ts: unknown) => number,
    checkField: ((field: string, value: unknown, where: () => string) => void) | undefined,
    where: string,
  ): PointColumns {
    if (!isPlainObject(input)) {
      throw new InvalidArgumentError(
        `${where} needs an object of columns ({ _ts?, <field>: [...] }), got ${describeValue(input)}`,
      );
    }
    let count = -1;
    const names: string[] = [];
    for (const name of Object.keys(input)) {
      const column = input[name];
      if (column === undefined) continue;
      if (!isColumn(column)) {
        throw new InvalidArgumentError(
          `${where}: column ${JSON.stringify(name)} must be an array or a typed array of numbers, got ${describeValue(column)}`,
        );
      }
      if (count === -1) count = column.length;
      else if (column.length !== count) {
        throw new InvalidArgumentError(
          `${where}: every column must have the same length; ${JSON.stringify(name)} has ${column.length} values, ${JSON.stringify(names[0])} ${count}`,
        );
      }
      assertWellFormedText(name, where, `the name of column ${JSON.stringify(name)}`);
      names.push(name);
    }
    if (count < 1) {
      throw new InvalidArgumentError(`${where} needs at least one point (columns of length >= 1)`);
    }
    if (count > MAX_BATCH_POINTS) {
      throw new LimitExceededError(
        `${where} takes at most ${MAX_BATCH_POINTS} points, got ${count}`,
      );
    }
    const columns = new PointColumns();
    columns.#isFixed = true;
    let rawTimestamps: ArrayLike<unknown> | undefined;
    /** Whether every `_ts` is given (none absent or -1): they are then taken as they are. */
    let areAllGiven = false;
    for (const name of names) {
      const column = input[name] as ArrayLike<unknown>;
      if (name === "_ts") {
        areAllGiven = areTimestampsGiven(column, count, where);
        rawTimestamps = column;
        continue;
      }
      columns.#keys.push(name);
      columns.#keyIndex.set(name, columns.#keys.length - 1);
      columns.#columns.push(checkedColumn(name, column, count, checkField, where));
    }
    if (areAllGiven && rawTimestamps !== undefined) {
      const given = rawTimestamps as ArrayLike<number>;
      // A typed array is kept as it is, like the field columns (copying 10^8 of them into a
      // list cost a fifth of appendColumns' time); a plain array is copied whole.
      columns.#timestamps = Array.isArray(given) ? (given as number[]).slice(0, count) : given;
      // The session's "last timestamp" (what -1 inherits) is the batch's last.
      resolveTs(given[count - 1]);
    } else {
      const resolved = new Array<number>(count);
      for (let i = 0; i < count; i++) resolved[i] = resolveTs(rawTimestamps?.[i]);
      columns.#timestamps = resolved;
    }
    return columns;
  }

  /** The `_ts` list of points appended one by one (never a caller's batch). */
  #growable(): number[] {
    const timestamps = this.#timestamps;
    if (Array.isArray(timestamps)) return timestamps;
    throw new Error("columns built from a columnar batch are written as they are");
  }

  #assertGrowable(): void {
    // A programming error, not a user's: batch columns are written whole.
    if (this.#isFixed)
      throw new Error("columns built from a columnar batch are written as they are");
  }

  #addChecked(row: Readonly<Record<string, FieldValue | undefined>>, ts: number): void {
    const count = this.#timestamps.length;
    for (const key of Object.keys(row)) {
      const value = row[key];
      if (key === "_ts" || value === undefined) continue;
      const index = this.#keyIndex.get(key) ?? this.#addKey(key);
      const column = this.#columns[index] as (FieldValue | undefined)[];
      while (column.length < count) column.push(undefined);
      column.push(value);
    }
    this.#growable().push(ts);
  }
}

/** How many fields with a value come before `key` in `row`'s key order. */
function fieldsBefore(row: Readonly<Record<string, FieldValue | undefined>>, key: string): number {
  let count = 0;
  for (const name of Object.keys(row)) {
    if (name === key) return count;
    if (row[name] !== undefined) count++;
  }
  return count;
}

/** A new field name of an appended point, checked once per buffer (later points find it known). */
function checkedName(key: string, where: () => string): string {
  if (hasLoneSurrogate(key)) {
    assertWellFormedText(key, where(), `the name of field ${JSON.stringify(key)}`);
  }
  return key;
}

/**
 * Checks a `_ts` column and says whether every value is a timestamp as given (none absent
 * or -1, which are resolved).
 *
 * @throws {InvalidArgumentError} naming the first point whose `_ts` cannot be one
 */
function areTimestampsGiven(column: ArrayLike<unknown>, count: number, where: string): boolean {
  // A Float64Array of usual values (the common batch) is checked by a loop of its own, which
  // the engine optimizes for that one type.
  if (column instanceof Float64Array && areUsualTimestamps(column, count)) return true;
  let areAllGiven = true;
  for (let i = 0; i < count; i++) {
    const ts = column[i];
    // The usual value needs no call; anything else gets the full check and its message.
    if (typeof ts === "number" && ts >= 0 && ts < Infinity) continue;
    areAllGiven = false;
    assertTimestampInput(ts, () => `${where}, point ${i}`);
  }
  return areAllGiven;
}

/** Whether the first `count` values are all finite and not negative (NaN is not). */
function areUsualTimestamps(column: Float64Array, count: number): boolean {
  for (let i = 0; i < count; i++) {
    const ts = column[i] as number;
    if (!(ts >= 0 && ts < Infinity)) return false;
  }
  return true;
}

/** Whether a value can be a column: an array, or a typed array of numbers. */
function isColumn(value: unknown): value is ArrayLike<unknown> {
  if (Array.isArray(value)) return true;
  return (
    ArrayBuffer.isView(value) &&
    !(value instanceof DataView) &&
    !(value instanceof BigInt64Array) &&
    !(value instanceof BigUint64Array)
  );
}

/**
 * One field's values, checked. A typed array holds numbers only and is kept as it is; a
 * plain array is copied value by value (`undefined` where a point lacks the field).
 */
function checkedColumn(
  name: string,
  column: ArrayLike<unknown>,
  count: number,
  checkField: ((field: string, value: unknown, where: () => string) => void) | undefined,
  where: string,
): (FieldValue | undefined)[] {
  if (!Array.isArray(column)) {
    const numbers = column as ArrayLike<number>;
    if (checkField !== undefined) {
      for (let i = 0; i < count; i++) checkField(name, numbers[i], () => `${where}, point ${i}`);
    }
    // A typed array reads like a list of numbers; it is not changed by anything here.
    return numbers as unknown as (FieldValue | undefined)[];
  }
  const out = new Array<FieldValue | undefined>(count);
  for (let i = 0; i < count; i++) {
    const raw: unknown = column[i];
    const type = typeof raw;
    checkField?.(name, raw, () => `${where}, point ${i}`);
    if (type === "string" && hasLoneSurrogate(raw as string)) {
      assertWellFormedText(
        raw as string,
        `${where}, point ${i}`,
        `the value of field ${JSON.stringify(name)}`,
      );
    }
    out[i] =
      raw === undefined ||
      type === "number" ||
      type === "string" ||
      type === "boolean" ||
      raw === null
        ? (raw as FieldValue | undefined)
        : copyValue(raw, `${where}, point ${i}`, name, []);
  }
  return out;
}
