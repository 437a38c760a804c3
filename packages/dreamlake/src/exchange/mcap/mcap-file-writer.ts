import {
  MCAP_MAGIC,
  McapRecordBuilder,
  Opcode,
  type Channel,
  type ChunkIndex,
  type Schema,
} from "@mcap/core";
import { crc32 } from "../../storage/codec/crc32.js";
import type { ByteSink } from "../byte-sink.js";
import { crc32Combine } from "../../storage/codec/crc32-combine.js";
import { logTimeOf } from "./log-time.js";
import { McapChunk } from "./mcap-chunk.js";
import type { MessageRecords } from "./message-records.js";

/** Bytes of messages per chunk: Foxglove reads a file a chunk at a time. */
export const MCAP_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * CRC-32 of `bytes` continued from `previous` (zlib's `crc32(data, value)`): the Node
 * adapter passes zlib's native one, several times faster than the JavaScript one.
 */
export type Crc32 = (bytes: Uint8Array, previous: number) => number;

/** Options of an MCAP file. */
export type McapFileOptions = {
  /** A chunk ends after the message that takes it past this many bytes. @defaultValue {@link MCAP_CHUNK_BYTES} */
  readonly chunkBytes?: number | undefined;
  /** @defaultValue the JavaScript CRC-32 */
  readonly crc32?: Crc32 | undefined;
};

/** An MCAP file being written. Calls are awaited one by one. */
export type McapFileWriter = {
  /** Adds a channel with JSON messages and its JSON Schema; gives its id. */
  addJsonChannel(topic: string, jsonSchema: string): number;
  /**
   * Adds the message records `from` to `to` (exclusive) of `messages` (written by
   * `messageRecords` for this channel, from points of `timestamps`).
   */
  addMessages(
    channelId: number,
    messages: MessageRecords,
    timestamps: ArrayLike<number>,
    from: number,
    to: number,
  ): Promise<void>;
  /** Writes the last chunk, the summary section (schemas, channels, statistics, chunk indexes) and the footer. */
  end(): Promise<void>;
};

const big = (value: number): bigint => BigInt(value);

/**
 * Starts an MCAP file on `sink`, laid out byte for byte as `@mcap/core`'s `McapWriter`
 * lays it out with chunks (uncompressed: Node 20 has neither zstd nor lz4), message
 * indexes, chunk indexes, statistics and summary offsets, so that indexed readers
 * (Foxglove) seek by time. Message records, chunks and message indexes are written here
 * from column batches ({@link McapChunk}, a measured need: see there); every other record
 * by `@mcap/core`'s record builder.
 */
export async function startMcapFile(
  sink: ByteSink,
  library: string,
  options: McapFileOptions = {},
): Promise<McapFileWriter> {
  const chunkBytes = options.chunkBytes ?? MCAP_CHUNK_BYTES;
  const checksum = options.crc32 ?? crc32;
  const records = new McapRecordBuilder();
  const encoder = new TextEncoder();
  const schemas: Schema[] = [];
  const channels: Channel[] = [];
  const writtenChannels = new Set<number>();
  const chunkIndexes: ChunkIndex[] = [];
  const messageCounts = new Map<number, number>();
  // Two chunks: one is filled while the other is being written.
  let chunk = new McapChunk(chunkBytes + (chunkBytes >> 2));
  let spare = new McapChunk(chunkBytes + (chunkBytes >> 2));
  let messageCount = 0;
  let minKey = Infinity;
  let maxKey = -Infinity;
  let dataCrc = 0;
  let position = sink.position;
  // The sink's writes, one after the other; the export goes on while they run.
  let writing: Promise<void> = Promise.resolve();

  /** Queues bytes that must not change until `writing` settles; `crc` is theirs, if known. */
  const queue = (bytes: Uint8Array, crc?: number): void => {
    dataCrc =
      crc === undefined ? checksum(bytes, dataCrc) : crc32Combine(dataCrc, crc, bytes.length);
    position += bytes.length;
    writing = writing.then(() => sink.write(bytes));
    // Handled here for the moment; the next await of `writing` throws it.
    writing.catch(() => undefined);
  };
  const queueRecords = (): void => {
    queue(records.buffer);
    records.reset();
  };

  const finishChunk = async (): Promise<void> => {
    if (chunk.messageCount === 0) return;
    const [chunkMin, chunkMax] = chunk.keyRange;
    if (chunkMin < minKey) minKey = chunkMin;
    if (chunkMax > maxKey) maxKey = chunkMax;
    const body = chunk.records;
    const bodyCrc = checksum(body, 0);
    const header = chunk.header(bodyCrc);
    const { bytes, offsets } = chunk.messageIndexes();
    // The spare chunk's bytes are free once the writes before these are done.
    await writing;
    const chunkStart = position;
    queue(header);
    queue(body, bodyCrc);
    const indexStart = position;
    queue(bytes);
    chunkIndexes.push({
      messageStartTime: logTimeOf(chunkMin),
      messageEndTime: logTimeOf(chunkMax),
      chunkStartOffset: big(chunkStart),
      chunkLength: big(header.length + body.length),
      messageIndexOffsets: new Map(
        offsets.map(({ channelId, offset }) => [channelId, big(indexStart + offset)]),
      ),
      messageIndexLength: big(bytes.length),
      compression: "",
      compressedSize: big(body.length),
      uncompressedSize: big(body.length),
    });
    [chunk, spare] = [spare, chunk];
    chunk.reset();
  };

  records.writeMagic();
  records.writeHeader({ profile: "", library });
  queueRecords();
  await writing;

  return {
    addJsonChannel: (topic, jsonSchema) => {
      const schemaId = schemas.length + 1;
      schemas.push({
        id: schemaId,
        name: topic,
        encoding: "jsonschema",
        data: encoder.encode(jsonSchema),
      });
      const id = channels.length;
      channels.push({ id, schemaId, topic, messageEncoding: "json", metadata: new Map() });
      return id;
    },
    addMessages: async (channelId, messages, timestamps, from, to) => {
      if (from >= to) return;
      if (!writtenChannels.has(channelId)) {
        // Like McapWriter: a channel's schema and channel records go in the chunk of its
        // first message, just before it.
        const channel = channels[channelId] as Channel;
        records.writeSchema(schemas[channel.schemaId - 1] as Schema);
        records.writeChannel(channel);
        chunk.addRecords(channelId, records.buffer.slice());
        records.reset();
        writtenChannels.add(channelId);
      }
      messageCounts.set(channelId, (messageCounts.get(channelId) ?? 0) + to - from);
      messageCount += to - from;
      for (let point = from; point < to;) {
        point = chunk.addMessages(channelId, messages, timestamps, point, to, chunkBytes);
        if (chunk.length > chunkBytes) await finishChunk();
      }
    },
    end: async () => {
      await finishChunk();
      records.writeDataEnd({ dataSectionCrc: dataCrc });
      queueRecords();
      writeSummary();
      await writing;
    },
  };

  function writeSummary(): void {
    const summaryStart = position;
    const groups: { opcode: number; start: number; length: bigint }[] = [];
    const group = (opcode: number, writeRecords: () => bigint): void => {
      const start = summaryStart + records.length;
      groups.push({ opcode, start, length: writeRecords() });
    };
    const sum = (lengths: bigint[]): bigint => lengths.reduce((a, b) => a + b, 0n);
    group(Opcode.SCHEMA, () => sum(schemas.map((schema) => records.writeSchema(schema))));
    group(Opcode.CHANNEL, () => sum(channels.map((channel) => records.writeChannel(channel))));
    group(Opcode.STATISTICS, () =>
      records.writeStatistics({
        messageCount: big(messageCount),
        schemaCount: schemas.length,
        channelCount: channels.length,
        attachmentCount: 0,
        metadataCount: 0,
        chunkCount: chunkIndexes.length,
        messageStartTime: messageCount === 0 ? 0n : logTimeOf(minKey),
        messageEndTime: messageCount === 0 ? 0n : logTimeOf(maxKey),
        channelMessageCounts: new Map([...messageCounts].map(([id, count]) => [id, big(count)])),
      }),
    );
    group(Opcode.CHUNK_INDEX, () =>
      sum(chunkIndexes.map((index) => records.writeChunkIndex(index))),
    );
    const summaryOffsetStart = summaryStart + records.length;
    for (const { opcode, start, length } of groups) {
      if (length === 0n) continue;
      records.writeSummaryOffset({
        groupOpcode: opcode,
        groupStart: big(start),
        groupLength: length,
      });
    }
    records.writeFooter({
      summaryStart: big(summaryStart),
      summaryOffsetStart: big(summaryOffsetStart),
      summaryCrc: 0,
    });
    records.writeMagic();
    const tail = records.buffer;
    records.reset();
    // The summary CRC covers the summary section and the footer up to the CRC itself, which
    // sits before the closing magic.
    const crcAt = tail.length - MCAP_MAGIC.length - 4;
    new DataView(tail.buffer).setUint32(crcAt, checksum(tail.subarray(0, crcAt), 0), true);
    queue(tail);
  }
}
