// A worker thread of the MCAP export (see worker-message-formatter.ts): writes the Message
// records of the batches it is sent and sends them back, their buffers moved, not copied.
import { parentPort } from "node:worker_threads";
import { messageRecords, type MessageBatch } from "../mcap/message-records.js";

/** A request from the export's thread: records to write, or a buffer of records given back. */
type Request =
  | { readonly id: number; readonly batch: MessageBatch; readonly channelId: number }
  | { readonly recycled: ArrayBuffer };

/** Buffers given back, to write records in (a few: they are given back as fast as taken). */
const spares: ArrayBuffer[] = [];
const MAX_SPARES = 4;

const port = parentPort;
if (port === null) throw new Error("message-records-worker.js runs as a worker thread only");
port.on("message", (request: Request) => {
  if ("recycled" in request) {
    if (spares.length < MAX_SPARES) spares.push(request.recycled);
    return;
  }
  const { id, batch, channelId } = request;
  try {
    const { bytes, starts } = messageRecords(batch, channelId, spares.pop());
    port.postMessage({ id, bytes, starts }, [
      bytes.buffer as ArrayBuffer,
      starts.buffer as ArrayBuffer,
    ]);
  } catch (error: unknown) {
    port.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
