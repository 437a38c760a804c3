import { McapIndexedReader, McapStreamReader } from "@mcap/core";
import { CorruptDataError, InvalidArgumentError } from "../../core/errors.js";
import type { RandomAccessSource } from "../node/file-source.js";

/** The first bytes of every MCAP file: 0x89, "MCAP0", CR, LF. */
const MCAP_MAGIC = Uint8Array.from([0x89, 0x4d, 0x43, 0x41, 0x50, 0x30, 0x0d, 0x0a]);

/** A channel of an MCAP file. */
export type McapChannel = {
  readonly id: number;
  readonly topic: string;
  readonly messageEncoding: string;
};

/** A message of an MCAP file. */
export type McapMessage = {
  readonly channelId: number;
  readonly logTimeNs: bigint;
  readonly data: Uint8Array;
};

/** An MCAP file open for reading (the one file that imports `@mcap/core`'s readers). */
export type McapFileReader = {
  readonly channels: readonly McapChannel[];
  /** Messages in the file, from its statistics (undefined when it has none). */
  readonly messageCount: number | undefined;
  /** Every message: in `log_time` order from an indexed file, else in the file's order. */
  messages(): AsyncIterable<McapMessage>;
};

/** Bytes read at a time from a file without a summary, read from start to end. */
const STREAM_READ_BYTES = 1024 * 1024;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Opens an MCAP file: with `@mcap/core`'s indexed reader, which reads its summary first,
 * or, for a complete file written without a summary (a streaming writer's), by reading it
 * once from start to end to learn its channels. A file that is not MCAP, or is cut short,
 * fails here, before anything is imported.
 *
 * @throws {InvalidArgumentError} when the file is not a complete MCAP file
 */
export async function openMcapFile(source: RandomAccessSource): Promise<McapFileReader> {
  let reader: McapIndexedReader;
  const start = await source.read(0n, BigInt(MCAP_MAGIC.byteLength));
  if (!MCAP_MAGIC.every((byte, i) => start[i] === byte)) {
    throw new InvalidArgumentError(
      `${source.path} is not an MCAP file: it does not start with the MCAP magic bytes`,
      { details: { path: source.path } },
    );
  }
  try {
    reader = await McapIndexedReader.Initialize({ readable: source });
  } catch (indexedError: unknown) {
    try {
      return await openUnindexed(source);
    } catch (error: unknown) {
      throw new InvalidArgumentError(
        `${source.path} is not a complete MCAP file (${messageOf(indexedError)}; read from the start: ${messageOf(error)}); a file cut short has no summary to read`,
        { cause: error, details: { path: source.path } },
      );
    }
  }
  const count = reader.statistics?.messageCount;
  return {
    channels: [...reader.channelsById.values()].map((channel) => ({
      id: channel.id,
      topic: channel.topic,
      messageEncoding: channel.messageEncoding,
    })),
    messageCount: count === undefined ? undefined : Number(count),
    async *messages() {
      try {
        for await (const message of reader.readMessages({ validateCrcs: true })) {
          yield { channelId: message.channelId, logTimeNs: message.logTime, data: message.data };
        }
      } catch (error: unknown) {
        throw new CorruptDataError(`${source.path}: ${messageOf(error)}`, {
          cause: error,
          details: { path: source.path },
        });
      }
    },
  };
}

/** The records of a whole file, read from start to end, every chunk's CRC checked. */
async function* recordsOf(source: RandomAccessSource) {
  const reader = new McapStreamReader({ validateCrcs: true });
  const size = await source.size();
  for (let offset = 0n; offset < size;) {
    const length = size - offset < STREAM_READ_BYTES ? size - offset : BigInt(STREAM_READ_BYTES);
    reader.append(await source.read(offset, length));
    offset += length;
    for (let record = reader.nextRecord(); record !== undefined; record = reader.nextRecord()) {
      yield record;
    }
  }
  if (!reader.done()) throw new Error("the file ends before its footer");
}

/**
 * A complete MCAP file without a summary: read once to learn its channels and count its
 * messages (so that a file cut short is refused before anything is imported), then again
 * for its messages.
 */
async function openUnindexed(source: RandomAccessSource): Promise<McapFileReader> {
  const channels = new Map<number, McapChannel>();
  let messageCount = 0;
  for await (const record of recordsOf(source)) {
    if (record.type === "Channel") {
      channels.set(record.id, {
        id: record.id,
        topic: record.topic,
        messageEncoding: record.messageEncoding,
      });
    } else if (record.type === "Message") {
      messageCount++;
    }
  }
  return {
    channels: [...channels.values()],
    messageCount,
    async *messages() {
      try {
        for await (const record of recordsOf(source)) {
          if (record.type !== "Message") continue;
          yield { channelId: record.channelId, logTimeNs: record.logTime, data: record.data };
        }
      } catch (error: unknown) {
        throw new CorruptDataError(`${source.path}: ${messageOf(error)}`, {
          cause: error,
          details: { path: source.path },
        });
      }
    },
  };
}
