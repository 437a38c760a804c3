import {
  InvalidArgumentError,
  LimitExceededError,
  PointColumns,
  describeValue,
  type TimestampResolver,
} from "dreamlake/engine";

/**
 * Validates the columns of one `append-batch` request sent as `COLUMNS_CONTENT_TYPE` and
 * makes them the points to store, without an object per point. The checks are those of the
 * row form (`acceptJsonPoints`) and of the SDK's `appendColumns`: every column is an array
 * and all have one length (1 to `maxPoints`), names and strings hold no lone UTF-16
 * surrogate, values nest at most 64 levels. A `null` in a field's column means the point
 * lacks the field, as a field left out of a point of the row form does. The `_ts` column
 * (optional) follows the session's rules: absent or null gets the server's time, `-1`
 * inherits, anything else must be a finite number >= 0.
 *
 * The columns come from `JSON.parse` and belong to this request: their nulls are replaced
 * in place.
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
  const where = "request body.columns";
  // for-in: objects from JSON.parse have no inherited enumerable fields.
  for (const name in columns) {
    const column = columns[name];
    if (!Array.isArray(column)) {
      throw new InvalidArgumentError(
        `${where}.${name} must be an array of values, got ${describeValue(column)}`,
      );
    }
    if (column.length > maxPoints) {
      throw new LimitExceededError(
        `${where}.${name} holds ${column.length} points; at most ${maxPoints} are allowed per request (DREAMLAKE_MAX_POINTS_PER_REQUEST)`,
        { details: { limit: maxPoints, given: column.length } },
      );
    }
    if (name !== "_ts") absentForNull(column as unknown[]);
  }
  return PointColumns.fromColumnsInput(columns, (ts) => timestamps.resolve(ts), undefined, where);
}

/** Makes each null of a field's column absent (`undefined`): the point lacks the field. */
function absentForNull(column: unknown[]): void {
  for (let i = 0; i < column.length; i++) if (column[i] === null) column[i] = undefined;
}
