import type { RandomAccessFile } from "../ports.js";

/** A stretch of a file to read. */
export type Stretch = { readonly offset: number; readonly length: number };

/**
 * Reads stretches of a file in as few reads as it can: stretches closer than `gapBytes`
 * to each other are read as one (a track's summaries and block tables are written one
 * after the other, so a window of records needs one read, not one per record). A read joins
 * no more stretches once it would pass `maxBytes` (a stretch longer than that is read
 * alone). Returns the bytes of each stretch by its position in `stretches`: shorter where
 * the file ends first.
 */
export async function readCoalesced(
  file: RandomAccessFile,
  stretches: readonly Stretch[],
  gapBytes: number,
  maxBytes = Infinity,
): Promise<Uint8Array[]> {
  const out = new Array<Uint8Array>(stretches.length);
  const order = stretches
    .map((_, i) => i)
    .sort((a, b) => (stretches[a] as Stretch).offset - (stretches[b] as Stretch).offset);
  let g = 0;
  while (g < order.length) {
    const start = (stretches[order[g] as number] as Stretch).offset;
    let end = start;
    let h = g;
    while (h < order.length) {
      const next = stretches[order[h] as number] as Stretch;
      if (h > g && (next.offset - end > gapBytes || next.offset + next.length - start > maxBytes))
        break;
      end = Math.max(end, next.offset + next.length);
      h++;
    }
    const bytes = await file.read(start, end - start);
    for (let k = g; k < h; k++) {
      const i = order[k] as number;
      const { offset, length } = stretches[i] as Stretch;
      const from = Math.min(offset - start, bytes.byteLength);
      out[i] = bytes.subarray(from, Math.min(from + length, bytes.byteLength));
    }
    g = h;
  }
  return out;
}
