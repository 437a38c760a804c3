import type { ColumnBatch } from "../../core/column-batch.js";
import { PointJsonBytes, type JsonBatch } from "../point-json-bytes.js";
import { writeLogTime } from "./log-time.js";

/** MCAP's Message opcode (the MCAP specification, "Records"). */
const OPCODE_MESSAGE = 0x05;
/** opcode, record length, channel id, sequence, log time, publish time. */
export const MESSAGE_HEADER_BYTES = 1 + 8 + 2 + 4 + 8 + 8;

/** The points of a batch as MCAP needs them: times, indexes (the sequence) and fields. */
export type MessageBatch = JsonBatch & {
  readonly indexes: ArrayLike<number>;
};

/**
 * The Message records of a batch's points on one channel, back to back: point `i`'s
 * record is `bytes[starts[i]]` to `bytes[starts[i + 1]]` (`starts` has `count + 1` entries).
 */
export type MessageRecords = {
  readonly bytes: Uint8Array;
  readonly starts: Uint32Array;
};

/**
 * Writes the Message record of every point of `batch` on channel `channelId`: the point's
 * JSON (with `_ts`), `sequence` its index (modulo 2^32), `log_time` and `publish_time` its
 * `_ts` in nanoseconds. This is the part of an MCAP export that runs once per point, and
 * the part that a worker thread can take over, since it needs only the batch. The records
 * go in `spare` (the buffer of records given back) when it has room for them.
 */
export function messageRecords(
  batch: MessageBatch,
  channelId: number,
  spare?: ArrayBuffer,
): MessageRecords {
  const json = new PointJsonBytes(batch);
  const room = MESSAGE_HEADER_BYTES + json.maxPointBytes;
  const starts = new Uint32Array(batch.count + 1);
  // Room for every point at its longest when that is small; else grown as needed.
  const size = Math.min(batch.count * room, 1 << 24) + room;
  // A fresh buffer of this size costs page faults as well as its allocation: a tenth of
  // an export's time on a machine of two cores.
  let bytes =
    spare !== undefined && spare.byteLength >= size ? new Uint8Array(spare) : new Uint8Array(size);
  let view = new DataView(bytes.buffer);
  let length = 0;
  const { timestamps, indexes } = batch;
  for (let point = 0; point < batch.count; point++) {
    if (length + room > bytes.length) {
      const grown = new Uint8Array(Math.max(bytes.length * 2, length + room));
      grown.set(bytes.subarray(0, length));
      bytes = grown;
      view = new DataView(grown.buffer);
    }
    const start = length;
    const end = json.writeNext(bytes, start + MESSAGE_HEADER_BYTES);
    view.setUint8(start, OPCODE_MESSAGE);
    view.setUint32(start + 1, end - start - 9, true); // < 2^32: a chunk is an array
    view.setUint32(start + 5, 0, true);
    view.setUint16(start + 9, channelId, true);
    // The sequence is the index modulo 2^32, as setUint32 takes it.
    view.setUint32(start + 11, indexes[point] as number, true);
    writeLogTime(view, start + 15, timestamps[point] as number);
    view.setUint32(start + 23, view.getUint32(start + 15, true), true);
    view.setUint32(start + 27, view.getUint32(start + 19, true), true);
    starts[point] = start;
    length = end;
  }
  starts[batch.count] = length;
  return { bytes: bytes.subarray(0, length), starts };
}

/**
 * Writes the Message records of batches, one call at a time, in the order asked; an
 * implementation may run them on other threads.
 */
export type MessageFormatter = {
  format(batch: ColumnBatch, channelId: number): Promise<MessageRecords>;
  /** Takes back records that the caller is done with, to write later ones in. */
  recycle(records: MessageRecords): void;
  /** Releases what it holds (threads). Idempotent. */
  close(): Promise<void>;
};

/** A formatter that writes on the calling thread. */
export function inlineMessageFormatter(): MessageFormatter {
  let spare: ArrayBuffer | undefined;
  return {
    format: (batch, channelId) => {
      const records = messageRecords(batch, channelId, spare);
      if (records.bytes.buffer === spare) spare = undefined;
      return Promise.resolve(records);
    },
    recycle: (records) => {
      spare = records.bytes.buffer as ArrayBuffer;
    },
    close: () => Promise.resolve(),
  };
}
