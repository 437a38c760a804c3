/**
 * The damage the corruption suite does to a copy of a fixture's track, and what the track
 * must still hold after it. Positions are fractions (fast-check shrinks them well) turned
 * into byte offsets and record numbers of the file at hand.
 */
import { copyFile, readdir, readFile, rm, writeFile } from "node:fs/promises";
import * as path from "node:path";
import type { TrackFixture } from "./track-fixtures.js";

/** A number in [0, 1) that picks a position. */
export type Fraction = number;

/** One byte changed: `xor` (1..255) applied at a position. */
export type Flip = { readonly at: Fraction; readonly xor: number };

/** What is done to one sidecar (any file of the track folder but `data.msgpack`). */
export type SidecarHarm =
  | { readonly kind: "flip"; readonly flips: readonly Flip[] }
  | { readonly kind: "truncate"; readonly at: Fraction }
  | { readonly kind: "remove" }
  /** Replaced by the lockstep sibling's file of the same name (another file's sidecar). */
  | { readonly kind: "foreign" }
  | { readonly kind: "zero"; readonly at: Fraction; readonly length: number };

/** One trial's damage. */
export type Damage =
  /** Bytes of `data.msgpack` changed, where the index describes them. */
  | { readonly kind: "flip"; readonly flips: readonly Flip[] }
  /** `data.msgpack` cut at a byte. */
  | { readonly kind: "truncate"; readonly at: Fraction }
  /** Two records of `data.msgpack` trade places (what lies between moves when their lengths differ). */
  | { readonly kind: "swap"; readonly a: Fraction; readonly b: Fraction }
  /** One sidecar harmed. */
  | { readonly kind: "sidecar"; readonly file: Fraction; readonly harm: SidecarHarm }
  /** Every sidecar harmed (harm `i` modulo the list for the `i`-th file). */
  | { readonly kind: "sidecars"; readonly harms: readonly SidecarHarm[] };

/** What the damaged track must still give. */
export type DamageOutcome = {
  /** What was done, for a failure's message. */
  readonly description: string;
  /** The original points the track holds: the first `kept` (all but a cut tail). */
  readonly kept: number;
  /** Records (by number) whose bytes changed or moved: reads of them may fail. */
  readonly touched: ReadonlySet<number>;
  /** Whether `data.msgpack` is as it was (only sidecars were harmed). */
  readonly isDataIntact: boolean;
};

/** The kind of a damage, for counting trials. */
export function damageKind(damage: Damage): string {
  if (damage.kind === "sidecar") return `sidecar ${damage.harm.kind}`;
  return damage.kind;
}

/**
 * Damages the track in `folder` (a copy of `fixture`'s track `t`); `sibling` is the folder
 * of the copy's track `u`.
 */
export async function applyDamage(
  fixture: TrackFixture,
  folder: string,
  sibling: string,
  damage: Damage,
): Promise<DamageOutcome> {
  const dataPath = path.join(folder, "data.msgpack");
  switch (damage.kind) {
    case "flip": {
      const bytes = new Uint8Array(await readFile(dataPath));
      const original = bytes.slice();
      const positions = damage.flips.map((flip) => {
        const at = Math.floor(flip.at * fixture.describedBytes);
        bytes[at] = (bytes[at] as number) ^ flip.xor;
        return at;
      });
      await writeFile(dataPath, bytes);
      // Flips of one byte can undo each other: only bytes that differ in the end are damage.
      const changed = positions.filter((at) => bytes[at] !== original[at]);
      const touched = new Set(
        changed.map((at) =>
          fixture.records.findIndex((r) => at >= r.offset && at < r.offset + r.length),
        ),
      );
      return {
        description: `data.msgpack: ${damage.flips
          .map((flip, i) => `byte ${positions[i]} ^= 0x${flip.xor.toString(16)}`)
          .join(", ")}`,
        kept: fixture.points.length,
        touched,
        isDataIntact: changed.length === 0,
      };
    }
    case "truncate": {
      const cut = Math.floor(damage.at * fixture.dataBytes);
      const bytes = await readFile(dataPath);
      await writeFile(dataPath, bytes.subarray(0, cut));
      // A record whose map is whole is read even without its 0x0A.
      const whole = fixture.records.filter((r) => r.offset + r.length - 1 <= cut);
      const last = whole[whole.length - 1];
      return {
        description: `data.msgpack cut at byte ${cut} of ${fixture.dataBytes}`,
        kept: last === undefined ? 0 : last.firstIndex + last.count,
        touched: new Set(),
        isDataIntact: false,
      };
    }
    case "swap": {
      const described = fixture.records.filter(
        (r) => r.offset + r.length <= fixture.describedBytes,
      );
      let a = Math.floor(damage.a * described.length);
      let b = Math.floor(damage.b * described.length);
      if (a === b) b = a + 1 < described.length ? a + 1 : a - 1;
      if (b < a) [a, b] = [b, a];
      const first = described[a];
      const second = described[b];
      if (first === undefined || second === undefined) throw new Error("too few records");
      const bytes = new Uint8Array(await readFile(dataPath));
      const out = new Uint8Array(bytes.byteLength);
      out.set(bytes.subarray(0, first.offset), 0);
      let at = first.offset;
      for (const part of [
        bytes.subarray(second.offset, second.offset + second.length),
        bytes.subarray(first.offset + first.length, second.offset),
        bytes.subarray(first.offset, first.offset + first.length),
        bytes.subarray(second.offset + second.length),
      ]) {
        out.set(part, at);
        at += part.byteLength;
      }
      await writeFile(dataPath, out);
      const touched = new Set<number>();
      for (let r = a; r <= b; r++) {
        if (first.length !== second.length || r === a || r === b) touched.add(r);
      }
      return {
        description: `data.msgpack: records ${a} and ${b} swapped (${first.length} and ${second.length} bytes)`,
        kept: fixture.points.length,
        touched,
        isDataIntact: false,
      };
    }
    case "sidecar": {
      const files = await sidecarsOf(folder);
      const name = files[Math.floor(damage.file * files.length)] as string;
      const done = await harm(folder, sibling, name, damage.harm);
      return intactData(fixture, done);
    }
    case "sidecars": {
      const files = await sidecarsOf(folder);
      const done: string[] = [];
      for (const [i, name] of files.entries()) {
        const which = damage.harms[i % damage.harms.length] as SidecarHarm;
        done.push(await harm(folder, sibling, name, which));
      }
      return intactData(fixture, done.join("; "));
    }
  }
}

function intactData(fixture: TrackFixture, description: string): DamageOutcome {
  return { description, kept: fixture.points.length, touched: new Set(), isDataIntact: true };
}

/** Every file of a track folder but the data file, sorted: the sidecars, whatever they are. */
async function sidecarsOf(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name !== "data.msgpack")
    .map((entry) => entry.name)
    .sort();
}

async function harm(
  folder: string,
  sibling: string,
  name: string,
  what: SidecarHarm,
): Promise<string> {
  const file = path.join(folder, name);
  switch (what.kind) {
    case "remove":
      await rm(file);
      return `${name} removed`;
    case "foreign": {
      try {
        await copyFile(path.join(sibling, name), file);
        return `${name} replaced by the sibling track's`;
      } catch {
        await rm(file);
        return `${name} removed (the sibling has none)`;
      }
    }
    case "truncate": {
      const bytes = await readFile(file);
      const cut = Math.floor(what.at * bytes.byteLength);
      await writeFile(file, bytes.subarray(0, cut));
      return `${name} cut at byte ${cut} of ${bytes.byteLength}`;
    }
    case "zero": {
      const bytes = new Uint8Array(await readFile(file));
      const at = Math.floor(what.at * bytes.byteLength);
      bytes.fill(0, at, Math.min(bytes.byteLength, at + what.length));
      await writeFile(file, bytes);
      return `${name}: ${what.length} bytes zeroed at ${at}`;
    }
    case "flip": {
      const bytes = new Uint8Array(await readFile(file));
      if (bytes.byteLength === 0) {
        await writeFile(file, new Uint8Array([what.flips[0]?.xor ?? 1]));
        return `${name}: a byte written into the empty file`;
      }
      const positions = what.flips.map((flip) => {
        const at = Math.floor(flip.at * bytes.byteLength);
        bytes[at] = (bytes[at] as number) ^ flip.xor;
        return at;
      });
      await writeFile(file, bytes);
      return `${name}: bytes ${positions.join(", ")} changed`;
    }
  }
}
