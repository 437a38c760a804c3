import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeFileSystem } from "../node/node-file-system.js";
import { chainEntry, FLAG_SORTED, FLAG_UNTIMED, type IndexEntry } from "./index-entry.js";
import { IndexFile } from "./index-file.js";
import { TrackIndex } from "./track-index.js";

// The index read a page at a time from its file (plus entries in memory) answers its
// searches as a linear look over the entries would, whatever the pages and the guesses.

type RecordSpec = { count: number; minTs: number; span: number; isSorted: boolean; gap: number };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "dreamlake-index-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function entriesOf(specs: readonly RecordSpec[]): IndexEntry[] {
  let offset = 0;
  let firstIndex = 0;
  let previous: IndexEntry | undefined;
  return specs.map((spec) => {
    offset += spec.gap;
    const entry = chainEntry(previous, {
      offset,
      length: 10 + spec.count,
      count: spec.count,
      firstIndex,
      minTs: spec.minTs,
      maxTs: spec.minTs + spec.span,
      dataCrc: 0,
      flags: spec.isSorted ? FLAG_SORTED : 0,
      summaryOffset: 0,
      summaryLength: 0,
    });
    offset += entry.length;
    firstIndex += spec.count;
    previous = entry;
    return entry;
  });
}

let files = 0;
/** An index whose first `inFile` entries are in a real index file, the rest in memory. */
async function indexOf(entries: readonly IndexEntry[], inFile: number): Promise<TrackIndex> {
  const file = new IndexFile(new NodeFileSystem(), path.join(dir, `idx-${files++}`));
  await file.write(entries.slice(0, inFile), 0, false);
  const index = new TrackIndex(file);
  index.useFile(inFile, entries[inFile - 1]);
  for (const entry of entries.slice(inFile)) index.push(entry);
  return index;
}

const ordered = fc
  .array(fc.record({ count: fc.integer({ min: 1, max: 4 }), step: fc.nat(3), span: fc.nat(3) }), {
    minLength: 1,
    maxLength: 700,
  })
  .map((steps) => {
    let at = 0;
    return steps.map((s) => {
      at += s.step;
      const spec = { count: s.count, minTs: at, span: s.span, isSorted: true, gap: 0 };
      at += s.span;
      return spec;
    });
  });

describe("TrackIndex", () => {
  it("finds the record of any point, and the first and last records of a time range", async () => {
    await fc.assert(
      fc.asyncProperty(
        ordered,
        fc.nat(700),
        fc.array(fc.integer({ min: -2, max: 3000 }), { maxLength: 8 }),
        async (specs, split, probes) => {
          const entries = entriesOf(specs);
          const index = await indexOf(entries, Math.min(split, entries.length));
          expect(index.size).toBe(entries.length);
          expect(index.isTimeOrdered).toBe(true);
          const total = entries.reduce((sum, e) => sum + e.count, 0);
          expect(index.totalPoints).toBe(total);
          for (const point of [-1, 0, total - 1, total, ...probes]) {
            const linear = entries.findIndex(
              (e) => e.firstIndex <= point && point < e.firstIndex + e.count,
            );
            expect(await index.recordOfPoint(point)).toBe(linear);
          }
          for (const ts of probes) {
            const firstEnding = entries.findIndex((e) => e.maxTs >= ts);
            expect(await index.firstEndingAtOrAfter(ts)).toBe(
              firstEnding === -1 ? entries.length : firstEnding,
            );
            expect(await index.lastStartingBefore(ts)).toBe(
              entries.map((e) => e.minTs < ts).lastIndexOf(true),
            );
          }
          for (const i of [0, entries.length - 1, Math.floor(entries.length / 2)]) {
            expect(await index.entry(i)).toEqual(entries[i]);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("gives every entry once when walked a page at a time, from the file and from memory", async () => {
    await fc.assert(
      fc.asyncProperty(ordered, fc.nat(700), fc.nat(700), async (specs, split, from) => {
        const entries = entriesOf(specs);
        const index = await indexOf(entries, Math.min(split, entries.length));
        const start = Math.min(from, entries.length - 1);
        const walked: IndexEntry[] = [];
        while (start + walked.length < index.size) {
          const run = await index.entriesFrom(start + walked.length);
          expect(run.length).toBeGreaterThan(0);
          walked.push(...run);
        }
        expect(walked).toEqual(entries.slice(start));
        await expect(index.entriesFrom(entries.length)).rejects.toThrow(RangeError);
      }),
      { numRuns: 30 },
    );
  });

  it("keeps a prefix when cut, from the file or from memory", async () => {
    await fc.assert(
      fc.asyncProperty(ordered, fc.nat(700), fc.nat(700), async (specs, split, cut) => {
        const entries = entriesOf(specs);
        const index = await indexOf(entries, Math.min(split, entries.length));
        const kept = Math.min(cut, entries.length);
        await index.truncate(kept);
        expect(index.size).toBe(kept);
        expect(index.last).toEqual(entries[kept - 1]);
        expect(index.totalPoints).toBe(entries.slice(0, kept).reduce((sum, e) => sum + e.count, 0));
      }),
      { numRuns: 30 },
    );
  });

  it("is not time-ordered once a record has points without _ts, and says so from its last entry", async () => {
    const [first] = entriesOf([{ count: 2, minTs: 1, span: 1, isSorted: true, gap: 0 }]);
    const untimed = chainEntry(first, {
      offset: 12,
      length: 5,
      count: 2,
      firstIndex: 2,
      minTs: NaN,
      maxTs: NaN,
      dataCrc: 0,
      flags: FLAG_UNTIMED,
      summaryOffset: 0,
      summaryLength: 0,
    });
    const index = await indexOf([first as IndexEntry, untimed], 1);
    expect(index.isTimeOrdered).toBe(false);
    expect(index.hasUntimed).toBe(true);
    expect([index.minTs, index.maxTs]).toEqual([1, 2]);
    await expect(index.entry(2)).rejects.toThrow(RangeError);
  });
});
