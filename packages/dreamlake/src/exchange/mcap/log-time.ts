const NS_PER_SECOND = 1_000_000_000n;
const TWO_TO_32 = 4_294_967_296;

/** `_ts` (seconds) as MCAP's `log_time` (nanoseconds); 0 for a point without a usable `_ts`. */
export function logTimeOf(ts: number): bigint {
  if (!Number.isFinite(ts) || ts < 0) return 0n;
  const seconds = Math.floor(ts);
  return BigInt(seconds) * NS_PER_SECOND + BigInt(Math.round((ts - seconds) * 1e9));
}

/**
 * Orders points as their `log_time` does: `_ts` itself where it is usable, -1 where not
 * (`logTimeOf` is 0 there). `logTimeOf` never decreases as `_ts` grows, so the point of
 * the smallest key has the smallest `log_time`, and keys compare without a bigint.
 */
export function logTimeKey(ts: number): number {
  return ts >= 0 && ts < Infinity ? ts : -1;
}

/**
 * Writes `logTimeOf(ts)` as an unsigned 64-bit little-endian integer (modulo 2^64, as a
 * DataView writes a bigint) at `offset`. Until 2106 (`_ts` < 2^32) it is worked out in
 * 16- and 32-bit parts of exact doubles, without a bigint per message.
 */
export function writeLogTime(view: DataView, offset: number, ts: number): void {
  if (ts >= 0 && ts < TWO_TO_32) {
    const seconds = Math.floor(ts);
    const nanos = Math.round((ts - seconds) * 1e9);
    // ns = seconds * 1e9 + nanos, with seconds = high * 2^16 + low16. Divisions, not `%`:
    // V8 works out `%` of doubles in a C call.
    const high = Math.floor(seconds / 65_536);
    const low16 = seconds - high * 65_536;
    const highNs = high * 1e9; // < 2^46: exact; it counts in units of 2^16 ns
    const highNsHigh = Math.floor(highNs / 65_536);
    const lowPart = low16 * 1e9 + nanos + (highNs - highNsHigh * 65_536) * 65_536; // < 2^47
    const carry = Math.floor(lowPart / TWO_TO_32);
    view.setUint32(offset, lowPart - carry * TWO_TO_32, true);
    view.setUint32(offset + 4, highNsHigh + carry, true);
    return;
  }
  view.setBigUint64(offset, BigInt.asUintN(64, logTimeOf(ts)), true);
}
