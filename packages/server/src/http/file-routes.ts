import type { Hono } from "hono";
import {
  deletedResponse,
  fileResponse,
  parseFileChangesBody,
  parseFileListQuery,
  parseUploadForm,
} from "../files/file-wire.js";
import { verifyUpload } from "../files/verify-upload.js";
import type { ServerDeps } from "../server-deps.js";
import { requireWritable } from "../sessions/require-writable.js";
import type { Dialect } from "../wire/dialect.js";
import type { AppEnv } from "./app-env.js";
import { limitBytes, readMultipartUpload } from "./multipart-form.js";
import { rejectQuery } from "./reject-query.js";
import { nodeIncoming } from "./node-incoming.js";
import { readJsonBody } from "./read-body.js";
import { sendJson } from "./respond.js";
import { streamBody } from "./stream-body.js";

/** Limits of the text fields of an upload form. */
const UPLOAD_FORM_LIMITS = { maxFieldBytes: 1024 * 1024, maxFields: 16 } as const;

/** The file routes: upload, list, get, download, patch and (soft) delete. */
export function registerFileRoutes(app: Hono<AppEnv>, deps: ServerDeps, dialect: Dialect): void {
  const base = `/${dialect.base}/:id` as const;
  const resolve = (namespace: string, id: string) => deps.sessions.resolve(namespace, id);

  app.post(`${base}/files`, async (c) => {
    const session = await resolve(c.get("principal").namespace, c.req.param("id"));
    rejectQuery(c.req.url);
    requireWritable(session, "upload files");
    const record = await readMultipartUpload(
      c.req.raw,
      "file",
      UPLOAD_FORM_LIMITS,
      (fields, file) => {
        const form = parseUploadForm(fields, file);
        return deps.files.upload(session, {
          ...form.upload,
          source: {
            kind: "stream",
            chunks: verifyUpload(limitBytes(file.chunks, deps.limits.maxFileBytes), form.claims),
          },
        });
      },
    );
    return sendJson(c, fileResponse(record, session.id, dialect.idField));
  });

  app.get(`${base}/files`, async (c) => {
    const session = await resolve(c.get("principal").namespace, c.req.param("id"));
    const query = parseFileListQuery(new URL(c.req.url).searchParams);
    const records = await deps.files.list(session, query);
    return sendJson(c, {
      files: records.map((record) => fileResponse(record, session.id, dialect.idField)),
    });
  });

  app.get(`${base}/files/:fileId`, async (c) => {
    const session = await resolve(c.get("principal").namespace, c.req.param("id"));
    rejectQuery(c.req.url);
    return sendJson(
      c,
      fileResponse(
        await deps.files.get(session, c.req.param("fileId")),
        session.id,
        dialect.idField,
      ),
    );
  });

  app.get(`${base}/files/:fileId/download`, async (c) => {
    const session = await resolve(c.get("principal").namespace, c.req.param("id"));
    rejectQuery(c.req.url);
    const { record, chunks } = await deps.files.open(session, c.req.param("fileId"));
    return c.body(
      streamBody(chunks, (error) => {
        deps.log.error("file download failed after the headers were sent", {
          requestId: c.get("requestId"),
          fileId: record.id,
          error: error instanceof Error ? error.message : String(error),
        });
      }),
      200,
      {
        "content-type": record.contentType,
        "content-length": String(record.sizeBytes),
        "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(record.filename)}`,
        etag: `"sha256-${record.checksum}"`,
      },
    );
  });

  app.patch(`${base}/files/:fileId`, async (c) => {
    const session = await resolve(c.get("principal").namespace, c.req.param("id"));
    rejectQuery(c.req.url);
    const changes = parseFileChangesBody(
      await readJsonBody(c.req.raw, deps.limits.maxBodyBytes, nodeIncoming(c)),
    );
    requireWritable(session, "change files");
    const record = await deps.files.update(session, c.req.param("fileId"), changes);
    return sendJson(c, fileResponse(record, session.id, dialect.idField));
  });

  app.delete(`${base}/files/:fileId`, async (c) => {
    const session = await resolve(c.get("principal").namespace, c.req.param("id"));
    rejectQuery(c.req.url);
    requireWritable(session, "delete files");
    return sendJson(c, deletedResponse(await deps.files.delete(session, c.req.param("fileId"))));
  });
}
