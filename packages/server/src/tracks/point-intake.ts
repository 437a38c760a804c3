import { checkPoint, type TimestampResolver, type TrackPoint } from "dreamlake/engine";

/**
 * Validates and copies the points of one request the way the SDK's `append` does
 * (`checkPoint`: plain objects of storable values, at most 64 levels deep), then resolves
 * each `_ts` with the session's rules: absent or null gets the server's time, `-1`
 * inherits, anything else must be a finite number >= 0.
 *
 * @param where names the array in messages, such as `dataPoints`
 * @throws {InvalidArgumentError} naming the point index and the field
 */
export function acceptPoints(
  raw: readonly unknown[],
  where: string,
  timestamps: TimestampResolver,
): TrackPoint[] {
  const points: TrackPoint[] = new Array<TrackPoint>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const point = checkPoint(raw[i], `${where}[${i}]`);
    try {
      point["_ts"] = timestamps.resolve(point["_ts"]);
    } catch (error: unknown) {
      if (error instanceof Error) error.message = `${where}[${i}]: ${error.message}`;
      throw error;
    }
    points[i] = point as TrackPoint;
  }
  return points;
}
