import type { IncomingHttpHeaders } from "node:http";
import type { ReadableStreamReadResult } from "node:stream/web";
import { InvalidArgumentError, LimitExceededError } from "dreamlake/engine";
import { refuseNonFiniteNumbers } from "../wire/finite-numbers.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads and parses a JSON request body, whatever its declared `Content-Type` (`curl -d`
 * sends form-urlencoded), refusing more than `maxBytes` bytes: by the
 * declared `Content-Length` before reading, and by counting while reading (a chunked
 * body has no length).
 *
 * @param incoming the Node request when the server runs on Node's HTTP server: reading it
 *   directly skips the web-stream wrapper around it (a third of the cost of a large body)
 * @returns the parsed value, `unknown` until a wire schema parses it
 * @throws {LimitExceededError} when the body is larger than `maxBytes`
 * @throws {InvalidArgumentError} when it is empty, not UTF-8 or not JSON, or holds a number
 *   too large for a 64-bit float (`1e309`, which `JSON.parse` makes `Infinity`)
 */
export async function readJsonBody(
  request: Request,
  maxBytes: number,
  incoming?: AsyncIterable<Uint8Array> & { readonly headers: IncomingHttpHeaders },
): Promise<unknown> {
  const declared =
    incoming === undefined
      ? request.headers.get("content-length")
      : incoming.headers["content-length"];
  if (declared != null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  const bytes = await readLimited(incoming ?? webChunks(request), maxBytes);
  if (bytes.byteLength === 0)
    throw new InvalidArgumentError("The request body is empty; a JSON object is expected");
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new InvalidArgumentError("The request body is not valid UTF-8");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidArgumentError(`The request body is not valid JSON: ${reason}`);
  }
  refuseNonFiniteNumbers(parsed, "The request body");
  return parsed;
}

async function* webChunks(request: Request): AsyncGenerator<Uint8Array> {
  if (request.body === null) return;
  const reader: ReadableStreamDefaultReader<Uint8Array> = request.body.getReader();
  try {
    for (;;) {
      const next: ReadableStreamReadResult<Uint8Array> = await reader.read();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await reader.cancel();
  }
}

async function readLimited(
  chunks: AsyncIterable<Uint8Array>,
  maxBytes: number,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.byteLength;
    // Leaving the loop stops reading; the connection is closed after the error response.
    if (total > maxBytes) throw tooLarge(maxBytes);
    parts.push(chunk);
  }
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of parts) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function tooLarge(maxBytes: number): LimitExceededError {
  return new LimitExceededError(
    `The request body is larger than ${maxBytes} bytes (DREAMLAKE_MAX_BODY_BYTES)`,
    { details: { limit: maxBytes } },
  );
}
