const ISO_UTC =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|\+00:00|\+0000)?$/;

/**
 * Seconds since the epoch of an ISO-8601 UTC timestamp as the Python SDK writes them
 * (`2026-11-26T15:01:43.959357Z`, microseconds optional, `Z` optional), keeping the
 * microseconds that `Date.parse` would drop.
 *
 * @returns `undefined` when `text` is not such a timestamp
 */
export function secondsFromIso(text: string): number | undefined {
  const match = ISO_UTC.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const millis = Date.UTC(year, month - 1, day, hour, minute, second);
  if (Number.isNaN(millis)) return undefined;
  const fraction = match[7] === undefined ? 0 : Number(`0.${match[7]}`);
  return millis / 1000 + fraction;
}
