import { McapIndexedReader, McapWriter } from "@mcap/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ColumnBatch } from "../src/core/column-batch.js";
import { MemorySink } from "../src/exchange/byte-sink.js";
import { trackJsonSchema } from "../src/exchange/mcap/json-schema.js";
import { logTimeOf } from "../src/exchange/mcap/log-time.js";
import { exportMcap } from "../src/exchange/mcap/mcap-export.js";
import type { Crc32 } from "../src/exchange/mcap/mcap-file-writer.js";
import type { MessageFormatter } from "../src/exchange/mcap/message-records.js";
import { nodeCrc32 } from "../src/exchange/node/node-crc32.js";
import type { workerMessageFormatter } from "../src/exchange/node/worker-message-formatter.js";
import { pointJsonTexts } from "../src/exchange/point-json.js";
import type { TrackSource } from "../src/exchange/track-source.js";
import { SchemaBuilder } from "../src/exchange/track-schema.js";
import { columnBatchArbitrary } from "./column-batch-arbitrary.js";

type Track = { readonly name: string; readonly batches: readonly ColumnBatch[] };
type ReferencePoint = { ts: number; index: number; text: string; isBatchStart: boolean };
type ReferenceLane = { channelId: number; points: ReferencePoint[]; position: number };

/**
 * The MCAP export as it was written before it wrote its own records: every point through
 * `@mcap/core`'s McapWriter, one awaited `addMessage` each, tracks merged in time order.
 * The independent writer the export must match byte for byte.
 */
async function referenceMcap(tracks: readonly Track[], chunkSize: number): Promise<Uint8Array> {
  const sink = new MemorySink();
  const writer = new McapWriter({
    writable: { position: () => BigInt(sink.position), write: (bytes) => sink.write(bytes) },
    chunkSize,
    useChunks: true,
    useStatistics: true,
    useSummaryOffsets: true,
    useChunkIndex: true,
    useMessageIndex: true,
  });
  await writer.start({ profile: "", library: "dreamlake" });
  const lanes: ReferenceLane[] = [];
  for (const track of tracks) {
    const builder = new SchemaBuilder();
    for (const batch of track.batches) builder.observe(batch);
    const schemaId = await writer.registerSchema({
      name: track.name,
      encoding: "jsonschema",
      data: new TextEncoder().encode(trackJsonSchema(track.name, builder.schema())),
    });
    const channelId = await writer.registerChannel({
      topic: track.name,
      schemaId,
      messageEncoding: "json",
      metadata: new Map(),
    });
    const points = track.batches
      .filter((batch) => batch.count > 0)
      .flatMap((batch) =>
        pointJsonTexts(batch, "lenient").map((text, i) => ({
          ts: batch.timestamps[i] as number,
          index: batch.indexes[i] as number,
          text,
          isBatchStart: i === 0,
        })),
      );
    lanes.push({ channelId, points, position: 0 });
  }
  const head = (lane: ReferenceLane): number => {
    const ts = lane.points[lane.position]?.ts ?? Infinity;
    return Number.isNaN(ts) ? -Infinity : ts;
  };
  for (;;) {
    const open = lanes.filter((lane) => lane.position < lane.points.length);
    if (open.length === 0) break;
    // The earliest lane (the first of equals) writes up to the others' next point, and
    // never past the end of its batch.
    let first = open[0] as ReferenceLane;
    for (const lane of open) if (head(lane) < head(first)) first = lane;
    const bound = Math.min(...open.filter((lane) => lane !== first).map(head));
    let written = 0;
    while (first.position < first.points.length) {
      const point = first.points[first.position] as ReferencePoint;
      if (
        written > 0 &&
        (point.isBatchStart || (Number.isNaN(point.ts) ? -Infinity : point.ts) > bound)
      )
        break;
      const logTime = logTimeOf(point.ts);
      await writer.addMessage({
        channelId: first.channelId,
        sequence: point.index % 0x1_0000_0000,
        logTime,
        publishTime: logTime,
        data: new TextEncoder().encode(point.text),
      });
      first.position++;
      written++;
    }
  }
  await writer.end();
  return sink.bytes();
}

async function ourMcap(
  tracks: readonly Track[],
  chunkBytes: number,
  crc32?: Crc32,
  formatter?: MessageFormatter,
): Promise<Uint8Array> {
  const sink = new MemorySink();
  const sources: TrackSource[] = tracks.map((track) => ({
    name: track.name,
    expectedPoints: undefined,
    scan: async function* () {
      for (const batch of track.batches) yield await Promise.resolve(batch);
    },
  }));
  await exportMcap(
    sources,
    () => Promise.resolve(sink),
    { onPoints: () => undefined, onRestart: () => undefined },
    {
      chunkBytes,
      crc32,
      // One formatter for many exports here: the export's close of it is left out.
      formatter:
        formatter === undefined
          ? undefined
          : () => ({ ...formatter, close: () => Promise.resolve() }),
    },
  );
  return sink.bytes();
}

type WorkerMessageFormatter = typeof workerMessageFormatter;

/**
 * The worker-thread formatter as built: a worker thread runs the built JavaScript, not
 * these sources (the test script builds first).
 */
async function builtWorkerFormatter(threads: number): Promise<MessageFormatter> {
  const built = new URL("../dist/exchange/node/worker-message-formatter.js", import.meta.url);
  const module = (await import(built.href)) as { workerMessageFormatter: WorkerMessageFormatter };
  return module.workerMessageFormatter(threads);
}

/** Tracks of batches in index order, with distinct names. */
const tracksArbitrary: fc.Arbitrary<Track[]> = fc
  .uniqueArray(fc.constantFrom("loss", "robot/pose", "名前", "a b"), { minLength: 1, maxLength: 3 })
  .chain((names) =>
    fc.tuple(
      ...names.map((name) =>
        fc.array(columnBatchArbitrary(12), { maxLength: 4 }).map((batches): Track => {
          let next = 0;
          return {
            name,
            batches: batches.map((batch) => {
              const indexes = Float64Array.from({ length: batch.count }, () => next++);
              return { ...batch, indexes };
            }),
          };
        }),
      ),
    ),
  );

describe("MCAP export bytes", () => {
  it("are the bytes @mcap/core's McapWriter writes for the same messages, for any tracks and chunk size", async () => {
    await fc.assert(
      fc.asyncProperty(
        tracksArbitrary,
        fc.constantFrom(1, 100, 700, 4096),
        fc.boolean(),
        async (tracks, chunkBytes, isNative) => {
          const ours = await ourMcap(tracks, chunkBytes, isNative ? nodeCrc32 : undefined);
          const theirs = await referenceMcap(tracks, chunkBytes);
          expect(ours.byteLength).toBe(theirs.byteLength);
          expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("are the same bytes when worker threads write the messages, for any tracks and chunk size", async () => {
    const formatter = await builtWorkerFormatter(2);
    try {
      await fc.assert(
        fc.asyncProperty(
          tracksArbitrary,
          fc.constantFrom(1, 100, 700, 4096),
          async (tracks, chunkBytes) => {
            const ours = await ourMcap(tracks, chunkBytes, nodeCrc32, formatter);
            const theirs = await referenceMcap(tracks, chunkBytes);
            expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true);
          },
        ),
        { numRuns: 150 },
      );
    } finally {
      await formatter.close();
    }
  });

  it("are read by @mcap/core's indexed reader with every CRC checked, across many chunks", async () => {
    const count = 5_000;
    const batch: ColumnBatch = {
      count,
      indexes: Float64Array.from({ length: count }, (_, i) => i),
      timestamps: Float64Array.from({ length: count }, (_, i) => 1_700_000_000 + i * 0.01),
      fields: { value: Array.from({ length: count }, (_, i) => Math.sin(i)) },
    };
    const bytes = await ourMcap([{ name: "t", batches: [batch] }], 16_384, nodeCrc32);
    expect(
      Buffer.from(bytes).equals(
        Buffer.from(await referenceMcap([{ name: "t", batches: [batch] }], 16_384)),
      ),
    ).toBe(true);
    const reader = await McapIndexedReader.Initialize({
      readable: {
        size: () => Promise.resolve(BigInt(bytes.byteLength)),
        read: (offset, length) =>
          Promise.resolve(bytes.slice(Number(offset), Number(offset + length))),
      },
    });
    expect(reader.chunkIndexes.length).toBeGreaterThan(10);
    expect(reader.statistics?.messageCount).toBe(BigInt(count));
    let read = 0;
    for await (const message of reader.readMessages({ validateCrcs: true })) {
      expect(message.logTime).toBe(logTimeOf(batch.timestamps[read] as number));
      read++;
    }
    expect(read).toBe(count);
  });
});
