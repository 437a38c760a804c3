import { flattenParams, type FlatParams } from "dreamlake/engine";
import type { SessionIdField } from "../wire/dialect.js";
import { WireObject } from "../wire/wire-object.js";
import type { ParamsDocument } from "./params-repository.js";

/**
 * The body of `POST /sessions/{id}/parameters`: `{ data: { "<dotted.key>": value } }`.
 * Nested objects are flattened as the SDK does (`{model: {lr: 1}}` gives `model.lr`).
 *
 * @throws {InvalidArgumentError} on a wrong shape, an unknown field or a value JSON cannot hold
 */
export function parseParamsBody(value: unknown): FlatParams {
  const body = WireObject.open(value, "request body", ["data"]);
  return flattenParams(body.object("data"));
}

/**
 * The params document on the wire: `{ id, sessionId, data, version, createdAt, updatedAt }`
 * (`episodeId` instead of `sessionId` on the 0.8 routes).
 */
export function paramsResponse(
  document: ParamsDocument,
  sessionId: string,
  idField: SessionIdField = "sessionId",
) {
  return {
    id: `${sessionId}-parameters`,
    [idField]: sessionId,
    data: document.data,
    version: document.version,
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
  };
}
