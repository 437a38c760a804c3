/** The fields of a track's `metadata.json`, in the Python SDK's layout. */
export type TrackMetadata = {
  readonly trackId: string;
  readonly name: string;
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly metadata: Readonly<Record<string, unknown>> | null;
  readonly totalDataPoints: number;
  readonly nextIndex: number;
  readonly createdAt: string;
  readonly updatedAt: string | null;
};

/** The Python SDK's local track id. */
export function localTrackId(name: string): string {
  return `local-track-${name}`;
}

/** A fresh metadata document for a track created now. */
export function newTrackMetadata(name: string, nowIso: string): TrackMetadata {
  return {
    trackId: localTrackId(name),
    name,
    description: null,
    tags: [],
    metadata: null,
    totalDataPoints: 0,
    nextIndex: 0,
    createdAt: nowIso,
    updatedAt: null,
  };
}

/**
 * Parses `metadata.json`. It is advisory (the data file is the truth), so damaged or
 * foreign content yields `undefined` and is rewritten on the next flush.
 */
export function parseTrackMetadata(text: string, name: string): TrackMetadata | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
  const record = parsed as Record<string, unknown>;
  const text_ = (value: unknown): string | null => (typeof value === "string" ? value : null);
  const count = (value: unknown): number =>
    typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : 0;
  const metadata = record["metadata"];
  return {
    trackId: text_(record["trackId"]) ?? localTrackId(name),
    name,
    description: text_(record["description"]),
    tags: Array.isArray(record["tags"])
      ? record["tags"].filter((tag) => typeof tag === "string")
      : [],
    metadata:
      typeof metadata === "object" && metadata !== null && !Array.isArray(metadata)
        ? (metadata as Record<string, unknown>)
        : null,
    totalDataPoints: count(record["totalDataPoints"]),
    nextIndex: count(record["nextIndex"]),
    createdAt: text_(record["createdAt"]) ?? "",
    updatedAt: text_(record["updatedAt"]),
  };
}

/** `metadata.json` text as the Python SDK writes it (2-space indent, same key order). */
export function formatTrackMetadata(metadata: TrackMetadata): string {
  return JSON.stringify(
    {
      trackId: metadata.trackId,
      name: metadata.name,
      description: metadata.description,
      tags: metadata.tags,
      metadata: metadata.metadata,
      totalDataPoints: metadata.totalDataPoints,
      nextIndex: metadata.nextIndex,
      createdAt: metadata.createdAt,
      updatedAt: metadata.updatedAt ?? metadata.createdAt,
    },
    null,
    2,
  );
}
