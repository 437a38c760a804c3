/**
 * The page's only way to the server: the JSON routes of `/api/v1` (docs/server.md,
 * "Dashboard API"). The token, when there is one, travels in the HttpOnly cookie that
 * `login` makes the server set; the page never holds it.
 *
 * @module
 */

/** An error answer of the API: its wire code, message and HTTP status. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = status;
  }
}

export type Me = { readonly namespace: string; readonly authentication: "token" | "none" };

export type SessionView = {
  readonly id: string;
  readonly prefix: string;
  readonly workspace: string;
  readonly name: string;
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string | null;
};

export type SessionSummary = SessionView & {
  readonly trackCount: number;
  readonly pointCount: number;
  readonly lastWriteAt: string;
};

export type SessionList = {
  readonly sessions: readonly SessionSummary[];
  readonly total: number;
  readonly hasMore: boolean;
  readonly tags: readonly string[];
};

export type TrackView = {
  readonly name: string;
  readonly totalDataPoints: number;
  readonly firstTs: number | null;
  readonly lastTs: number | null;
  readonly updatedAt: string | null;
  readonly numericFields: readonly string[];
};

export type FieldStats = {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly first: number;
  readonly firstTs: number;
  readonly last: number;
  readonly lastTs: number;
};

export type Bucket = {
  readonly startTime: number;
  readonly endTime: number;
  readonly count: number;
  readonly fields: Readonly<Record<string, FieldStats>>;
};

export type Downsample = { readonly buckets: readonly Bucket[] };

export type RawPoint = { readonly index: number; readonly data: Readonly<Record<string, unknown>> };

export type LogEntry = {
  readonly sequenceNumber: number;
  readonly timestamp: string;
  readonly level: string;
  readonly message: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
};

export type FileView = {
  readonly id: string;
  readonly path: string;
  readonly filename: string;
  readonly description?: string;
  readonly sizeBytes: number;
  readonly checksum: string;
  readonly uploadedAt: string;
};

const BASE = "api/v1";

function query(params: Readonly<Record<string, string | number | boolean | undefined>>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text === "" ? "" : `?${text}`;
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(`${BASE}${path}`, { credentials: "same-origin", ...init });
  if (!response.ok) {
    let code = "UNKNOWN";
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = (await response.json()) as { code?: string; message?: string };
      code = body.code ?? code;
      message = body.message ?? message;
    } catch {
      // Not JSON (a proxy's page): the status says enough.
    }
    throw new ApiError(response.status, code, message);
  }
  return (await response.json()) as T;
}

const session = (id: string) => `/sessions/${encodeURIComponent(id)}`;
const track = (id: string, name: string) => `${session(id)}/tracks/${encodeURIComponent(name)}`;

export const api = {
  me: () => call<Me>("/me"),
  login: (token: string) =>
    call<Me>("/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token }),
    }),
  logout: () => call<unknown>("/logout", { method: "POST" }),
  sessions: (filter: {
    q?: string;
    tag?: string;
    param?: string;
    limit?: number;
    offset?: number;
  }) => call<SessionList>(`/sessions${query(filter)}`),
  session: (id: string) => call<SessionView>(session(id)),
  params: (id: string) =>
    call<{ params: Readonly<Record<string, unknown>> }>(`${session(id)}/params`),
  tracks: (id: string) => call<{ tracks: readonly TrackView[] }>(`${session(id)}/tracks`),
  downsample: (
    id: string,
    name: string,
    options: { buckets: number; startTime?: number; endTime?: number; fields: readonly string[] },
    signal?: AbortSignal,
  ) =>
    call<Downsample>(
      `${track(id, name)}/downsample${query({
        buckets: options.buckets,
        startTime: options.startTime,
        endTime: options.endTime,
        fields: options.fields.join(","),
      })}`,
      signal === undefined ? {} : { signal },
    ),
  points: (
    id: string,
    name: string,
    options: { startTime?: number; endTime?: number; limit: number },
    signal?: AbortSignal,
  ) =>
    call<{ points: readonly RawPoint[]; hasMore: boolean }>(
      `${track(id, name)}/points${query(options)}`,
      signal === undefined ? {} : { signal },
    ),
  logs: (id: string, options: { level?: string; search?: string; limit: number; offset: number }) =>
    call<{ logs: readonly LogEntry[]; hasMore: boolean }>(`${session(id)}/logs${query(options)}`),
  files: (id: string) => call<{ files: readonly FileView[] }>(`${session(id)}/files`),
  downloadUrl: (id: string, fileId: string) =>
    `${BASE}${session(id)}/files/${encodeURIComponent(fileId)}/download`,
  liveUrl: (id: string, tracks: readonly string[], logs: boolean) =>
    `${BASE}${session(id)}/live${query({ tracks: tracks.join(","), logs })}`,
};
