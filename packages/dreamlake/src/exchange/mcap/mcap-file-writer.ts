import { McapWriter } from "@mcap/core";
import type { ByteSink } from "../byte-sink.js";

/** Bytes of messages per chunk: Foxglove reads a file a chunk at a time. */
export const MCAP_CHUNK_BYTES = 4 * 1024 * 1024;

/** An MCAP file being written (the one file that imports `@mcap/core`'s writer). */
export type McapFileWriter = {
  /** Adds a channel with JSON messages and its JSON Schema; gives its id. */
  addJsonChannel(topic: string, jsonSchema: string): Promise<number>;
  /** Adds one message. */
  addMessage(
    channelId: number,
    sequence: number,
    logTimeNs: bigint,
    data: Uint8Array,
  ): Promise<void>;
  /** Writes the summary section (schemas, channels, statistics, chunk indexes) and the footer. */
  end(): Promise<void>;
};

/**
 * Starts an MCAP file on `sink` with `@mcap/core`'s writer: chunked (uncompressed:
 * Node 20 has neither zstd nor lz4), with message indexes, chunk indexes, statistics and
 * summary offsets, so that indexed readers (Foxglove) seek by time.
 */
export async function startMcapFile(sink: ByteSink, library: string): Promise<McapFileWriter> {
  const writer = new McapWriter({
    writable: {
      position: () => BigInt(sink.position),
      write: (bytes: Uint8Array) => sink.write(bytes),
    },
    chunkSize: MCAP_CHUNK_BYTES,
    useChunks: true,
    useStatistics: true,
    useSummaryOffsets: true,
    useChunkIndex: true,
    useMessageIndex: true,
  });
  await writer.start({ profile: "", library });
  const encoder = new TextEncoder();
  return {
    addJsonChannel: async (topic, jsonSchema) => {
      const schemaId = await writer.registerSchema({
        name: topic,
        encoding: "jsonschema",
        data: encoder.encode(jsonSchema),
      });
      return writer.registerChannel({
        topic,
        schemaId,
        messageEncoding: "json",
        metadata: new Map(),
      });
    },
    addMessage: (channelId, sequence, logTimeNs, data) =>
      writer.addMessage({ channelId, sequence, logTime: logTimeNs, publishTime: logTimeNs, data }),
    end: () => writer.end(),
  };
}
