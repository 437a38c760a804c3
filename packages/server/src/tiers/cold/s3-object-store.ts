import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { FailedPreconditionError, InternalError, UnavailableError } from "dreamlake/engine";
import {
  checkObjectKey,
  checkObjectPrefix,
  type ObjectCallOptions,
  type ObjectInfo,
  type ObjectStore,
} from "./object-store.js";

/** Where and how to reach an S3 bucket. */
export type S3ObjectStoreOptions = {
  readonly bucket: string;
  /** @defaultValue "us-east-1" */
  readonly region?: string;
  /** A non-AWS server (MinIO, Ceph, Swift, ...), e.g. `http://127.0.0.1:9000`. Absent: AWS. */
  readonly endpoint?: string;
  /** Absent: the AWS SDK's default chain (env, profile, instance role). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /**
   * Bucket in the path (`endpoint/bucket/key`) instead of the host name.
   * @defaultValue true when `endpoint` is given, false for AWS
   */
  readonly forcePathStyle?: boolean;
  /** Prepended to every key, so that several stores can share a bucket. @defaultValue "" */
  readonly keyPrefix?: string;
  /** Attempts per call, the SDK's own retries included. @defaultValue 3 */
  readonly maxAttempts?: number;
  /** @defaultValue 5000 */
  readonly connectionTimeoutMs?: number;
  /** @defaultValue 60000 */
  readonly requestTimeoutMs?: number;
  /** Keys per listing page (S3's MaxKeys, at most 1000). @defaultValue 1000 */
  readonly listPageSize?: number;
  /**
   * Size of the parts of a streamed upload (`putStream`), at least 5 MiB (S3's minimum);
   * at most `2 x partBytes` are held in memory per upload. @defaultValue 8 MiB
   */
  readonly partBytes?: number;
};

/** DeleteObjects takes at most this many keys. */
const DELETE_BATCH = 1000;

/**
 * An {@link ObjectStore} on S3 or a server that speaks its protocol (MinIO, Ceph RGW,
 * OpenStack Swift's s3api). The settings non-AWS servers need are on by default: path-style
 * addressing when an endpoint is given, checksums only where the protocol requires them
 * (Swift answers 501 to the SDK's default aws-chunked uploads), and Content-MD5 on batch
 * deletes.
 *
 * `put` sends the bytes with their MD5 (Content-MD5), besides the SHA-256 the request's
 * signature covers: the server refuses bytes that differ from those sent (S3 answers
 * BadDigest), so a resolved `put` means the bucket holds exactly the given bytes, and the
 * archiver need not read them back.
 */
export class S3ObjectStore implements ObjectStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #where: string;
  readonly #pageSize: number;
  readonly #partBytes: number;

  constructor(options: S3ObjectStoreOptions) {
    this.#partBytes = Math.max(5 * 1024 * 1024, options.partBytes ?? 8 * 1024 * 1024);
    this.#pageSize = options.listPageSize ?? 1000;
    this.#bucket = options.bucket;
    this.#prefix = options.keyPrefix ?? "";
    if (this.#prefix !== "") checkObjectPrefix(this.#prefix);
    this.#where = `bucket ${options.bucket} at ${options.endpoint ?? "AWS S3"}`;
    this.#client = new S3Client({
      region: options.region ?? "us-east-1",
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.credentials === undefined ? {} : { credentials: { ...options.credentials } }),
      forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      maxAttempts: options.maxAttempts ?? 3,
      requestHandler: {
        connectionTimeout: options.connectionTimeoutMs ?? 5000,
        requestTimeout: options.requestTimeoutMs ?? 60_000,
      },
    });
  }

  async put(key: string, bytes: Uint8Array, options?: ObjectCallOptions): Promise<void> {
    const command = new PutObjectCommand({
      Bucket: this.#bucket,
      Key: this.#prefix + checkObjectKey(key),
      Body: bytes,
      ContentLength: bytes.byteLength,
      ContentMD5: createHash("md5").update(bytes).digest("base64"),
      ContentType: "application/octet-stream",
    });
    await this.#call(`put ${key}`, () => this.#client.send(command, abortOf(options)));
  }

  async putStream(
    key: string,
    chunks: AsyncIterable<Uint8Array>,
    options?: ObjectCallOptions,
  ): Promise<{ readonly size: number }> {
    let size = 0;
    let sourceError: Error | undefined;
    const counted = (async function* () {
      try {
        for await (const chunk of chunks) {
          size += chunk.byteLength;
          yield chunk;
        }
      } catch (error: unknown) {
        // Kept: the upload reports its own abort, but the caller needs this one.
        sourceError = error instanceof Error ? error : new Error(String(error));
        throw sourceError;
      }
    })();
    // lib-storage sends one PutObject for a small body and a multipart upload for a large
    // one, holding at most queueSize parts in memory; a failure aborts the multipart upload.
    const upload = new Upload({
      client: this.#client,
      params: {
        Bucket: this.#bucket,
        Key: this.#prefix + checkObjectKey(key),
        Body: Readable.from(counted),
        ContentType: "application/octet-stream",
      },
      partSize: this.#partBytes,
      queueSize: 2,
      leavePartsOnError: false,
    });
    const abort = (): void => {
      void upload.abort();
    };
    options?.signal?.addEventListener("abort", abort, { once: true });
    try {
      await this.#call(`put ${key}`, () => upload.done());
    } catch (error: unknown) {
      if (sourceError !== undefined) throw sourceError;
      throw error;
    } finally {
      options?.signal?.removeEventListener("abort", abort);
    }
    return { size };
  }

  async getStream(
    key: string,
    options?: ObjectCallOptions,
  ): Promise<AsyncIterable<Uint8Array> | undefined> {
    const command = new GetObjectCommand({
      Bucket: this.#bucket,
      Key: this.#prefix + checkObjectKey(key),
    });
    const output = await this.#call(`get ${key}`, async () => {
      try {
        return await this.#client.send(command, abortOf(options));
      } catch (error: unknown) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    });
    if (output === undefined) return undefined;
    const body = output.Body;
    if (body === undefined) return (async function* () {})();
    const translate = (error: unknown): Error => this.#translate(`get ${key}`, error);
    return (async function* () {
      try {
        for await (const chunk of body as AsyncIterable<Uint8Array>) yield chunk;
      } catch (error: unknown) {
        throw translate(error);
      }
    })();
  }

  async get(key: string, options?: ObjectCallOptions): Promise<Uint8Array | undefined> {
    const command = new GetObjectCommand({
      Bucket: this.#bucket,
      Key: this.#prefix + checkObjectKey(key),
    });
    return this.#call(`get ${key}`, async () => {
      try {
        const output = await this.#client.send(command, abortOf(options));
        if (output.Body === undefined) return new Uint8Array(0);
        return await output.Body.transformToByteArray();
      } catch (error: unknown) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    });
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const command = new HeadObjectCommand({
      Bucket: this.#bucket,
      Key: this.#prefix + checkObjectKey(key),
    });
    return this.#call(`head ${key}`, async () => {
      try {
        const output = await this.#client.send(command);
        return { key, size: output.ContentLength ?? 0 };
      } catch (error: unknown) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    });
  }

  async delete(keys: readonly string[]): Promise<void> {
    const full = keys.map((key) => this.#prefix + checkObjectKey(key));
    for (let start = 0; start < full.length; start += DELETE_BATCH) {
      const batch = full.slice(start, start + DELETE_BATCH);
      const command = new DeleteObjectsCommand({
        Bucket: this.#bucket,
        Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        // Batch delete requires Content-MD5 on S3-compatible servers.
        ChecksumAlgorithm: "MD5",
      });
      const output = await this.#call(`delete ${batch.length} objects`, () =>
        this.#client.send(command),
      );
      const failed = (output.Errors ?? []).filter((error) => error.Code !== "NoSuchKey");
      if (failed.length > 0) {
        const first = failed[0];
        throw new UnavailableError(
          `${this.#where}: could not delete ${failed.length} of ${batch.length} objects, first ${first?.Key ?? "?"}: ${first?.Code ?? "?"} ${first?.Message ?? ""}`.trim(),
        );
      }
    }
  }

  async *list(prefix: string): AsyncGenerator<ObjectInfo> {
    checkObjectPrefix(prefix);
    let token: string | undefined;
    do {
      const command = new ListObjectsV2Command({
        Bucket: this.#bucket,
        Prefix: this.#prefix + prefix,
        MaxKeys: this.#pageSize,
        ...(token === undefined ? {} : { ContinuationToken: token }),
      });
      const page = await this.#call(`list ${prefix}`, () => this.#client.send(command));
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield { key: object.Key.slice(this.#prefix.length), size: object.Size ?? 0 };
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  close(): Promise<void> {
    this.#client.destroy();
    return Promise.resolve();
  }

  /** Runs one S3 call, turning its failures into the store's errors. */
  async #call<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error: unknown) {
      throw this.#translate(what, error);
    }
  }

  #translate(what: string, error: unknown): Error {
    if (error instanceof Error && error.name === "AbortError") return error;
    if (!(error instanceof S3ServiceException)) {
      // No answer at all: refused connection, reset, DNS, time-out.
      const reason = error instanceof Error ? error.message || error.name : String(error);
      return new UnavailableError(`${this.#where} did not answer (${what}): ${reason}`, {
        cause: error,
      });
    }
    const status = error.$metadata.httpStatusCode ?? 0;
    const text = `${this.#where} answered ${status} ${error.name} (${what})`;
    if (error.name === "NoSuchBucket") {
      return new FailedPreconditionError(`${text}: create the bucket or fix S3_BUCKET`, {
        cause: error,
      });
    }
    if (
      status === 403 ||
      error.name === "InvalidAccessKeyId" ||
      error.name === "SignatureDoesNotMatch"
    ) {
      return new FailedPreconditionError(`${text}: check the S3 credentials`, { cause: error });
    }
    // BadDigest: the server received other bytes than were sent (damaged on the way): again.
    if (
      status >= 500 ||
      status === 429 ||
      error.name === "SlowDown" ||
      error.name === "BadDigest" ||
      error.$retryable
    ) {
      return new UnavailableError(text, { cause: error });
    }
    return new InternalError(text, { cause: error });
  }
}

function isNotFound(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === "NoSuchKey" ||
      error.name === "NotFound" ||
      error.$metadata.httpStatusCode === 404) &&
    error.name !== "NoSuchBucket"
  );
}

function abortOf(options: ObjectCallOptions | undefined): { abortSignal?: AbortSignal } {
  return options?.signal === undefined ? {} : { abortSignal: options.signal };
}
