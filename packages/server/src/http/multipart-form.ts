import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import busboy from "busboy";
import { InvalidArgumentError, LimitExceededError } from "dreamlake/engine";

/** The file part of a multipart upload, streamed: its bytes are read once, as they arrive. */
export type MultipartFile = {
  /** The part's field name. */
  readonly field: string;
  /** The `filename` of the part, as sent (path parts included; empty when none was given). */
  readonly filename: string;
  /** The part's `Content-Type`. */
  readonly mimeType: string;
  /**
   * The bytes. After the last chunk the iterator waits for the rest of the form, and throws
   * when a field came after the file (a field the upload could not use).
   */
  readonly chunks: AsyncIterable<Uint8Array>;
};

/** Limits of the text fields of a multipart form. */
export type MultipartLimits = {
  /** Largest text field, in bytes. */
  readonly maxFieldBytes: number;
  /** Most text fields. */
  readonly maxFields: number;
};

/**
 * Parses a `multipart/form-data` request as it streams in (busboy): text fields first,
 * then exactly one file part, whose bytes go to `store` without being buffered. The
 * fields must come before the file (httpx, `curl -F` and `FormData` send them in the
 * order given; the Python client sends fields first), so `store` sees them all.
 *
 * If `store` fails or stops reading, the rest of the body is drained so the client gets
 * the error response.
 *
 * @throws {InvalidArgumentError} when the request is not a multipart form, a field is
 *   repeated, too long or after the file, or there is no file part or more than one
 */
export async function readMultipartUpload<T>(
  request: Request,
  fileField: string,
  limits: MultipartLimits,
  store: (fields: ReadonlyMap<string, string>, file: MultipartFile) => Promise<T>,
): Promise<T> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data\s*;/i.test(type) || request.body === null) {
    throw new InvalidArgumentError(
      `A file upload must be multipart/form-data with a "${fileField}" part, got ${JSON.stringify(type)}`,
    );
  }
  const parser = busboy({
    headers: { "content-type": type },
    defParamCharset: "utf8",
    // The file name as sent: busboy would keep only its last path segment, so that
    // `../../x` became `x` silently. The upload form refuses a name with path parts instead.
    preservePath: true,
    limits: {
      files: 1,
      fields: limits.maxFields,
      fieldSize: limits.maxFieldBytes,
      parts: limits.maxFields + 1,
    },
  });
  const fields = new Map<string, string>();
  let problem: InvalidArgumentError | undefined;
  let stored: Promise<T> | undefined;
  const complain = (message: string): void => {
    problem ??= new InvalidArgumentError(message);
  };
  const finished = new Promise<void>((resolve, reject) => {
    parser.on("close", resolve);
    parser.on("error", (error: unknown) => {
      reject(new InvalidArgumentError("The multipart body is malformed", { cause: error }));
    });
  });
  // The iterator of the file waits for this; a rejection is reported by the await below.
  finished.catch(() => undefined);

  parser.on("field", (name, value, info) => {
    if (info.nameTruncated || info.valueTruncated) {
      complain(`Form field ${JSON.stringify(name)} is longer than ${limits.maxFieldBytes} bytes`);
    } else if (stored !== undefined) {
      complain(`Form field ${JSON.stringify(name)} comes after the file; send the fields first`);
    } else if (fields.has(name)) {
      complain(`Form field ${JSON.stringify(name)} is given twice`);
    } else {
      fields.set(name, value);
    }
  });
  parser.on("fieldsLimit", () => {
    complain(`The form has more than ${limits.maxFields} fields`);
  });
  parser.on("filesLimit", () => {
    complain("The form has more than one file part");
  });
  parser.on("file", (name, stream, info) => {
    if (name !== fileField || stored !== undefined) {
      complain(`Unexpected file part ${JSON.stringify(name)}; send one part named "${fileField}"`);
      stream.resume();
      return;
    }
    // A disconnecting client errors this stream too; the reader sees that through the
    // iterator, but a stream not being read would have no listener and end the process.
    stream.on("error", () => undefined);
    const chunks = async function* (): AsyncGenerator<Uint8Array> {
      // Not destroyed when the reader stops early: it is drained below instead, so that
      // the parser still reaches the end of the body.
      for await (const chunk of stream.iterator({ destroyOnReturn: false })) {
        yield chunk as Uint8Array;
      }
      await finished;
      if (problem !== undefined) throw problem;
    };
    const file: MultipartFile = {
      field: name,
      filename: info.filename ?? "",
      mimeType: info.mimeType,
      chunks: chunks(),
    };
    const fieldsSoFar = new Map(fields);
    // A synchronous throw of `store` (a bad field) becomes a rejection like any other.
    stored = Promise.resolve().then(() => store(fieldsSoFar, file));
    // Whatever `store` did not read is drained, so the parser reaches the end of the body.
    stored.then(
      () => stream.resume(),
      () => stream.resume(),
    );
  });

  const body = Readable.fromWeb(request.body as WebReadableStream<Uint8Array>);
  // A client that disconnects mid-upload errors the body; `pipe` does not pass that on,
  // and an unheard stream error would end the process. The parser fails the upload instead.
  body.on("error", (error: unknown) => {
    parser.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  body.pipe(parser);
  await finished;
  if (stored === undefined) {
    throw problem ?? new InvalidArgumentError(`The form has no file part named "${fileField}"`);
  }
  const result = await stored;
  if (problem !== undefined) throw problem;
  return result;
}

/** Counts bytes on their way through and refuses more than `maxBytes`. */
export async function* limitBytes(
  chunks: AsyncIterable<Uint8Array>,
  maxBytes: number,
): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      throw new LimitExceededError(
        `The file is larger than ${maxBytes} bytes (DREAMLAKE_MAX_FILE_BYTES)`,
        { details: { limit: maxBytes } },
      );
    }
    yield chunk;
  }
}
