import type { Downsampler } from "../../core/downsample.js";
import type { DecodedRecord } from "../codec/decoded-record.js";

/** Adds the points of one decoded record to a downsample, in index order. */
export function addRecordPoints(sampler: Downsampler, decoded: DecodedRecord): void {
  const { keys, columns } = decoded.columns();
  const times = new Array<number | undefined>(decoded.count);
  for (let i = 0; i < decoded.count; i++) times[i] = decoded.timestampAt(i);
  sampler.addColumns(times, keys, columns);
}
