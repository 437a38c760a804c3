/**
 * The documents of each collection the MongoDB adapters keep.
 *
 * Every write that must not be lost under concurrency is an insert of a document whose
 * `_id` (or another unique key) can be inserted once: the commit of an append takes its index
 * range by inserting `<track>:<start>`, a log append its sequence numbers by inserting
 * `<session>:<first>`, a params merge its version by inserting `<session>:<version>`. FerretDB
 * 1.24 runs an update as a read followed by a write of the whole document, so two concurrent
 * updates of one document can lose one (see docs/deployment.md, "MongoDB"); inserts and
 * deletes it runs atomically, as MongoDB does. Updates are used only where a lost one is
 * harmless (a hint, a value written the same by every writer, fields of one writer).
 *
 * JSON objects given by users (metadata, params) are stored as JSON text: MongoDB would refuse
 * some of their keys (`$x`, `a.b`), and text keeps their key order as given, like PostgreSQL's
 * `json`. Indexes are numbers (doubles): exact up to 2^53, far past any track.
 *
 * @module
 */
import type { Binary, ObjectId } from "mongodb";

/** One track (`tracks`): its fields, written once by the append that creates it. */
export type TrackDocument = {
  /** The track id. */
  _id: string;
  session: string;
  name: string;
  description: string | null;
  tags: string[];
  /** JSON text, or null. */
  metadata: string | null;
  /** Seconds since the epoch. */
  createdAt: number;
  /**
   * Hot points as the last append or drop saw them: a hint for the archiver's sweep (it finds
   * tracks with a full chunk through an index); the archiver checks the real count.
   */
  hot: number;
};

/** Where one batch of a commit lies, and its `_ts` bounds. */
export type CommitBatch = {
  /** The `batches` document. */
  readonly id: ObjectId;
  /** Position of its first point in the append. */
  readonly offset: number;
  readonly count: number;
  readonly minTs: number;
  readonly maxTs: number;
};

/**
 * The commit of one append (`commits`, `_id` = `<track>:<start>`): inserted once its batches
 * are written; the insert is the append's atomic step. The commit with the largest `start` is
 * the track's head: its `start + count` is the next index, and it carries the track's running
 * counters, so that one document answers for the track.
 */
export type CommitDocument = {
  _id: string;
  track: string;
  start: number;
  count: number;
  /** `start + count - 1`. */
  end: number;
  /** The append's random id (its batches carry it). */
  append: string;
  /**
   * Unique: `<request>#<generation>` for an append with an idempotency key (so that a key is
   * stored once), `-#<_id>` without one.
   */
  request: string;
  /** Seconds since the epoch: the append's time (the track's `updatedAt` while this is the head). */
  at: number;
  /** Smallest and largest `_ts` of this append. */
  lo: number;
  hi: number;
  /** Smallest and largest `_ts` of the track up to this append (the head's are the track's). */
  minTs: number;
  maxTs: number;
  batches: CommitBatch[];
  /** When it was inserted (the appender's clock): archived commits are removed once old. */
  committedAt: Date;
  /**
   * For an append with an idempotency key: when the key expires (seconds since the epoch).
   * The commit is kept until then, archived or not, so that a retry finds it.
   */
  keepUntil?: number;
};

/**
 * One appended batch of points (`batches`), at most `MAX_BATCH_POINTS`: the points as
 * track-format records (columnar msgpack). Written before its append commits; its place in the
 * track is in the commit.
 */
export type BatchDocument = {
  _id: ObjectId;
  track: string;
  append: string;
  data: Binary;
  /** When it was written: a batch whose append never committed is removed after a while. */
  stagedAt: Date;
};

/** One chunk of the manifest (`chunks`, `_id` = `<track>:<number>`, so committed once). */
export type ChunkDocument = {
  _id: string;
  track: string;
  number: number;
  startIndex: number;
  endIndex: number;
  count: number;
  minTs: number;
  maxTs: number;
  key: string;
  byteSize: number;
  checksum: string;
  /**
   * The chunk's summary as JSON text (`chunk-summary-codec.ts`): a string rather than a
   * document, since its keys are field paths with dots (`position.0`), which MongoDB and
   * FerretDB do not take alike as field names. Absent for chunks archived before summaries.
   */
  summary?: string;
  committedAt: Date;
  /**
   * Set by the drop of its hot points: the track's `hotStart` is the end of its last dropped
   * chunk plus one (every drop writes the same value, so a lost update changes nothing).
   */
  dropped?: true;
};

/** An archival in progress (`plans`, `_id` = `<track>:<chunk number>`). */
export type PlanDocument = {
  _id: string;
  track: string;
  chunkNumber: number;
  startIndex: number;
  endIndex: number;
  key: string;
};

/** A track's archival lease (`leases`, by track id), on the database's clock. */
export type LeaseDocument = {
  _id: string;
  holder: string;
  expiresAt: Date;
};

/**
 * An idempotency key (`requests`, by `[scope, key]` as JSON): which generation of the key is
 * current (a key used again after it expired starts the next one) and what it was used for.
 */
export type RequestDocument = {
  _id: string;
  generation: number;
  /** Seconds since the epoch. */
  expiresAt: number;
  /** The track or the session the key's write goes to. */
  target: string;
};

/** One session (`sessions`, by session id). */
export type SessionDocument = {
  _id: string;
  namespace: string;
  workspace: string;
  name: string;
  writeProtected: boolean;
  description: string | null;
  tags: string[];
  metadata: string | null;
  createdAt: string;
  updatedAt: string | null;
};

/** One created project (`projects`, by `[namespace, slug]` as JSON). */
export type ProjectDocument = {
  _id: string;
  namespace: string;
  slug: string;
  name: string;
  description: string | null;
  createdAt: string;
};

/** One version of the params of a session (`params`, `_id` = `<session>:<version>`). */
export type ParamsVersionDocument = {
  _id: string;
  session: string;
  version: number;
  /** The flat params as JSON text (key order kept). */
  data: string;
  createdAt: string;
  updatedAt: string;
};

/** The sequence numbers of one log append (`logRanges`, `_id` = `<session>:<first>`). */
export type LogRangeDocument = {
  _id: string;
  session: string;
  first: number;
  count: number;
  /** Unique, as a commit's. */
  request: string;
};

/** One log entry (`logs`, `_id` = `<session>/<sequence>`, so that a repeated insert is refused). */
export type LogDocument = {
  _id: string;
  session: string;
  sequence: number;
  /** The timestamp in seconds, for since/until; null when it does not parse. */
  seconds: number | null;
  timestamp: string;
  level: string;
  message: string;
  metadata: string | null;
};

/** One file record (`files`, by file id). */
export type FileDocument = {
  _id: string;
  session: string;
  path: string;
  folder: string;
  filename: string;
  description: string | null;
  tags: string[];
  contentType: string;
  sizeBytes: number;
  checksum: string;
  metadata: string | null;
  objectKey: string;
  recordSession: string;
  uploadedAt: string;
  updatedAt: string;
  deletedAt: string | null;
};

/**
 * The active file of one folder and name (`fileSlots`, `_id` = `[session, folder, filename]`
 * as JSON): an upload of the same name points it at the new record (one update of one small
 * document), keeping its place in the listing.
 */
export type FileSlotDocument = {
  _id: string;
  session: string;
  fileId: string;
  /** Upload order of the first file of this name. */
  position: number;
};

/** The deployment's id (`deployment`, one document). */
export type DeploymentDocument = {
  _id: string;
  databaseId: string;
  createdAt: Date;
};

/** Each collection's documents. */
export type CollectionDocuments = {
  tracks: TrackDocument;
  commits: CommitDocument;
  batches: BatchDocument;
  chunks: ChunkDocument;
  plans: PlanDocument;
  leases: LeaseDocument;
  requests: RequestDocument;
  sessions: SessionDocument;
  projects: ProjectDocument;
  params: ParamsVersionDocument;
  logRanges: LogRangeDocument;
  logs: LogDocument;
  files: FileDocument;
  fileSlots: FileSlotDocument;
  deployment: DeploymentDocument;
};
