import type { Downsampler } from "../../core/downsample.js";
import type { FieldValue } from "../../core/point.js";
import type { DecodedRecord } from "../codec/decoded-record.js";

/** Adds the points of one decoded record to a downsample, point by point, in index order. */
export function addRecordPoints(sampler: Downsampler, decoded: DecodedRecord): void {
  const { keys, columns } = decoded.columns();
  const wanted: number[] = [];
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k] as string;
    if (key !== "_ts" && sampler.wantsTopLevel(key)) wanted.push(k);
  }
  for (let i = 0; i < decoded.count; i++) {
    const ts = decoded.timestampAt(i);
    if (ts === undefined) continue;
    sampler.addPoint(ts, (visit) => {
      for (const k of wanted)
        visit(keys[k] as string, (columns[k] as readonly FieldValue[])[i] as FieldValue);
    });
  }
}
