import { logTimeKey, writeLogTime } from "./log-time.js";
import type { MessageRecords } from "./message-records.js";

/** MCAP opcodes written here (the MCAP specification, "Records"). */
const OPCODE_CHUNK = 0x06;
const OPCODE_MESSAGE_INDEX = 0x07;
/** opcode, record length, start and end time, uncompressed size and crc, compression "", records length. */
const CHUNK_HEADER_BYTES = 1 + 8 + 8 + 8 + 8 + 4 + 4 + 8;
const TWO_TO_32 = 4_294_967_296;

/** A channel's message index in a chunk: the offset of each of its messages. */
type ChannelIndex = { readonly channelId: number; readonly entries: number[] };

/** Where a channel's message index record lies in a chunk's message index bytes. */
export type MessageIndexOffset = { readonly channelId: number; readonly offset: number };

function setUint64(view: DataView, offset: number, value: number): void {
  view.setUint32(offset, value % TWO_TO_32, true);
  view.setUint32(offset + 4, Math.floor(value / TWO_TO_32), true);
}

/**
 * The records of one MCAP chunk being gathered: schema and channel records as given, and
 * runs of message records (see {@link MessageRecords}), with a message index per channel
 * (in the order the channels first appear, as `@mcap/core`'s ChunkBuilder keeps them).
 * This is the part of an MCAP export that runs once per point; `@mcap/core`'s writer
 * costs about 1.4 µs per message there (a bigint per field, an awaited call and a JS
 * CRC-32), more than the whole budget of an export at 2 M points/s.
 */
export class McapChunk {
  #bytes: Uint8Array;
  #view: DataView;
  #length = 0;
  #messageCount = 0;
  #minKey = Infinity;
  #maxKey = -Infinity;
  readonly #indexes = new Map<number, ChannelIndex>();

  constructor(capacityBytes: number) {
    this.#bytes = new Uint8Array(capacityBytes);
    this.#view = new DataView(this.#bytes.buffer);
  }

  /** Bytes of records so far. */
  get length(): number {
    return this.#length;
  }

  get messageCount(): number {
    return this.#messageCount;
  }

  /** The smallest and largest `logTimeKey` of the chunk's messages. */
  get keyRange(): readonly [number, number] {
    return [this.#minKey, this.#maxKey];
  }

  /** The records written so far (a view that the next write may change). */
  get records(): Uint8Array {
    return this.#bytes.subarray(0, this.#length);
  }

  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#bytes.length) return;
    const grown = new Uint8Array(Math.max(this.#bytes.length * 2, this.#length + bytes));
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
    this.#view = new DataView(grown.buffer);
  }

  #indexOf(channelId: number): ChannelIndex {
    let index = this.#indexes.get(channelId);
    if (index === undefined) {
      index = { channelId, entries: [] };
      this.#indexes.set(channelId, index);
    }
    return index;
  }

  /** Adds records made elsewhere (a channel's schema and channel records, before its first message). */
  addRecords(channelId: number, records: Uint8Array): void {
    this.#indexOf(channelId);
    this.#reserve(records.length);
    this.#bytes.set(records, this.#length);
    this.#length += records.length;
  }

  /**
   * Adds the message records `from` to `to` (exclusive) of `messages`, made from points
   * of `timestamps`, on `channelId`. Stops after the message that takes the chunk past
   * `limitBytes` (where `@mcap/core`'s writer ends a chunk) and gives the index of the
   * next message to add.
   */
  addMessages(
    channelId: number,
    messages: MessageRecords,
    timestamps: ArrayLike<number>,
    from: number,
    to: number,
    limitBytes: number,
  ): number {
    const entries = this.#indexOf(channelId).entries;
    const { starts } = messages;
    const first = starts[from] as number;
    // Where message i lands is this.#length + starts[i] - first.
    const shift = this.#length - first;
    let point = from;
    while (point < to) {
      entries.push((starts[point] as number) + shift);
      const key = logTimeKey(timestamps[point] as number);
      if (key < this.#minKey) this.#minKey = key;
      if (key > this.#maxKey) this.#maxKey = key;
      point++;
      if ((starts[point] as number) + shift > limitBytes) break;
    }
    const last = starts[point] as number;
    this.#reserve(last - first);
    this.#bytes.set(messages.bytes.subarray(first, last), this.#length);
    this.#length += last - first;
    this.#messageCount += point - from;
    return point;
  }

  /** The chunk record's bytes before its records, for records of the given CRC-32. */
  header(recordsCrc: number): Uint8Array {
    const header = new Uint8Array(CHUNK_HEADER_BYTES);
    const view = new DataView(header.buffer);
    view.setUint8(0, OPCODE_CHUNK);
    setUint64(view, 1, CHUNK_HEADER_BYTES - 9 + this.#length);
    writeLogTime(view, 9, this.#minKey);
    writeLogTime(view, 17, this.#maxKey);
    setUint64(view, 25, this.#length);
    view.setUint32(33, recordsCrc, true);
    view.setUint32(37, 0, true); // compression: "" (none)
    setUint64(view, 41, this.#length);
    return header;
  }

  /** The message index records of the chunk, and where each channel's starts in them. */
  messageIndexes(): { readonly bytes: Uint8Array; readonly offsets: MessageIndexOffset[] } {
    let total = 0;
    for (const { entries } of this.#indexes.values()) total += 15 + entries.length * 16;
    const bytes = new Uint8Array(total);
    const view = new DataView(bytes.buffer);
    const offsets: MessageIndexOffset[] = [];
    let at = 0;
    for (const { channelId, entries } of this.#indexes.values()) {
      offsets.push({ channelId, offset: at });
      view.setUint8(at, OPCODE_MESSAGE_INDEX);
      setUint64(view, at + 1, 6 + entries.length * 16);
      view.setUint16(at + 9, channelId, true);
      view.setUint32(at + 11, entries.length * 16, true);
      at += 15;
      const records = this.#view;
      for (const offset of entries) {
        // The message's log time, as its record holds it.
        view.setUint32(at, records.getUint32(offset + 15, true), true);
        view.setUint32(at + 4, records.getUint32(offset + 19, true), true);
        view.setUint32(at + 8, offset, true);
        view.setUint32(at + 12, 0, true);
        at += 16;
      }
    }
    return { bytes, offsets };
  }

  /** Empties the chunk for the next one (keeping its buffer). */
  reset(): void {
    this.#length = 0;
    this.#messageCount = 0;
    this.#minKey = Infinity;
    this.#maxKey = -Infinity;
    this.#indexes.clear();
  }
}
