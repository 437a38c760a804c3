import type { PointValue, TrackData } from "../core/point.js";
import { setOwn } from "../core/json-value.js";
import { isColumnar } from "./record-codec.js";

/**
 * One record as decoded from `data.msgpack`, with its points built only when asked for:
 * a time read looks at the `_ts` list of a 4,096-point record and builds the few points it
 * returns, instead of 4,096 objects.
 */
export class DecodedRecord {
  /** Number of points. */
  readonly count: number;
  readonly #keys: readonly string[];
  readonly #columns: readonly (readonly PointValue[])[];
  readonly #timestamps: readonly PointValue[] | undefined;
  readonly #row: TrackData | undefined;
  readonly #hasProtoKey: boolean;

  constructor(map: { readonly [key: string]: PointValue }) {
    if (isColumnar(map)) {
      this.#keys = Object.keys(map);
      this.#columns = this.#keys.map((key) => map[key] as readonly PointValue[]);
      this.count = this.#columns[0]?.length ?? 0;
      const timestamps = map["_ts"];
      this.#timestamps = Array.isArray(timestamps)
        ? (timestamps as readonly PointValue[])
        : undefined;
      this.#row = undefined;
    } else {
      this.#keys = [];
      this.#columns = [];
      this.count = 1;
      this.#timestamps = undefined;
      this.#row = map;
    }
    this.#hasProtoKey = this.#keys.includes("__proto__");
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
    if (this.#row !== undefined) return copyDecoded(this.#row) as TrackData;
    const row: { [key: string]: PointValue } = {};
    const keys = this.#keys;
    const columns = this.#columns;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k] as string;
      const value = copyDecoded((columns[k] as readonly PointValue[])[i] as PointValue);
      if (this.#hasProtoKey && key === "__proto__") {
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
    return row;
  }
}

/** A deep copy of a decoded value (scalars are returned as they are). */
function copyDecoded(value: PointValue): PointValue {
  if (typeof value !== "object" || value === null) return value;
  if (value instanceof Uint8Array) return value.slice();
  if (Array.isArray(value)) return (value as readonly PointValue[]).map(copyDecoded);
  const map = value as { readonly [key: string]: PointValue };
  const out: { [key: string]: PointValue } = {};
  for (const key of Object.keys(map)) setOwn(out, key, copyDecoded(map[key] as PointValue));
  return out;
}
