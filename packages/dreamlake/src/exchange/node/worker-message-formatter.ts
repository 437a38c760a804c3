import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ColumnBatch } from "../../core/column-batch.js";
import {
  inlineMessageFormatter,
  type MessageBatch,
  type MessageFormatter,
  type MessageRecords,
} from "../mcap/message-records.js";

/** A request waiting for its worker's answer. */
type Waiting = {
  readonly resolve: (records: MessageRecords) => void;
  readonly reject: (error: Error) => void;
};

/** A worker's answer. */
type Answer =
  | { readonly id: number; readonly bytes: Uint8Array; readonly starts: Uint32Array }
  | { readonly id: number; readonly error: string };

/**
 * A column of numbers, null or missing values as a `Float64Array` (NaN for null and
 * missing), or `undefined` when it holds anything else. One pass: a check then a copy cost
 * twice as much.
 */
function numbersOf(values: readonly unknown[]): Float64Array<ArrayBuffer> | undefined {
  const numbers = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value === "number") numbers[i] = value;
    else if (value === null || value === undefined) numbers[i] = NaN;
    else return undefined;
  }
  return numbers;
}

/**
 * The batch as it is sent: its columns of numbers as `Float64Array`s (null as NaN: the
 * JSON leaves both out), which move to the worker instead of being cloned value by value
 * (a third of the cost of formatting them), and the buffers to move.
 */
function packed(batch: ColumnBatch): { batch: MessageBatch; buffers: ArrayBuffer[] } {
  const timestamps = batch.timestamps.slice();
  const indexes = batch.indexes.slice();
  const buffers: ArrayBuffer[] = [timestamps.buffer, indexes.buffer];
  // No prototype: a field may be named __proto__.
  const fields = Object.create(null) as Record<string, ArrayLike<unknown>>;
  for (const [name, values] of Object.entries(batch.fields)) {
    const numbers = numbersOf(values);
    if (numbers === undefined) {
      fields[name] = values;
      continue;
    }
    fields[name] = numbers;
    buffers.push(numbers.buffer);
  }
  return { batch: { count: batch.count, timestamps, indexes, fields }, buffers };
}

/**
 * Writes MCAP message records on worker threads: an export's thread then only reads the
 * tracks, gathers chunks and checksums them. On this project's 2-core bench machine an
 * export of numbers to a file runs 1.1 to 1.3 times as fast as on one thread, and 1.3
 * times without the file's writes (the README's Performance section). `threads` defaults to the cores,
 * at most two: with more, the export's own thread is the bottleneck.
 */
export function workerMessageFormatter(
  threads = Math.max(1, Math.min(2, availableParallelism())),
): MessageFormatter {
  const url = new URL("./message-records-worker.js", import.meta.url);
  // Run from the TypeScript sources (as most tests run the command line), there is no
  // built script for a worker: the records are written on this thread, byte for byte the
  // same (test/mcap-export-bytes.test.ts checks both ways; cli-process.test.ts the built one).
  if (!existsSync(fileURLToPath(url))) return inlineMessageFormatter();
  const waiting = new Map<number, Waiting>();
  let nextId = 0;
  let failure: Error | undefined;
  const failAll = (error: Error): void => {
    failure ??= error;
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  };
  const workers = Array.from({ length: threads }, () => {
    const worker = new Worker(url);
    worker.on("message", (answer: Answer) => {
      const found = waiting.get(answer.id);
      if (found === undefined) return;
      waiting.delete(answer.id);
      if ("error" in answer) found.reject(new Error(answer.error));
      else found.resolve({ bytes: answer.bytes, starts: answer.starts });
    });
    worker.on("error", failAll);
    worker.on("exit", (code) => {
      if (waiting.size > 0) failAll(new Error(`an MCAP worker thread stopped (exit code ${code})`));
    });
    return worker;
  });
  let isClosed = false;
  let recycled = 0;
  return {
    format: (batch, channelId) => {
      if (failure !== undefined) return Promise.reject(failure);
      const id = nextId++;
      const { batch: message, buffers } = packed(batch);
      return new Promise<MessageRecords>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        (workers[id % workers.length] as Worker).postMessage(
          { id, batch: message, channelId },
          buffers,
        );
      });
    },
    recycle: (records) => {
      if (isClosed || failure !== undefined) return;
      const buffer = records.bytes.buffer as ArrayBuffer;
      (workers[recycled++ % workers.length] as Worker).postMessage({ recycled: buffer }, [buffer]);
    },
    close: async () => {
      if (isClosed) return;
      isClosed = true;
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
