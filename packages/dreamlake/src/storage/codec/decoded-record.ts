import type { FieldValue, Point } from "../../core/point.js";
import { timestampOf } from "../../core/timestamp-of.js";
import { isColumnar } from "./record-codec.js";
import type { IndexedPoint } from "../../core/track-results.js";
import {
  copyDecoded,
  holdsObjects,
  pointMakerFor,
  type Column,
  type PointMakers,
} from "./point-maker.js";

/**
 * One record as decoded from `data.msgpack`, with its points built only when asked for:
 * a time read looks at the `_ts` list of a 4,096-point record and builds the few points it
 * returns, instead of 4,096 objects.
 */
export class DecodedRecord {
  /** Number of points. */
  readonly count: number;
  readonly #keys: readonly string[];
  readonly #columns: readonly Column[];
  readonly #timestamps: Column | undefined;
  readonly #point: Point | undefined;
  readonly #makers: PointMakers | undefined;

  private constructor(
    count: number,
    keys: readonly string[],
    columns: readonly Column[],
    point: Point | undefined,
    makers: PointMakers | undefined,
  ) {
    this.count = count;
    this.#keys = keys;
    this.#columns = columns;
    const timestamps = columns[keys.indexOf("_ts")];
    this.#timestamps =
      Array.isArray(timestamps) || timestamps instanceof Float64Array ? timestamps : undefined;
    this.#point = point;
    this.#makers = makers;
  }

  /**
   * The record a decoded map is: columnar (lists of equal length) or one point.
   *
   * @param isFlat the decoder found nothing but the map and its lists (no list, map or
   * bytes inside them, see `MsgpackReader.objectsRead`): its columns are not looked at again
   * for values to copy (that look took about a tenth of a process's first newest-10 read)
   */
  static fromMap(map: { readonly [key: string]: FieldValue }, isFlat = false): DecodedRecord {
    if (!isColumnar(map)) return new DecodedRecord(1, [], [], map, undefined);
    const keys = Object.keys(map);
    const columns = keys.map((key) => map[key] as readonly FieldValue[]);
    const makers = pointMakerFor(keys, isFlat ? keys.map(() => false) : columns.map(holdsObjects));
    return new DecodedRecord(columns[0]?.length ?? 0, keys, columns, undefined, makers);
  }

  /**
   * A columnar record from columns its caller decoded (of one length, at least one point),
   * knowing which hold only numbers: those are not looked at again (a read of a few blocks
   * makes one for every read, and looking at them cost more than building its points).
   * A column of numbers may be the `Float64Array` they were decoded into: copying it into a
   * list took about a sixth of a warm read at a new place (measured at 10^8 points).
   *
   * @param isNumbers per column: whether it holds only numbers (nothing to copy)
   */
  static ofColumns(
    keys: readonly string[],
    columns: readonly Column[],
    isNumbers: readonly boolean[],
  ): DecodedRecord {
    const needsCopy = columns.map((column, k) => isNumbers[k] !== true && holdsObjects(column));
    const makers = pointMakerFor(keys, needsCopy);
    return new DecodedRecord(columns[0]?.length ?? 0, keys, columns, undefined, makers);
  }

  /** The `_ts` of point `i` as stored (a number for everything dreamlake writes). */
  tsAt(i: number): FieldValue | undefined {
    if (this.#point !== undefined) return this.#point["_ts"];
    return this.#timestamps?.[i];
  }

  /**
   * The record's fields as columns, `_ts` included: one list per field, one entry per
   * point (null where a point of a columnar record lacks the field). The lists are the
   * record's own: callers read them and must not change them or hand them out.
   */
  columns(): {
    readonly keys: readonly string[];
    readonly columns: readonly (readonly FieldValue[])[];
  } {
    const point = this.#point;
    if (point === undefined) {
      // Lists, as a scan hands them out: a column of numbers read by blocks becomes one.
      const columns = this.#columns.map((column) =>
        Array.isArray(column) ? (column as readonly FieldValue[]) : Array.from(column),
      );
      return { keys: this.#keys, columns };
    }
    const keys = Object.keys(point);
    return { keys, columns: keys.map((key) => [point[key] as FieldValue]) };
  }

  /** The time of point `i` (see `timestampOf`): `undefined` when it has none. */
  timestampAt(i: number): number | undefined {
    return timestampOf(this.tsAt(i));
  }

  /**
   * Point `i` as an object: a new one on every call, sharing nothing with this record, so
   * that a caller changing what a read returned does not change what later reads return
   * (the record cache keeps this record).
   */
  pointAt(i: number): Point {
    if (this.#point !== undefined) return copyDecoded(this.#point as FieldValue) as Point;
    return (this.#makers as PointMakers).point(this.#columns, i);
  }

  /**
   * {@link pointAt} of points `from..to-1`, appended to `out` with their indexes (point `i`
   * has index `base + i`): a read's run of points in one loop.
   */
  appendIndexed(out: IndexedPoint[], from: number, to: number, base: number): void {
    if (this.#makers === undefined) {
      for (let i = from; i < to; i++) out.push({ index: base + i, data: this.pointAt(i) });
      return;
    }
    this.#makers.indexed(this.#columns, out, from, to, base);
  }
}
