/**
 * The one error hierarchy of dreamlake. Every error carries a stable `code`; the
 * subclass says who must act (the caller, an operator, or nobody: retry).
 * The wire body of the server is `{ code, message, details? }` and the SDK rebuilds
 * the same class from it with {@link errorFromWire}.
 *
 * @module
 */

/** Stable error codes. They appear on the wire and never change meaning. */
export const ErrorCode = {
  INVALID_ARGUMENT: "INVALID_ARGUMENT",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  LIMIT_EXCEEDED: "LIMIT_EXCEEDED",
  CORRUPT_DATA: "CORRUPT_DATA",
  UNAVAILABLE: "UNAVAILABLE",
  LOCK_TIMEOUT: "LOCK_TIMEOUT",
  UNAUTHENTICATED: "UNAUTHENTICATED",
  PERMISSION_DENIED: "PERMISSION_DENIED",
  FAILED_PRECONDITION: "FAILED_PRECONDITION",
  INTERNAL: "INTERNAL",
} as const;

/** One of the {@link ErrorCode} values. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Options shared by every dreamlake error. */
export type DreamlakeErrorOptions = {
  /** The lower-level error this one wraps. */
  readonly cause?: unknown;
  /** Structured facts about the failure (safe to show to the caller). */
  readonly details?: Readonly<Record<string, unknown>>;
};

/** Base class of every error dreamlake throws. */
export class DreamlakeError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /** HTTP status the server answers with for this error. */
  readonly status: number;
  /** Whether repeating the same call later may succeed. */
  readonly retryable: boolean;
  /** Structured facts about the failure. */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: ErrorCode,
    status: number,
    message: string,
    options: DreamlakeErrorOptions & { readonly retryable?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }
}

/** The caller passed a value that is not allowed. Fix the call. */
export class InvalidArgumentError extends DreamlakeError {
  constructor(message: string, options: DreamlakeErrorOptions = {}) {
    super(ErrorCode.INVALID_ARGUMENT, 400, message, options);
  }
}

/** The session, track, file or route does not exist. */
export class NotFoundError extends DreamlakeError {
  constructor(message: string, options: DreamlakeErrorOptions = {}) {
    super(ErrorCode.NOT_FOUND, 404, message, options);
  }
}

/** The request conflicts with the current state (for example a write-protected session). */
export class ConflictError extends DreamlakeError {
  constructor(message: string, options: DreamlakeErrorOptions = {}) {
    super(ErrorCode.CONFLICT, 409, message, options);
  }
}

/** A documented limit was exceeded (body size, points per request, file size, buffer size). */
export class LimitExceededError extends DreamlakeError {
  constructor(message: string, options: DreamlakeErrorOptions = {}) {
    super(ErrorCode.LIMIT_EXCEEDED, 413, message, options);
  }
}

/** Stored bytes failed a check. The message names the file, the offset, expected and found. */
export class CorruptDataError extends DreamlakeError {
  constructor(message: string, options: DreamlakeErrorOptions = {}) {
    super(ErrorCode.CORRUPT_DATA, 500, message, options);
  }
}

/** Transient trouble (network, server 5xx, S3, database). Retrying later may succeed. */
export class UnavailableError extends DreamlakeError {
  /** How long the server asked us to wait, when it said so. */
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    options: DreamlakeErrorOptions & { readonly retryAfterMs?: number } = {},
  ) {
    super(ErrorCode.UNAVAILABLE, 503, message, { ...options, retryable: true });
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** A file lock held by another writer was not released in time. Retrying later may succeed. */
export class LockTimeoutError extends DreamlakeError {
  constructor(message: string, options: DreamlakeErrorOptions = {}) {
    super(ErrorCode.LOCK_TIMEOUT, 503, message, { ...options, retryable: true });
  }
}

/** The request carries no valid credentials. */
export class UnauthenticatedError extends DreamlakeError {
  constructor(message: string, options: DreamlakeErrorOptions = {}) {
    super(ErrorCode.UNAUTHENTICATED, 401, message, options);
  }
}

/** The credentials are valid but do not reach this resource. */
export class PermissionDeniedError extends DreamlakeError {
  constructor(message: string, options: DreamlakeErrorOptions = {}) {
    super(ErrorCode.PERMISSION_DENIED, 403, message, options);
  }
}

/** The object is in a state that does not allow the call (for example a closed session). */
export class FailedPreconditionError extends DreamlakeError {
  constructor(message: string, options: DreamlakeErrorOptions = {}) {
    super(ErrorCode.FAILED_PRECONDITION, 412, message, options);
  }
}

/** A bug or an unexpected failure. The server never shows its internals in the message. */
export class InternalError extends DreamlakeError {
  constructor(message: string, options: DreamlakeErrorOptions = {}) {
    super(ErrorCode.INTERNAL, 500, message, options);
  }
}

const CONSTRUCTORS: Readonly<
  Record<ErrorCode, new (message: string, options?: DreamlakeErrorOptions) => DreamlakeError>
> = {
  INVALID_ARGUMENT: InvalidArgumentError,
  NOT_FOUND: NotFoundError,
  CONFLICT: ConflictError,
  LIMIT_EXCEEDED: LimitExceededError,
  CORRUPT_DATA: CorruptDataError,
  UNAVAILABLE: UnavailableError,
  LOCK_TIMEOUT: LockTimeoutError,
  UNAUTHENTICATED: UnauthenticatedError,
  PERMISSION_DENIED: PermissionDeniedError,
  FAILED_PRECONDITION: FailedPreconditionError,
  INTERNAL: InternalError,
};

/** Whether `value` is one of the stable error codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(CONSTRUCTORS, value);
}

/** The wire shape of an error: what the server sends and the SDK parses. */
export type WireError = {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
};

/** Rebuilds the error class named by a wire body's `code`. */
export function errorFromWire(body: WireError): DreamlakeError {
  const Constructor = CONSTRUCTORS[body.code];
  return new Constructor(body.message, body.details === undefined ? {} : { details: body.details });
}
