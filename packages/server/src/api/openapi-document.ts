/**
 * The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json`. The API's
 * tests check every route listed here against the app, so the two cannot drift apart.
 *
 * @module
 */

const json = (schema: object) => ({ content: { "application/json": { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const ok = (description: string, schema: object) => ({
  "200": { description, ...json(schema) },
  default: { description: "An error", ...json(ref("Error")) },
});
const path = (name: string, description: string) => ({
  name,
  in: "path",
  required: true,
  description,
  schema: { type: "string" },
});
const query = (name: string, description: string, schema: object = { type: "string" }) => ({
  name,
  in: "query",
  required: false,
  description,
  schema,
});
const sessionId = path("id", "The session id (`id` of the session list)");
const trackName = path("track", "The track name, percent-encoded as one segment (`robot%2Fpose`)");
const nullableNumber = { type: ["number", "null"] };
const nullableText = { type: ["string", "null"] };
const strings = { type: "array", items: { type: "string" } };

export const OPENAPI_DOCUMENT = {
  openapi: "3.1.0",
  info: {
    title: "dreamlake dashboard API",
    version: "1",
    description:
      "Read-only JSON routes for the dashboard, separate from the Python-compatible wire routes. Authentication: the dreamlake_token cookie set by POST /api/v1/login, or Authorization: Bearer <token>; `dreamlake ui` needs none.",
  },
  servers: [{ url: "/api/v1" }],
  components: {
    securitySchemes: {
      cookie: { type: "apiKey", in: "cookie", name: "dreamlake_token" },
      bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
    },
    schemas: {
      Error: {
        type: "object",
        required: ["code", "message", "requestId"],
        properties: {
          code: { type: "string", examples: ["INVALID_ARGUMENT", "NOT_FOUND", "UNAUTHENTICATED"] },
          message: { type: "string" },
          details: { type: "object" },
          requestId: { type: "string" },
        },
      },
      Session: {
        type: "object",
        properties: {
          id: { type: "string" },
          prefix: { type: "string", description: "namespace/workspace/name, or workspace/name" },
          namespace: { type: "string" },
          workspace: { type: "string" },
          name: { type: "string" },
          description: nullableText,
          tags: strings,
          metadata: { type: ["object", "null"] },
          writeProtected: { type: "boolean" },
          createdAt: { type: "string", format: "date-time" },
          updatedAt: nullableText,
        },
      },
      SessionSummary: {
        allOf: [
          ref("Session"),
          {
            type: "object",
            properties: {
              trackCount: { type: "integer" },
              pointCount: { type: "integer" },
              lastWriteAt: { type: "string", format: "date-time" },
            },
          },
        ],
      },
      Track: {
        type: "object",
        properties: {
          name: { type: "string" },
          description: nullableText,
          tags: strings,
          totalDataPoints: { type: "integer" },
          firstTs: nullableNumber,
          lastTs: nullableNumber,
          createdAt: nullableText,
          updatedAt: nullableText,
          numericFields: { ...strings, description: "Numeric field paths (`loss`, `position.0`)" },
        },
      },
      FieldStats: {
        type: "object",
        properties: Object.fromEntries(
          ["count", "min", "max", "mean", "first", "firstTs", "last", "lastTs"].map((name) => [
            name,
            { type: "number" },
          ]),
        ),
      },
      Downsample: {
        type: "object",
        properties: {
          startTime: nullableNumber,
          endTime: nullableNumber,
          bucketSeconds: nullableNumber,
          buckets: {
            type: "array",
            items: {
              type: "object",
              properties: {
                startTime: { type: "number" },
                endTime: { type: "number" },
                count: { type: "integer" },
                fields: { type: "object", additionalProperties: ref("FieldStats") },
              },
            },
          },
        },
      },
      LogEntry: {
        type: "object",
        properties: {
          sequenceNumber: { type: "integer" },
          timestamp: { type: "string" },
          level: { enum: ["debug", "info", "warn", "error", "fatal"] },
          message: { type: "string" },
          metadata: { type: "object" },
        },
      },
      File: {
        type: "object",
        properties: {
          id: { type: "string" },
          path: { type: "string" },
          filename: { type: "string" },
          description: { type: "string" },
          tags: strings,
          contentType: { type: "string" },
          sizeBytes: { type: "integer" },
          checksum: { type: "string", description: "SHA-256, hex" },
          uploadedAt: { type: "string" },
          updatedAt: { type: "string" },
        },
      },
    },
  },
  security: [{ cookie: [] }, { bearer: [] }],
  paths: {
    "/login": {
      post: {
        summary: "Check a token and keep it in the HttpOnly dreamlake_token cookie",
        security: [],
        requestBody: json({
          type: "object",
          required: ["token"],
          properties: { token: { type: "string" } },
        }),
        responses: ok("The token's namespace", {
          type: "object",
          properties: { namespace: { type: "string" }, authentication: { type: "string" } },
        }),
      },
    },
    "/logout": {
      post: {
        summary: "Clear the cookie",
        security: [],
        responses: ok("Done", { type: "object" }),
      },
    },
    "/me": {
      get: {
        summary: "Who the request acts for (401 when logged out)",
        responses: ok("The namespace, and whether the API needs a token", {
          type: "object",
          properties: {
            namespace: { type: "string" },
            authentication: { enum: ["token", "none"] },
          },
        }),
      },
    },
    "/sessions": {
      get: {
        summary: "Sessions, newest first, filtered and paged",
        parameters: [
          query("q", "Text found (ignoring case) in the prefix, description or a tag"),
          query("tag", "A tag the session carries"),
          query("param", "key=value conditions on params, comma-separated (`lr=0.001`)"),
          query("limit", "Page size, 1..1000 (default 100)", { type: "integer" }),
          query("offset", "Matching sessions to skip", { type: "integer" }),
        ],
        responses: ok("A page of sessions", {
          type: "object",
          properties: {
            sessions: { type: "array", items: ref("SessionSummary") },
            total: { type: "integer" },
            hasMore: { type: "boolean" },
            tags: { ...strings, description: "Every tag of every session" },
          },
        }),
      },
    },
    "/sessions/{id}": {
      get: {
        summary: "One session",
        parameters: [sessionId],
        responses: ok("The session", ref("Session")),
      },
    },
    "/sessions/{id}/params": {
      get: {
        summary: "The session's params, flattened to dotted keys",
        parameters: [sessionId],
        responses: ok("The params", {
          type: "object",
          properties: {
            params: { type: "object" },
            version: { type: "integer" },
            updatedAt: nullableText,
          },
        }),
      },
    },
    "/sessions/{id}/tracks": {
      get: {
        summary: "The session's tracks with their stats and numeric fields",
        parameters: [sessionId],
        responses: ok("The tracks", {
          type: "object",
          properties: { tracks: { type: "array", items: ref("Track") } },
        }),
      },
    },
    "/sessions/{id}/tracks/{track}/downsample": {
      get: {
        summary: "Exact statistics (count, min, max, mean, first, last) per time bucket",
        parameters: [
          sessionId,
          trackName,
          query("buckets", "1..10000 (required)", { type: "integer" }),
          query("startTime", "Seconds, inclusive (default: the first point)", { type: "number" }),
          query("endTime", "Seconds, exclusive (default: the last point, included)", {
            type: "number",
          }),
          query("fields", "Comma-separated field paths (default: every numeric one)"),
        ],
        responses: ok("The buckets", ref("Downsample")),
      },
    },
    "/sessions/{id}/tracks/{track}/points": {
      get: {
        summary: "Raw points with startTime <= _ts < endTime, by _ts",
        parameters: [
          sessionId,
          trackName,
          query("startTime", "Seconds, inclusive", { type: "number" }),
          query("endTime", "Seconds, exclusive", { type: "number" }),
          query("limit", "1..10000 (default 1000)", { type: "integer" }),
          query("reverse", "Newest first", { type: "boolean" }),
        ],
        responses: ok("The points", {
          type: "object",
          properties: {
            points: {
              type: "array",
              items: {
                type: "object",
                properties: { index: { type: "integer" }, data: { type: "object" } },
              },
            },
            hasMore: { type: "boolean" },
          },
        }),
      },
    },
    "/sessions/{id}/logs": {
      get: {
        summary: "Log entries, newest first",
        parameters: [
          sessionId,
          query("level", "Comma-separated levels"),
          query("search", "Text found in the message, ignoring case"),
          query("limit", "1..10000 (default 100)", { type: "integer" }),
          query("offset", "Matching entries to skip", { type: "integer" }),
        ],
        responses: ok("A page of entries", {
          type: "object",
          properties: {
            logs: { type: "array", items: ref("LogEntry") },
            hasMore: { type: "boolean" },
          },
        }),
      },
    },
    "/sessions/{id}/files": {
      get: {
        summary: "The session's active files",
        parameters: [sessionId],
        responses: ok("The files", {
          type: "object",
          properties: { files: { type: "array", items: ref("File") } },
        }),
      },
    },
    "/sessions/{id}/files/{fileId}/download": {
      get: {
        summary: "The file's bytes (Content-Disposition: attachment)",
        parameters: [sessionId, path("fileId", "The file id")],
        responses: {
          "200": {
            description: "The bytes",
            content: {
              "application/octet-stream": { schema: { type: "string", format: "binary" } },
            },
          },
          default: { description: "An error", ...json(ref("Error")) },
        },
      },
    },
    "/sessions/{id}/live": {
      get: {
        summary:
          "Server-sent events: `track` {name, totalDataPoints, firstTs, lastTs} when a watched track changes, `logs` {newestSequence} when the log does; each once on connect",
        parameters: [
          sessionId,
          query("tracks", "Comma-separated track names (at most 64)"),
          query("logs", "Watch the log too", { type: "boolean" }),
        ],
        responses: {
          "200": {
            description: "The event stream",
            content: { "text/event-stream": { schema: { type: "string" } } },
          },
          default: { description: "An error", ...json(ref("Error")) },
        },
      },
    },
    "/openapi.json": {
      get: {
        summary: "This document",
        security: [],
        responses: ok("OpenAPI 3.1", { type: "object" }),
      },
    },
  },
} as const;
