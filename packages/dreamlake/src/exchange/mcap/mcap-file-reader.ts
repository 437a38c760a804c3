import { McapIndexedReader } from "@mcap/core";
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

/** An indexed MCAP file open for reading (the one file that imports `@mcap/core`'s reader). */
export type McapFileReader = {
  readonly channels: readonly McapChannel[];
  /** Messages in the file, from its statistics (undefined when it has none). */
  readonly messageCount: number | undefined;
  /** Every message, in `log_time` order. */
  messages(): AsyncIterable<McapMessage>;
};

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Opens an MCAP file with `@mcap/core`'s indexed reader, which reads its summary first: a
 * file that is not MCAP, or is cut short (no footer or summary), fails here, before
 * anything is imported.
 *
 * @throws {InvalidArgumentError} when the file is not a complete, indexed MCAP file
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
  } catch (error: unknown) {
    throw new InvalidArgumentError(
      `${source.path} is not a complete MCAP file (${messageOf(error)}); a file cut short has no summary to read`,
      { cause: error, details: { path: source.path } },
    );
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
