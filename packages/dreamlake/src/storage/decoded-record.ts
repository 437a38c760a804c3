import type { PointValue, TrackData } from "../core/point.js";
import { isColumnar } from "./record-codec.js";
import { copyDecoded, holdsObjects, rowMakerFor, type RowMaker } from "./row-maker.js";

/**
 * One record as decoded from `data.msgpack`, with its points built only when asked for:
 * a time read looks at the `_ts` list of a 4,096-point record and builds the few points it
 * returns, instead of 4,096 objects.
 */
export class DecodedRecord {
  /** Number of points. */
  readonly count: number;
  readonly #columns: readonly (readonly PointValue[])[];
  readonly #timestamps: readonly PointValue[] | undefined;
  readonly #row: TrackData | undefined;
  readonly #makeRow: RowMaker | undefined;

  constructor(map: { readonly [key: string]: PointValue }) {
    if (isColumnar(map)) {
      const keys = Object.keys(map);
      this.#columns = keys.map((key) => map[key] as readonly PointValue[]);
      this.count = this.#columns[0]?.length ?? 0;
      const timestamps = map["_ts"];
      this.#timestamps = Array.isArray(timestamps)
        ? (timestamps as readonly PointValue[])
        : undefined;
      this.#row = undefined;
      this.#makeRow = rowMakerFor(keys, this.#columns.map(holdsObjects));
    } else {
      this.#columns = [];
      this.count = 1;
      this.#timestamps = undefined;
      this.#row = map;
      this.#makeRow = undefined;
    }
  }

  /** The `_ts` of point `i` as stored (a number for everything dreamlake writes). */
  tsAt(i: number): PointValue | undefined {
    if (this.#row !== undefined) return this.#row["_ts"];
    return this.#timestamps?.[i];
  }

  /**
   * Point `i` as an object: a new one on every call, sharing nothing with this record, so
   * that a caller changing what a read returned does not change what later reads return
   * (the record cache keeps this record).
   */
  rowAt(i: number): TrackData {
    if (this.#row !== undefined) return copyDecoded(this.#row as PointValue) as TrackData;
    return (this.#makeRow as RowMaker)(this.#columns, i);
  }
}
