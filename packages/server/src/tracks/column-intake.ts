import { Buffer } from "node:buffer";
import {
  InvalidArgumentError,
  LimitExceededError,
  PointColumns,
  describeValue,
  type TimestampResolver,
} from "dreamlake/engine";

const WHERE = "request body.columns";

/**
 * Validates the columns of one `append-batch` request sent as `COLUMNS_CONTENT_TYPE` and
 * makes them the points to store, without an object per point. A column is an array of
 * JSON values, or `{"float64": "<base64>"}`: the little-endian IEEE 754 doubles of a
 * column of numbers, which costs no number text to write or to read. The checks are those
 * of the object form (`acceptJsonPoints`) and of the SDK's `appendColumns`: all columns have
 * one length (1 to `maxPoints`), names and strings hold no lone UTF-16 surrogate, values
 * nest at most 64 levels, numbers are finite. A `null` in a field's column means the point
 * lacks the field, as a field left out of a point of the object form does. The `_ts` column
 * (optional) follows the session's rules: absent or null gets the server's time, `-1`
 * inherits, anything else must be a finite number >= 0.
 *
 * The columns come from `JSON.parse` and belong to this request: they are replaced in
 * place (nulls made absent, `float64` columns decoded).
 *
 * @param maxPoints the points-per-request limit
 * @throws {InvalidArgumentError} naming the column and the point
 * @throws {LimitExceededError} when a column holds more than `maxPoints` values
 */
export function acceptJsonColumns(
  columns: Record<string, unknown>,
  maxPoints: number,
  timestamps: TimestampResolver,
): PointColumns {
  // for-in: objects from JSON.parse have no inherited enumerable fields. A key such as
  // `__proto__` is an own data property of theirs, so assigning it sets that property.
  for (const name in columns) {
    const column = columns[name];
    if (Array.isArray(column)) {
      checkCount(name, column.length, maxPoints);
      if (name !== "_ts") absentForNull(column as unknown[]);
    } else if (isFloat64Column(column)) {
      columns[name] = float64Values(name, column.float64, maxPoints);
    } else {
      throw new InvalidArgumentError(
        `${WHERE}.${name} must be an array of values or {"float64": "<base64>"}, got ${describeValue(column)}`,
      );
    }
  }
  return PointColumns.fromColumnsInput(columns, (ts) => timestamps.resolve(ts), undefined, WHERE);
}

function checkCount(name: string, count: number, maxPoints: number): void {
  if (count <= maxPoints) return;
  throw new LimitExceededError(
    `${WHERE}.${name} holds ${count} points; at most ${maxPoints} are allowed per request (DREAMLAKE_MAX_POINTS_PER_REQUEST)`,
    { details: { limit: maxPoints, given: count } },
  );
}

/** Makes each null of a field's column absent (`undefined`): the point lacks the field. */
function absentForNull(column: unknown[]): void {
  for (let i = 0; i < column.length; i++) if (column[i] === null) column[i] = undefined;
}

function isFloat64Column(value: unknown): value is { readonly float64: string } {
  if (typeof value !== "object" || value === null) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === "float64";
}

/**
 * The doubles of a `float64` column.
 *
 * @throws {InvalidArgumentError} when the text is not base64 of whole 8-byte values, or a
 *   value is NaN or infinite
 */
function float64Values(name: string, text: unknown, maxPoints: number): Float64Array {
  const where = `${WHERE}.${name}.float64`;
  if (typeof text !== "string") {
    throw new InvalidArgumentError(`${where} must be base64 text, got ${describeValue(text)}`);
  }
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const byteLength = (text.length / 4) * 3 - padding;
  checkCount(name, Math.floor(byteLength / 8), maxPoints);
  const bytes = Buffer.from(text, "base64");
  // Node's decoder skips what is not base64; the length tells that something was skipped.
  if (text.length % 4 !== 0 || bytes.byteLength !== byteLength || byteLength % 8 !== 0) {
    throw new InvalidArgumentError(
      `${where} must be base64 (RFC 4648) of 8-byte little-endian floats, got ${text.length} characters that are not`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float64Array(byteLength / 8);
  for (let i = 0; i < values.length; i++) {
    const value = view.getFloat64(i * 8, true);
    if (value - value !== 0) {
      throw new InvalidArgumentError(
        `${WHERE}.${name}, point ${i}: ${String(value)} is not a finite number`,
      );
    }
    values[i] = value;
  }
  return values;
}
