/**
 * fast-check arbitraries of the corruption suite's trials: the damage (byte flips,
 * truncations, swapped records, sidecars damaged, removed or taken from another track) and
 * the reads made after it.
 */
import fc from "fast-check";
import type { Damage, Flip, SidecarHarm } from "./damage.js";
import type { Bounds, ReadOp } from "./read-oracle.js";
import type { Trial } from "./corruption-trial.js";

// Doubles lean to the ends (first and last bytes, records); the integers spread evenly.
const fraction = fc.oneof(
  fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  fc.integer({ min: 0, max: 999_999 }).map((n) => n / 1_000_000),
);
const flip: fc.Arbitrary<Flip> = fc.record({ at: fraction, xor: fc.integer({ min: 1, max: 255 }) });
const flips = fc.array(flip, { minLength: 1, maxLength: 4 });

const sidecarHarm: fc.Arbitrary<SidecarHarm> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), flips }),
  fc.record({ kind: fc.constant("truncate" as const), at: fraction }),
  fc.record({ kind: fc.constant("remove" as const) }),
  fc.record({ kind: fc.constant("foreign" as const) }),
  fc.record({
    kind: fc.constant("zero" as const),
    at: fraction,
    length: fc.integer({ min: 1, max: 200 }),
  }),
);

/** Damage of every kind, data and sidecars about equally often. */
export const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), flips }),
  fc.record({ kind: fc.constant("truncate" as const), at: fraction }),
  fc.record({ kind: fc.constant("swap" as const), a: fraction, b: fraction }),
  fc.record({ kind: fc.constant("sidecar" as const), file: fraction, harm: sidecarHarm }),
  fc.record({
    kind: fc.constant("sidecars" as const),
    harms: fc.array(sidecarHarm, { minLength: 1, maxLength: 3 }),
  }),
);

const bounds: fc.Arbitrary<Bounds> = fc.constantFrom("both", "both", "start", "end", "none");

const readOp: fc.Arbitrary<ReadOp> = fc.oneof(
  fc.record({
    kind: fc.constant("read" as const),
    start: fraction,
    limit: fc.integer({ min: 1, max: 10_000 }),
  }),
  fc.record({
    kind: fc.constant("time" as const),
    from: fraction,
    span: fraction,
    bounds,
    limit: fc.integer({ min: 1, max: 3000 }),
    reverse: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("downsample" as const),
    from: fraction,
    span: fraction,
    bounds,
    buckets: fc.integer({ min: 1, max: 40 }),
    fields: fc.option(fc.subarray(["x", "i", "pose.p.0", "pose.q", "missing"]), {
      nil: undefined,
    }),
  }),
  fc.record({ kind: fc.constant("scan" as const), from: fraction, span: fraction, bounds }),
  fc.constant({ kind: "stats" as const }),
);

/** A trial on one of `fixtures` fixtures, without damage of the `skipped` kinds or harms. */
export function trial(
  fixtures: number,
  skipped: ReadonlySet<string> = new Set(),
): fc.Arbitrary<Trial> {
  const uses = (d: Damage): string[] =>
    d.kind === "sidecar"
      ? [d.kind, d.harm.kind]
      : d.kind === "sidecars"
        ? [d.kind, ...d.harms.map((harm) => harm.kind)]
        : [d.kind];
  return fc.record({
    fixture: fc.nat({ max: fixtures - 1 }),
    damage: damage.filter((d) => !uses(d).some((kind) => skipped.has(kind))),
    reads: fc.array(readOp, { minLength: 3, maxLength: 6 }),
  });
}
