import { InvalidArgumentError, LimitExceededError } from "dreamlake/engine";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads and parses a JSON request body, whatever its declared `Content-Type` (`curl -d`
 * sends form-urlencoded), refusing more than `maxBytes` bytes: by the
 * declared `Content-Length` before reading, and by counting while reading (a chunked
 * body has no length).
 *
 * @returns the parsed value, `unknown` until a wire schema parses it
 * @throws {LimitExceededError} when the body is larger than `maxBytes`
 * @throws {InvalidArgumentError} when it is empty, not UTF-8 or not JSON
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  const bytes = await readLimited(request, maxBytes);
  if (bytes.byteLength === 0)
    throw new InvalidArgumentError("The request body is empty; a JSON object is expected");
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new InvalidArgumentError("The request body is not valid UTF-8");
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidArgumentError(`The request body is not valid JSON: ${reason}`);
  }
}

async function readLimited(request: Request, maxBytes: number): Promise<Uint8Array> {
  if (request.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader: ReadableStreamDefaultReader<Uint8Array> = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  if (chunks.length === 1 && chunks[0] !== undefined) return chunks[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
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
